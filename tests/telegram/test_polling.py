"""Long polling on both drivers: store first, confirm after, survive Telegram's failures."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest

from bot.telegram.api_errors import TelegramError
from bot.telegram.driver import Driver
from bot.telegram.drivers import make_driver
from bot.telegram.polling import poll
from tests.fake_telegram import FakeTelegramServer

StoreUpdates = Callable[[list[dict[str, Any]]], Awaitable[None]]


class Inbox:
    """Stands in for the inbox table: stores batches whole or not at all, failing some."""

    def __init__(self, fail_attempts: dict[int, int] | None = None) -> None:
        self.stored: list[dict[str, Any]] = []
        self.batches: list[list[int]] = []
        self.attempts: dict[int, int] = {}
        self.fail_attempts = fail_attempts or {}

    async def store(self, updates: list[dict[str, Any]]) -> None:
        ids = [u["update_id"] for u in updates]
        for update_id in ids:
            self.attempts[update_id] = self.attempts.get(update_id, 0) + 1
        if any(self.attempts[i] <= self.fail_attempts.get(i, 0) for i in ids):
            raise RuntimeError("database is locked")  # the transaction rolls back: none stored
        self.batches.append(ids)
        known = {u["update_id"] for u in self.stored}
        self.stored.extend(u for u in updates if u["update_id"] not in known)

    def texts(self) -> list[str]:
        return [u["message"]["text"] for u in self.stored]


class Waits:
    """The pauses poll asks for, recorded instead of waited out (only the loop turns over)."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    async def __call__(self, seconds: float, stop: asyncio.Event) -> None:
        self.asked.append(seconds)
        await asyncio.sleep(0)


@asynccontextmanager
async def polling(
    driver: Driver, store: StoreUpdates, waits: Waits | None = None, **options: Any
) -> AsyncIterator[None]:
    """Run `poll` in the background for the duration of the block."""
    stop = asyncio.Event()
    settings: dict[str, Any] = {"offset": None, "timeout": 1, "wait": waits or Waits()}
    task = asyncio.create_task(poll(driver, store_updates=store, stop=stop, **settings | options))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)


async def test_updates_are_stored_in_order_then_confirmed(
    driver: Driver, fake_telegram: FakeTelegramServer
) -> None:
    ana, bia = fake_telegram.add_user("Ana"), fake_telegram.add_user("Bia")
    inbox = Inbox()
    async with polling(driver, inbox.store):
        for n in range(3):
            fake_telegram.user_sends_text(ana, f"ana {n}")
            fake_telegram.user_sends_text(bia, f"bia {n}")
        await fake_telegram.wait_until(lambda: len(inbox.stored) == 6, what="six stored")
        await fake_telegram.wait_until(lambda: not fake_telegram.pending_updates, what="confirmed")
    assert inbox.texts() == ["ana 0", "bia 0", "ana 1", "bia 1", "ana 2", "bia 2"]
    ids = [u["update_id"] for u in inbox.stored]
    assert ids == sorted(ids)


async def test_one_getupdates_answer_is_stored_as_one_batch(
    driver: Driver, fake_telegram: FakeTelegramServer
) -> None:
    users = [fake_telegram.add_user(f"U{n}") for n in range(40)]
    for user in users:
        fake_telegram.user_sends_text(user, f"oi {user.first_name}")
    ids = [u["update_id"] for u in fake_telegram.pending_updates]
    inbox = Inbox()
    async with polling(driver, inbox.store):
        await fake_telegram.wait_until(lambda: not fake_telegram.pending_updates, what="confirmed")
    assert inbox.batches == [ids]  # one store call (one transaction) for the whole answer


async def test_a_batch_that_could_not_be_stored_is_delivered_again_whole(
    driver: Driver, fake_telegram: FakeTelegramServer
) -> None:
    user = fake_telegram.add_user()
    fake_telegram.user_sends_text(user, "um")
    fake_telegram.user_sends_text(user, "dois")
    fake_telegram.user_sends_text(user, "três")
    ids = [u["update_id"] for u in fake_telegram.pending_updates]
    inbox = Inbox(fail_attempts={ids[1]: 2})
    async with polling(driver, inbox.store):
        await fake_telegram.wait_until(lambda: len(inbox.stored) == 3, what="all stored")
    assert inbox.texts() == ["um", "dois", "três"]
    # Nothing was confirmed while the batch failed: every update came back with it.
    assert [inbox.attempts[i] for i in ids] == [3, 3, 3]
    assert inbox.batches == [ids]


