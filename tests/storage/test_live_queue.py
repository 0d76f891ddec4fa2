"""The Balcão Virtual's store: one place per person, positions, service times, export, erasure;
and the live messages edited in place (one pending per key, at most one per interval)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from storage.live_messages import drop_live_message, put_live_message
from storage.live_queue import (
    AlreadyQueued,
    EntryStatus,
    active_entry,
    join_queue,
    move,
    position,
    rate_attendance,
    recent_service_seconds,
    waiting,
)
from storage.outbox import mark_sent
from storage.privacy import erase_user_data, export_user_data
from storage.queue_tables import AttendanceRating, QueueEntry
from storage.tables import OutboxMessage
from storage.users import get_or_create_user
from tests.storage.conftest import NOW


def _user(session: Session, n: int) -> int:
    user = get_or_create_user(
        session, telegram_user_id=1000 + n, chat_id=1000 + n, name=f"P{n}", username=None, now=NOW
    )
    assert user.id is not None
    return user.id


def test_one_place_per_person_positions_and_service_times(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        ids = [_user(session, n) for n in range(3)]
        entries = [
            join_queue(session, office_id="x", user_id=u, chat_id=u, now=NOW + timedelta(seconds=i))
            for i, u in enumerate(ids)
        ]
        with pytest.raises(AlreadyQueued):
            join_queue(session, office_id="y", user_id=ids[0], chat_id=1, now=NOW)
        assert [position(session, entry=e) for e in entries] == [1, 2, 3]
        move(session, entry=entries[0], to=EntryStatus.CALLED, now=NOW)
        assert position(session, entry=entries[2]) == 2
        move(session, entry=entries[0], to=EntryStatus.SERVING, now=NOW)
        move(session, entry=entries[0], to=EntryStatus.DONE, now=NOW + timedelta(minutes=8))
        assert recent_service_seconds(session, office_id="x") == [480.0]
        assert active_entry(session, user_id=ids[0]) is None
        later = NOW + timedelta(minutes=9)
        again = join_queue(session, office_id="x", user_id=ids[0], chat_id=1, now=later)
        assert [e.id for e in waiting(session, office_id="x")] == [
            entries[1].id,
            entries[2].id,
            again.id,
        ]


def test_the_export_holds_the_attendances_and_erasure_removes_them(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        user_id = _user(session, 1)
        entry = join_queue(session, office_id="x", user_id=user_id, chat_id=1, now=NOW)
        entry.attendant_name = "Ana"
        move(session, entry=entry, to=EntryStatus.DONE, now=NOW)
        rate_attendance(session, entry=entry, score=5, comment="ótimo", now=NOW)
    with Session(engine) as session:
        [exported] = export_user_data(session, user_id=user_id)["balcao_virtual"]
        assert exported["office_id"] == "x" and exported["attendant_name"] == "Ana"
        assert exported["rating"]["score"] == 5 and exported["rating"]["comment"] == "ótimo"
    with Session(engine) as session, session.begin():
        erase_user_data(session, user_id=user_id, now=NOW)
    with Session(engine) as session:
        assert session.exec(select(QueueEntry)).all() == []
        assert session.exec(select(AttendanceRating)).all() == []


def test_a_live_message_is_sent_once_then_edited_coalesced_and_paced(engine: Engine) -> None:
    every = timedelta(seconds=15)

    def put(session: Session, text: str, at: timedelta) -> int | None:
        return put_live_message(
            session,
            chat_id=7,
            key="qpos:1",
            kind="queue_pos",
            params={"text": text},
            now=NOW + at,
            min_interval=every,
        )

    with Session(engine) as session, session.begin():
        first = put(session, "3º", timedelta())
        assert put(session, "2º", timedelta(seconds=1)) == first  # still pending: rewritten
        message = session.get(OutboxMessage, first)
        assert message is not None and message.params == {"text": "2º"}
        mark_sent(session, message=message, telegram_message_id=99, now=NOW + timedelta(seconds=2))
    with Session(engine) as session, session.begin():
        assert put(session, "2º", timedelta(seconds=3)) is None  # the chat shows it already
        edit_id = put(session, "1º", timedelta(seconds=4))
        assert edit_id is not None and edit_id != first
        edit = session.get(OutboxMessage, edit_id)
        assert edit is not None and edit.method == "editMessageText"
        assert edit.params == {"text": "1º", "message_id": 99}
        assert edit.not_before == NOW + timedelta(seconds=17)  # 15 s after the last one sent
        assert drop_live_message(session, key="qpos:1", reason="called") == 1
