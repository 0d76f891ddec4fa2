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
from tests.stores import postgres_server, store_engine

from .senders import Lease, running

__all__ = ["postgres_server"]  # the fixture, for the PostgreSQL cases


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    yield from store_engine(request.param, request, tmp_path)


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
    # Stopped with everything recorded: nothing left for a store re-created later to meet.
    assert journal.entries() == []
    sent_as = row(engine, first).telegram_message_id
    # Killed after the record but before the journal was emptied: the line is still there.
    journal.accepted(first, {"message_id": 999_999})
    journal.close()

    async with running(engine, driver, Lease()) as sender:
        await sender.replayed.wait()

    assert journal.entries() == []
    assert row(engine, first).telegram_message_id == sent_as  # a sent row is left as it was
    assert len(fake_telegram.sent_messages(user)) == 1


async def test_a_postgresql_stores_journal_is_in_the_data_directory_one_file_per_store(
    tmp_path: Path,
) -> None:
    from sqlalchemy import create_engine

    def journal_of(url: str) -> Path:
        made = sent_journal(create_engine(url), tmp_path)
        assert made is not None
        return made.path

    one = journal_of("postgresql+psycopg://bot:segredo@db.example:5432/triagem")
    same = journal_of("postgresql+psycopg://bot:outro@db.example:5432/triagem")
    other = journal_of("postgresql+psycopg://bot@db.example:5432/triagem?options=-csearch_path%3Dx")
    assert one.parent == tmp_path and one.name.startswith("triagem-")
    assert one.name.endswith(".sent-journal") and "segredo" not in one.name
    assert one == same != other  # the password is no part of the store's identity
