"""The harness's turn boundary: a turn committed while the test looks is never taken as over.

A turn waits until its update is done and the chat has nothing due left to send. The bot commits
the update's replies with `not_before` = its clock at that moment, so a `now` read before the
commit would make them look scheduled for later: the test saw the update done, nothing due, and
took an empty turn (seen once in CI on PostgreSQL, where a read does not wait for the writer).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from storage import InboxUpdate, OutboxMessage, enqueue, finish_update, mark_sent, record_update
from tests.fake_telegram import FakeTelegramServer
from tests.stores import store_engine

from .harness import BotView

CHAT = 42
UPDATE = 100_000_001
T0 = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    yield from store_engine(request.param, request, tmp_path)


def test_a_turn_committed_while_the_clock_is_read_is_still_busy(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        record_update(session, update_id=UPDATE, chat_id=CHAT, payload={}, now=T0)

    reads: list[datetime] = []

    def bot_commits_meanwhile() -> datetime:
        """The test's clock; the first read races the bot's commit of the turn."""
        now = T0 + timedelta(seconds=len(reads))
        if not reads:
            with Session(engine) as session, session.begin():
                update = session.exec(select(InboxUpdate)).one()
                reply = {"text": "Qual é o órgão?"}
                later = now + timedelta(milliseconds=5)
                enqueue(session, chat_id=CHAT, method="sendMessage", params=reply, now=later)
                finish_update(session, update=update, now=later)
        reads.append(now)
        return now

    view = BotView(FakeTelegramServer(), engine, bot_commits_meanwhile)

    # Whenever the clock is read, the reply is committed by then: it is due, so still busy.
    assert view._busy(CHAT, UPDATE)
    if not reads:  # the harness looked before the clock: the bot commits now
        bot_commits_meanwhile()
    assert view._busy(CHAT, UPDATE), "the reply is due and not sent yet"

    with Session(engine) as session, session.begin():
        reply = session.exec(select(OutboxMessage)).one()
        mark_sent(session, message=reply, telegram_message_id=1, now=T0 + timedelta(seconds=2))
    assert not view._busy(CHAT, UPDATE), "sent: the turn is over"
