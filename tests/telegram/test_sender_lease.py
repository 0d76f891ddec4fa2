"""The sender and its lease: it sends only while holding it, and at once when it is free.

The lease here is a stand-in the test opens and closes; storage/sender_lease.py's real leases
are tested in tests/storage, and two senders on one store in tests/e2e/test_workers.py.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel

import storage.tables  # noqa: F401  (registers the tables)
from bot.telegram.driver import Driver
from bot.telegram.sender import Sender
from storage import enqueue, make_engine
from tests.fake_telegram import FakeTelegramServer, FakeUser

from .senders import Lease, running


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A store with every table, on a SQLite file."""
    made = make_engine(f"sqlite:///{tmp_path / 'triagem.db'}")
    SQLModel.metadata.create_all(made)
    yield made
    made.dispose()


@pytest.fixture
def person(fake_telegram: FakeTelegramServer) -> FakeUser:
    """A user who started the bot."""
    user = fake_telegram.add_user("Ana")
    fake_telegram.chat_of(user).bot_started = True
    return user


def queue(engine: Engine, sender: Sender, person: FakeUser, text: str) -> None:
    with Session(engine) as session, session.begin():
        enqueue(
            session,
            chat_id=person.id,
            method="sendMessage",
            params={"text": text},
            now=datetime.now(UTC),
        )
    sender.wake()


def texts(server: FakeTelegramServer) -> list[str]:
    return [m.body for m in server.sent_messages()]


async def test_a_lone_sender_sends_at_once(
    engine: Engine, driver: Driver, fake_telegram: FakeTelegramServer, person: FakeUser
) -> None:
    lease = Lease()
    started = time.monotonic()
    # Long lease timings: any wait for the lease would show.
    async with running(engine, driver, lease, lease_retry=30, lease_check=30) as sender:
        queue(engine, sender, person, "Olá")
        await fake_telegram.wait_until(lambda: texts(fake_telegram) == ["Olá"], timeout=20)
    assert time.monotonic() - started < 20  # a wait for the lease would take 30 s
    assert lease.acquired == 1


async def test_a_sender_waits_while_another_holds_the_lease(
    engine: Engine,
    driver: Driver,
    fake_telegram: FakeTelegramServer,
    person: FakeUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bot.telegram.sender")
    lease = Lease(free=False)
    async with running(engine, driver, lease, lease_retry=0.05, lease_check=0.05) as sender:
        queue(engine, sender, person, "Olá")
        await asyncio.sleep(0.5)
        assert texts(fake_telegram) == []
        lease.free = True  # the other process stopped
        await fake_telegram.wait_until(lambda: texts(fake_telegram) == ["Olá"], timeout=5)
    said = [r.getMessage() for r in caplog.records if r.name == "bot.telegram.sender"]
    assert said == [
        "another process's outbox sender holds the test's lease; this one waits to take over",
        "this process is now the outbox sender (the test's lease)",
    ]


async def test_the_holder_stops_sending_when_it_loses_the_lease(
    engine: Engine,
    driver: Driver,
    fake_telegram: FakeTelegramServer,
    person: FakeUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    lease = Lease()
    async with running(engine, driver, lease, lease_retry=0.05, lease_check=0.05) as sender:
        queue(engine, sender, person, "Primeira")
        await fake_telegram.wait_until(lambda: texts(fake_telegram) == ["Primeira"], timeout=5)
        lease.lose()
        await fake_telegram.wait_until(
            lambda: "outbox sender lost the test's lease; stopped sending" in caplog.text,
            timeout=5,
            what="the sender to notice",
        )
        queue(engine, sender, person, "Segunda")
        await asyncio.sleep(0.5)
        assert texts(fake_telegram) == ["Primeira"]
        lease.free = True  # the other holder went away: take over again
        await fake_telegram.wait_until(
            lambda: texts(fake_telegram) == ["Primeira", "Segunda"], timeout=5
        )
    assert lease.acquired == 2
