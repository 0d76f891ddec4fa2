"""The sent journal: a call Telegram accepted just before a kill -9 is not sent again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

import storage.tables  # noqa: F401  (registers the tables)
from bot.telegram.driver import Driver
from bot.telegram.sender import Job
from bot.telegram.sent_journal import SentJournal, sent_journal
from storage import OutboxMessage, enqueue
from tests.fake_telegram import FakeTelegramServer
from tests.stores import store_engine

from .senders import Lease, running


@pytest.fixture
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    yield from store_engine("sqlite", request, tmp_path)


def queue(engine: Engine, chat_id: int, text: str) -> int:
    with Session(engine) as session, session.begin():
        row = enqueue(
            session,
            chat_id=chat_id,
            method="sendMessage",
            params={"text": text},
            now=datetime.now(UTC),
        )
        return row.id or 0


def row(engine: Engine, outbox_id: int) -> OutboxMessage:
    with Session(engine) as session:
        found = session.get(OutboxMessage, outbox_id)
        assert found is not None
        return found


async def test_a_call_accepted_before_a_kill_is_recorded_not_sent_again(
    engine: Engine, driver: Driver, fake_telegram: FakeTelegramServer
) -> None:
    user = fake_telegram.add_user()
    fake_telegram.chat_of(user).bot_started = True
    accepted = queue(engine, user.id, "já entregue antes do kill")
    later = queue(engine, user.id, "depois do restart")
    # The killed sender got Telegram's answer and wrote it down, but never reached the store.
    journal = sent_journal(engine)
    assert journal is not None
    journal.accepted(accepted, {"message_id": 77, "text": "já entregue antes do kill"})
    journal.close()
    hooked: list[tuple[int, Any]] = []

    def on_sent(session: Session, job: Job, result: Any) -> None:
        hooked.append((job.id, result))

    async with running(engine, driver, Lease(), on_sent=on_sent):
        await fake_telegram.wait_until(
            lambda: fake_telegram.sent_messages(user), timeout=10, what="the next message"
        )

    assert [m.text for m in fake_telegram.sent_messages(user)] == ["depois do restart"]
    first = row(engine, accepted)
    assert (first.status, first.telegram_message_id) == ("sent", 77)
    assert hooked[0] == (accepted, {"message_id": 77})  # the desk's hook saw Telegram's ids
    assert row(engine, later).status == "sent"


async def test_the_journal_keeps_ids_only_and_skips_a_torn_line(tmp_path: Path) -> None:
    journal = SentJournal(tmp_path / "triagem.db.sent-journal")
    journal.accepted(5, {"message_id": 9, "text": "segredo", "message_thread_id": 3})
    journal.accepted(6, True)
    with journal.path.open("a", encoding="utf-8") as torn:
        torn.write('{"id": 7, "res')
    assert "segredo" not in journal.path.read_text(encoding="utf-8")
    assert journal.entries() == [(5, {"message_id": 9, "message_thread_id": 3}), (6, True)]
    journal.clear()
    assert journal.entries() == []
    journal.close()


async def test_recorded_calls_are_not_replayed_and_the_journal_is_emptied(
    engine: Engine, driver: Driver, fake_telegram: FakeTelegramServer
) -> None:
    user = fake_telegram.add_user()
    fake_telegram.chat_of(user).bot_started = True
    first = queue(engine, user.id, "uma vez só")
    async with running(engine, driver, Lease()):
        await fake_telegram.wait_until(
            lambda: row(engine, first).status == "sent", timeout=10, what="the record"
        )
    journal = sent_journal(engine)
    assert journal is not None
    assert [entry for entry, _ in journal.entries()] == [first]

    async with running(engine, driver, Lease()) as sender:
        await sender.replayed.wait()

    assert journal.entries() == []
    assert len(fake_telegram.sent_messages(user)) == 1
