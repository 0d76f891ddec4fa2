"""While it sends, the sender has the GIL handed back to its event loop sooner."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

import storage.tables  # noqa: F401  (registers the tables)
from bot.telegram.driver import Driver
from bot.telegram.sender import SWITCH_INTERVAL
from storage import enqueue
from tests.fake_telegram import FakeTelegramServer
from tests.stores import store_engine

from .senders import Lease, running


@pytest.fixture
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    yield from store_engine("sqlite", request, tmp_path)


async def test_the_switch_interval_is_short_while_sending_and_restored_after(
    engine: Engine, driver: Driver, fake_telegram: FakeTelegramServer
) -> None:
    user = fake_telegram.add_user()
    fake_telegram.chat_of(user).bot_started = True
    with Session(engine) as session, session.begin():
        enqueue(
            session,
            chat_id=user.id,
            method="sendMessage",
            params={"text": "oi"},
            now=datetime.now(UTC),
        )
    before = sys.getswitchinterval()
    assert before > SWITCH_INTERVAL  # Python's default, 5 ms
    async with running(engine, driver, Lease()):
        await fake_telegram.wait_until(lambda: fake_telegram.sent_messages(user), what="the send")
        during = sys.getswitchinterval()
    assert during == pytest.approx(SWITCH_INTERVAL)
    assert sys.getswitchinterval() == before