async def test_nothing_is_confirmed_until_stored(
    driver: Driver, fake_telegram: FakeTelegramServer
) -> None:
    user = fake_telegram.add_user()
    fake_telegram.user_sends_text(user, "oi")
    update_id = fake_telegram.pending_updates[0]["update_id"]
    inbox = Inbox(fail_attempts={update_id: 1000})
    async with polling(driver, inbox.store):
        await fake_telegram.wait_until(lambda: inbox.attempts.get(update_id, 0) >= 3)
    assert [u["update_id"] for u in fake_telegram.pending_updates] == [update_id]
    assert inbox.stored == []


async def test_server_errors_and_lost_answers_are_retried(
    driver: Driver, fake_telegram: FakeTelegramServer
) -> None:
    user = fake_telegram.add_user()
    fake_telegram.faults.fail_next("getUpdates", status=502, count=2)
    fake_telegram.faults.fail_next("getUpdates", status=500, count=2, after_effect=True)
    inbox = Inbox()
    async with polling(driver, inbox.store):
        fake_telegram.user_sends_text(user, "oi")
        await fake_telegram.wait_until(lambda: inbox.stored, what="the update")
    assert inbox.texts() == ["oi"]
    statuses = [r.status for r in fake_telegram.requests_for("getUpdates")]
    assert statuses[:4] == [502, 502, 500, 500] and 200 in statuses


async def test_retry_after_is_honoured(driver: Driver, fake_telegram: FakeTelegramServer) -> None:
    user = fake_telegram.add_user()
    fake_telegram.user_sends_text(user, "oi")
    fake_telegram.faults.fail_next("getUpdates", status=429, retry_after=7)
    inbox, waits = Inbox(), Waits()
    async with polling(driver, inbox.store, waits):
        await fake_telegram.wait_until(lambda: inbox.stored, what="the update")
    assert waits.asked == [7]  # waited out exactly what Telegram asked, before asking again
    assert [r.status for r in fake_telegram.requests_for("getUpdates")][:2] == [429, 200]


async def test_a_conflict_is_logged_and_polling_resumes(
    driver: Driver, fake_telegram: FakeTelegramServer, caplog: pytest.LogCaptureFixture
) -> None:
    await driver.call("setWebhook", {"url": "http://127.0.0.1:9/hook"})
    user = fake_telegram.add_user()
    inbox = Inbox()
    with caplog.at_level(logging.WARNING, logger="bot.telegram.fault_log"):
        async with polling(driver, inbox.store, backoff_cap=0.05):
            await fake_telegram.wait_until(
                lambda: any("Conflict" in r.getMessage() for r in caplog.records), what="a warning"
            )
            await driver.call("deleteWebhook", {})
            fake_telegram.user_sends_text(user, "oi")
            await fake_telegram.wait_until(lambda: inbox.stored, what="the update")
    assert inbox.texts() == ["oi"]


async def test_stop_ends_a_long_poll_at_once(
    driver: Driver, fake_telegram: FakeTelegramServer
) -> None:
    queue = fake_telegram.state.updates
    long_poll, waiting = queue.poll, asyncio.Event()

    async def watched(offset: int, limit: int, timeout: float) -> list[dict[str, Any]]:
        waiting.set()
        return await long_poll(offset, limit, timeout)

    queue.poll = watched  # type: ignore[method-assign]
    stop = asyncio.Event()
    task = asyncio.create_task(
        poll(driver, store_updates=Inbox().store, offset=None, timeout=30, stop=stop)
    )
    await asyncio.wait_for(waiting.wait(), 10)  # the long poll is now waiting on the server
    stop.set()
    # The long poll has 30 s to run; the task ends long before, so stop cancelled it.
    await asyncio.wait_for(task, 10)


@pytest.mark.parametrize("library", ["aiogram", "python-telegram-bot"])
async def test_a_rejected_token_stops_polling_with_the_error(
    library: str, fake_telegram: FakeTelegramServer
) -> None:
    driver = make_driver(library, "42:WRONG", fake_telegram.base_url)
    try:
        with pytest.raises(TelegramError, match=r"(?i)unauthorized|not found|rejected"):
            await asyncio.wait_for(
                poll(
                    driver,
                    store_updates=Inbox().store,
                    offset=None,
                    timeout=1,
                    stop=asyncio.Event(),
                ),
                5,
            )
    finally:
        await driver.close()
