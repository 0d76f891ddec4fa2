"""Two bot processes on one store, as DESIGN.md's "several workers" would run them.

Every process runs a sender, but only the holder of the store's sender lease sends; the other
waits and takes over when the holder stops or loses its lock. The second process here is a
second `Sender` on its own driver and engine-side lease, in the same event loop.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.telegram.drivers import make_driver
from bot.telegram.sender import Sender
from storage import SenderLease, enqueue
from tests.fake_telegram import FakeUser
from tests.stores import end_lock_sessions
from tests.telegram.senders import in_background

from .conftest import StartBot
from .harness import BotView, RunningBot

BOTH_BACKENDS = pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
WAITING = "this one waits to take over"
LOST = "outbox sender lost"


@pytest.fixture(autouse=True)
def sender_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """The senders' INFO lines (who sends, who waits) are part of what is checked."""
    caplog.set_level(logging.INFO, logger="bot.telegram.sender")
    return caplog


def people(bot: RunningBot, count: int = 20) -> list[FakeUser]:
    """Users who started the bot, so it may write to them."""
    made = [bot.server.add_user(f"Pessoa {n}") for n in range(count)]
    for person in made:
        bot.server.chat_of(person).bot_started = True
    return made


def queue_notices(bot: RunningBot, to: list[FakeUser]) -> None:
    """One notice per person, queued in the outbox as the desk would."""
    with bot.session() as session:
        for person in to:
            enqueue(
                session,
                chat_id=person.id,
                method="sendMessage",
                params={"text": f"Aviso para {person.first_name}"},
                now=datetime.now(UTC),
            )


async def delivered_once(bot: BotView, to: list[FakeUser]) -> None:
    """Wait until the outbox is empty, then each person must have exactly one notice."""
    for person in to:
        await bot.settle(person.id)
    await asyncio.sleep(0.5)  # a duplicate would still be on its way
    delivered = collections.Counter(m.body for m in bot.server.sent_messages())
    assert delivered == {f"Aviso para {p.first_name}": 1 for p in to}


async def holds(lease: SenderLease) -> bool:
    """Whether the lease is held (a round trip on PostgreSQL, so off the event loop)."""
    return await asyncio.to_thread(lease.alive)


async def eventually(condition: Any, what: str, timeout: float = 15.0) -> None:
    """Poll an async condition until it is true."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await condition():
        if loop.time() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.05)


def logged(caplog: pytest.LogCaptureFixture, fragment: str) -> int:
    """How many sender log lines contain `fragment`."""
    return sum(fragment in r.getMessage() for r in caplog.records)


@asynccontextmanager
async def second_sender(bot: RunningBot, library: str, **options: Any) -> AsyncIterator[Sender]:
    """Another process's sender on the same store, running until the block ends."""
    driver = make_driver(library, bot.server.token, bot.server.base_url)
    try:
        async with in_background(Sender(bot.engine, driver, bot.clock, **options), 15) as sender:
            yield sender
    finally:
        await driver.close()


async def first_holds(bot: RunningBot) -> None:
    """Wait until the bot's own sender holds the lease (it takes it as the runtime starts)."""
    lease = bot.runtime.sender.lease
    await eventually(lambda: holds(lease), "the bot's sender to hold the lease")


@BOTH_BACKENDS
async def test_two_processes_on_one_store_send_each_message_once(
    start_bot: StartBot, library: str, sender_logs: pytest.LogCaptureFixture
) -> None:
    bot = await start_bot()
    to = people(bot)
    queue_notices(bot, to)
    async with second_sender(bot, library) as second:
        await delivered_once(bot, to)
        leases = [bot.runtime.sender.lease, second.lease]
        assert [await holds(lease) for lease in leases].count(True) == 1
    assert logged(sender_logs, WAITING) == 1


@BOTH_BACKENDS
async def test_a_waiting_sender_takes_over_when_the_first_stops(
    start_bot: StartBot, library: str, sender_logs: pytest.LogCaptureFixture
) -> None:
    bot = await start_bot()
    await first_holds(bot)
    to = people(bot)
    async with second_sender(bot, library, lease_retry=0.1, lease_check=0.2) as second:

        async def second_waits() -> bool:
            return logged(sender_logs, WAITING) == 1

        await eventually(second_waits, "the second sender to wait")
        bot.stop.set()
        assert bot.task is not None
        await asyncio.wait_for(bot.task, 15)
        queue_notices(bot, to)
        # Seen from outside: the bot's process is gone on purpose, its store stays.
        await delivered_once(BotView(bot.server, bot.engine, bot.clock), to)
        assert await holds(second.lease)


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_a_waiting_sender_takes_over_when_the_holders_connection_is_lost(
    start_bot: StartBot, library: str, sender_logs: pytest.LogCaptureFixture
) -> None:
    bot = await start_bot()
    await first_holds(bot)
    to = people(bot)
    async with second_sender(bot, library, lease_retry=0.1) as second:

        async def second_waits() -> bool:
            return logged(sender_logs, WAITING) == 1

        async def first_noticed() -> bool:
            return logged(sender_logs, LOST) == 1

        async def first_waits_again() -> bool:
            return logged(sender_logs, WAITING) == 2

        await eventually(second_waits, "the second sender to wait")
        assert await asyncio.to_thread(end_lock_sessions, bot.engine) == [True]
        await eventually(first_noticed, "the bot's sender to notice it lost the lease")
        queue_notices(bot, to)
        await delivered_once(bot, to)
        assert await holds(second.lease)
        # The bot runs on, its sender waiting in turn.
        await eventually(first_waits_again, "the bot's sender to wait")
        assert bot.task is not None
        assert not bot.task.done()
