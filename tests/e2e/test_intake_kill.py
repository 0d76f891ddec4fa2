"""kill -9 around the intake's commit: a burst is stored and answered once, none lost, none twice.

`python -m bot run` is a child process on a SQLite file or a PostgreSQL schema. A burst of
`/start` messages reaches it in one getUpdates answer, stored in one transaction, and the offset
that confirms them is sent only after the commit. The process is killed at a chosen point:

- before the commit (the test holds the store's write lock, so the batch cannot be stored):
  nothing of the burst is in the inbox and Telegram still holds all of it;
- after the commit, before the offset is confirmed (the fake server holds the next getUpdates):
  the whole burst is in the inbox and Telegram still holds all of it too.

Restarted, the bot answers every message exactly once.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import text

from tests.fake_telegram import FakeTelegramServer, FakeUser

from .harness import BotProcess

pytestmark = [pytest.mark.slow, pytest.mark.parametrize("backend", ["sqlite", "postgresql"])]
BURST = 24
SLOW = 60.0


@pytest_asyncio.fixture
async def child(
    fake_telegram: FakeTelegramServer, database_url: str, tmp_path: Path
) -> AsyncIterator[BotProcess]:
    """The bot as a child process on the test's store (not started); killed at the end."""
    process = BotProcess(fake_telegram, library="aiogram", workdir=tmp_path, url=database_url)
    try:
        yield process
    finally:
        await process.kill()
        process.engine.dispose()


class HeldPoll:
    """The fake server's getUpdates, watched: an event once an answer held the burst, and
    (armed) the next call with a later offset held unanswered and unconfirmed."""

    def __init__(self, server: FakeTelegramServer) -> None:
        self.queue = server.state.updates
        self.original = self.queue.poll
        self.last_id = 0
        self.polling = asyncio.Event()
        self.answered = asyncio.Event()
        self.armed = False
        self.held = asyncio.Event()
        self.release = asyncio.Event()
        self.queue.poll = self.poll  # type: ignore[method-assign]

    async def poll(self, offset: int, limit: int, timeout: float) -> list[dict[str, Any]]:
        self.polling.set()
        if self.armed and offset > self.last_id:
            self.armed = False
            self.held.set()
            await self.release.wait()
            return []  # to a dead client: nothing confirmed, nothing delivered
        updates = await self.original(offset, limit, timeout)
        if self.last_id and any(u["update_id"] == self.last_id for u in updates):
            self.answered.set()
        return updates


def burst(server: FakeTelegramServer) -> tuple[list[FakeUser], list[int]]:
    """BURST users each send /start at once; their update ids."""
    users = [server.add_user(f"U{n}") for n in range(BURST)]
    for user in users:
        server.user_sends_text(user, "/start")
    return users, [int(u["update_id"]) for u in server.pending_updates[-BURST:]]


@contextmanager
def write_lock(bot: BotProcess) -> Iterator[None]:
    """Hold the store so no update can be stored (other writers wait or fail)."""
    with bot.engine.begin() as connection:  # SQLite: BEGIN IMMEDIATE takes the write lock
        if connection.dialect.name == "postgresql":
            connection.execute(text("LOCK TABLE inbox_updates IN SHARE MODE"))
        yield


async def answered_once_each(bot: BotProcess, users: list[FakeUser], ids: list[int]) -> None:
    for user, update_id in zip(users, ids, strict=True):
        await bot.settle(user.id, update_id, SLOW)
    stored = [u for u in bot.inbox() if u.update_id in set(ids)]
    assert sorted(u.update_id for u in stored) == ids  # each stored once
    assert {(u.status, u.attempts) for u in stored} == {("done", 0)}  # processed once
    for user in users:
        bodies = Counter(m.body for m in bot.server.sent_messages(user.id))
        assert bodies and max(bodies.values()) == 1, user.first_name  # answered, never twice


async def test_killed_before_the_batch_is_committed(child: BotProcess) -> None:
    bot = child
    watch = HeldPoll(bot.server)  # before the start: the bot's first long poll is watched too
    await bot.start(SLOW)
    # In its long poll: past its start-up reads, which the lock would hold up too.
    await asyncio.wait_for(watch.polling.wait(), SLOW)
    with write_lock(bot):
        users, ids = burst(bot.server)
        watch.last_id = ids[-1]
        await asyncio.wait_for(watch.answered.wait(), SLOW)
        await bot.kill()
    assert not [u for u in bot.inbox() if u.update_id in set(ids)]
    assert [u["update_id"] for u in bot.server.pending_updates] == ids

    await bot.start(SLOW)
    await answered_once_each(bot, users, ids)


async def test_killed_after_the_commit_before_the_offset_is_confirmed(child: BotProcess) -> None:
    bot = child
    watch = HeldPoll(bot.server)  # before the start: the bot's first long poll is watched too
    await bot.start(SLOW)
    users, ids = burst(bot.server)
    watch.last_id = ids[-1]
    watch.armed = True
    await asyncio.wait_for(watch.held.wait(), SLOW)
    await bot.kill()
    watch.release.set()
    assert sorted(u.update_id for u in bot.inbox() if u.update_id in set(ids)) == ids
    assert [u["update_id"] for u in bot.server.pending_updates] == ids  # Telegram sends again

    await bot.start(SLOW)
    await answered_once_each(bot, users, ids)
