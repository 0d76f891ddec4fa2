"""The Balcão Virtual's live queues: joining, leaving, the call, its end, and the numbers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.errors import StorageError
from storage.queue_tables import AttendanceRating, QueueEntry

# Service times averaged for the estimated wait.
SERVICE_SAMPLE = 10


class EntryStatus(StrEnum):
    """Where a person is: waiting, called (their minute runs), served, or out of the queue."""

    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    MISSED = "missed"
    LEFT = "left"


ACTIVE = (EntryStatus.WAITING.value, EntryStatus.CALLED.value, EntryStatus.SERVING.value)
ATTENDING = (EntryStatus.CALLED.value, EntryStatus.SERVING.value)


class AlreadyQueued(StorageError):
    """The person already holds a place in a queue."""


def active_entry(session: Session, *, user_id: int) -> QueueEntry | None:
    """The person's one active place (waiting, called or in service), if any."""
    query = select(QueueEntry).where(
        col(QueueEntry.user_id) == user_id, col(QueueEntry.status).in_(ACTIVE)
    )
    return session.exec(query).first()


def entry_by_id(session: Session, *, entry_id: int, lock: bool = False) -> QueueEntry | None:
    """A queue entry by id; `lock` holds its row till commit (a confirmation racing the end of
    its minute: one of them sees the other's change)."""
    return session.get(QueueEntry, entry_id, with_for_update=lock, populate_existing=lock)


def join_queue(
    session: Session, *, office_id: str, user_id: int, chat_id: int, now: datetime
) -> QueueEntry:
    """Put the person at the end of the office's queue; AlreadyQueued if they hold a place."""
    entry = QueueEntry(office_id=office_id, user_id=user_id, chat_id=chat_id, joined_at=now)
    try:
        with session.begin_nested():
            session.add(entry)
    except IntegrityError as exc:  # the partial unique index: one active place per person
        raise AlreadyQueued(str(user_id)) from exc
    return entry


def waiting(session: Session, *, office_id: str) -> list[QueueEntry]:
    """The office's waiting entries, first in line first."""
    query = select(QueueEntry).where(
        col(QueueEntry.office_id) == office_id, col(QueueEntry.status) == EntryStatus.WAITING
    )
    return list(session.exec(query.order_by(col(QueueEntry.joined_at), col(QueueEntry.id))).all())


def position(session: Session, *, entry: QueueEntry) -> int | None:
    """1 for the first in line; None when the entry is not waiting."""
    if entry.status != EntryStatus.WAITING:
        return None
    ahead = select(func.count()).where(
        col(QueueEntry.office_id) == entry.office_id,
        col(QueueEntry.status) == EntryStatus.WAITING,
        (col(QueueEntry.joined_at) < entry.joined_at)
        | ((col(QueueEntry.joined_at) == entry.joined_at) & (col(QueueEntry.id) < entry.id)),
    )
    return int(session.exec(ahead).one()) + 1


def first_waiting(session: Session, *, office_id: str, lock: bool = False) -> QueueEntry | None:
    """The first person waiting; locked (skipping rows another attendant holds) to call them."""
    query = (
        select(QueueEntry)
        .where(
            col(QueueEntry.office_id) == office_id,
            col(QueueEntry.status) == EntryStatus.WAITING.value,
        )
        .order_by(col(QueueEntry.joined_at), col(QueueEntry.id))
        .limit(1)
    )
    if lock and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return session.exec(query).first()


def attending(session: Session, *, office_id: str) -> list[QueueEntry]:
    """The office's entries being called or served."""
    query = select(QueueEntry).where(
        col(QueueEntry.office_id) == office_id, col(QueueEntry.status).in_(ATTENDING)
    )
    return list(session.exec(query.order_by(col(QueueEntry.called_at))).all())


def attendance_of(session: Session, *, attendant_telegram_id: int) -> QueueEntry | None:
    """The entry an attendant is calling or serving now, if any."""
    query = select(QueueEntry).where(
        col(QueueEntry.attendant_telegram_id) == attendant_telegram_id,
        col(QueueEntry.status).in_(ATTENDING),
    )
    return session.exec(query.order_by(col(QueueEntry.called_at).desc())).first()


def move(session: Session, *, entry: QueueEntry, to: EntryStatus, now: datetime) -> None:
    """Record the entry's next step (timestamps follow the step)."""
    entry.status = to.value
    if to == EntryStatus.CALLED:
        entry.called_at = now
    elif to == EntryStatus.SERVING:
        entry.confirmed_at = now
    elif to in (EntryStatus.DONE, EntryStatus.MISSED, EntryStatus.LEFT):
        entry.ended_at = now
    session.add(entry)
    session.flush()


def recent_service_seconds(session: Session, *, office_id: str) -> list[float]:
    """How long the office's latest finished attendances took (confirmation to end)."""
    query = (
        select(QueueEntry.confirmed_at, QueueEntry.ended_at)
        .where(
            col(QueueEntry.office_id) == office_id,
            col(QueueEntry.status) == EntryStatus.DONE,
            col(QueueEntry.confirmed_at).is_not(None),
        )
        .order_by(col(QueueEntry.ended_at).desc())
        .limit(SERVICE_SAMPLE)
    )
    return [
        (ended - confirmed).total_seconds()
        for confirmed, ended in session.exec(query).all()
        if confirmed is not None and ended is not None
    ]


def ended_since(session: Session, *, office_id: str, since: datetime) -> dict[str, int]:
    """Attendances ended since `since`, counted by how they ended (done, missed, left)."""
    query = (
        select(QueueEntry.status, func.count())
        .where(col(QueueEntry.office_id) == office_id, col(QueueEntry.ended_at) >= since)
        .group_by(col(QueueEntry.status))
    )
    return {str(status): int(count) for status, count in session.exec(query).all()}


def rating_of(session: Session, *, entry_id: int) -> AttendanceRating | None:
    """The rating given to an attendance, if any."""
    return session.get(AttendanceRating, entry_id)


def rate_attendance(
    session: Session, *, entry: QueueEntry, score: int, comment: str | None, now: datetime
) -> AttendanceRating:
    """Store the person's rating with the office and the attendant."""
    assert entry.id is not None
    rating = AttendanceRating(
        entry_id=entry.id,
        office_id=entry.office_id,
        attendant_telegram_id=entry.attendant_telegram_id,
        attendant_name=entry.attendant_name,
        score=score,
        comment=comment,
        created_at=now,
    )
    session.add(rating)
    session.flush()
    return rating


def entries_for_export(session: Session, *, user_id: int) -> list[dict[str, object]]:
    """The person's Balcão Virtual entries with their ratings, for the LGPD export."""
    entries = session.exec(
        select(QueueEntry).where(col(QueueEntry.user_id) == user_id).order_by(col(QueueEntry.id))
    ).all()
    exported: list[dict[str, object]] = []
    for entry in entries:
        assert entry.id is not None
        rating = rating_of(session, entry_id=entry.id)
        exported.append(
            {
                **entry.model_dump(mode="json", exclude={"id", "user_id"}),
                "rating": None
                if rating is None
                else rating.model_dump(mode="json", include={"score", "comment", "created_at"}),
            }
        )
    return exported
