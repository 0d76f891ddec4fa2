"""Chats waiting out their rate limit do not hold back the chats that may be written to now."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

import storage.tables  # noqa: F401  (registers the tables)
from bot.telegram.driver import Driver
from bot.telegram.rate_limits import RateLimiter
from storage import enqueue
from tests.fake_telegram import FakeTelegramServer, FakeUser
from tests.stores import postgres_server, store_engine

from .senders import Lease, running

__all__ = ["postgres_server"]  # the fixture, for the PostgreSQL case


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty store holding every table: a SQLite file, or a fresh schema."""
    yield from store_engine(request.param, request, tmp_path)


def people(server: FakeTelegramServer, name: str, count: int) -> list[FakeUser]:
    made = [server.add_user(f"{name} {n}") for n in range(count)]
    for person in made:
        server.chat_of(person).bot_started = True
    return made


def queue(session: Session, person: FakeUser, text: str) -> None:
    now = datetime.now(UTC)
    enqueue(session, chat_id=person.id, method="sendMessage", params={"text": text}, now=now)


class ManualClock:
    """The limiter's clock: still until the test moves it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_chats_waiting_their_second_do_not_hold_back_the_next_chats(
    engine: Engine, driver: Driver, fake_telegram: FakeTelegramServer
) -> None:
    # 40 chats with a reply of two messages (the second must wait a second: Telegram's per-chat
    # limit), queued before 10 chats with one message each. The sender fetches 32 heads at once.
    # The limiter's clock stands still, so "a second later" is when the test says, not when a
    # busy machine gets there.
    fake_telegram.limits.enabled = False
    pairs, singles = people(fake_telegram, "Dupla", 40), people(fake_telegram, "Única", 10)
    with Session(engine) as session, session.begin():
        for person in pairs:
            queue(session, person, f"1 para {person.first_name}")
            queue(session, person, f"2 para {person.first_name}")
        for person in singles:
            queue(session, person, f"só para {person.first_name}")
    clock = ManualClock()
    limiter = RateLimiter(clock, global_per_second=1000)

    async with running(engine, driver, Lease(), limiter=limiter) as sender:
        await fake_telegram.wait_until(
            lambda: len(fake_telegram.sent_messages()) == 50, timeout=20, what="every first"
        )
        first_round = [m.body for m in fake_telegram.sent_messages()]
        clock.now += 1.0
        sender.wake()
        await fake_telegram.wait_until(
            lambda: len(fake_telegram.sent_messages()) == 90, timeout=20, what="every message"
        )

    assert not any(body.startswith("2 para") for body in first_round), first_round
    assert sum(body.startswith("só para") for body in first_round) == 10
    order = [m.body for m in fake_telegram.sent_messages()]
    for person in pairs:  # each chat still in its own order
        mine = [b for b in order if b.endswith(f"para {person.first_name}")]
        assert mine == [f"1 para {person.first_name}", f"2 para {person.first_name}"]
