"""Tables of the scheduler and the Balcão Virtual: durable timers, the live queue of each office,
and the ratings of finished attendances."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Index, Text, text
from sqlmodel import Field, SQLModel

from storage.column_types import UTCDateTime

# A queue entry in one of these holds the person's one place (waiting, called or in service).
ACTIVE_ENTRY = "status IN ('waiting', 'called', 'serving')"


class Timer(SQLModel, table=True):
    """Work due at a time: fired once by whichever worker claims it (storage/timers.py)."""

    __tablename__ = "timers"
    __table_args__ = (
        # Serves the claim: the pending timers, soonest first.
        Index("ix_timers_due", "status", "due_at", "id"),
        Index("ix_timers_ref", "ref", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    # What the timer is about ("entry:12", "ticket:5"), so it can be cancelled by reference.
    ref: str | None = Field(default=None, max_length=128)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    due_at: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    created_at: datetime = Field(sa_type=UTCDateTime)
    fired_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = Field(default=None, max_length=500)


class QueueEntry(SQLModel, table=True):
    """One person's place in an office's live queue, from joining to the end of the attendance."""

    __tablename__ = "queue_entries"
    __table_args__ = (
        Index("ix_queue_entries_line", "office_id", "status", "joined_at", "id"),
        Index("ix_queue_entries_ended", "office_id", "ended_at"),
        # One place at a time per person, across every office.
        Index(
            "uq_queue_entries_active_user",
            "user_id",
            unique=True,
            sqlite_where=text(ACTIVE_ENTRY),
            postgresql_where=text(ACTIVE_ENTRY),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    office_id: str = Field(max_length=64)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    chat_id: int = Field(sa_type=BigInteger)
    # waiting → called → serving → done; called → missed; waiting/called → left.
    status: str = Field(default="waiting", max_length=16)
    joined_at: datetime = Field(sa_type=UTCDateTime)
    called_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Who called the person (Telegram id and name kept: the entry outlives the registration).
    attendant_telegram_id: int | None = Field(default=None, sa_type=BigInteger)
    attendant_name: str | None = Field(default=None, max_length=128)
    meeting_url: str | None = Field(default=None, max_length=512)


class AttendanceRating(SQLModel, table=True):
    """The 1-5 rating of one finished attendance, with its office and attendant."""

    __tablename__ = "attendance_ratings"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="score"),)

    entry_id: int = Field(primary_key=True, foreign_key="queue_entries.id", ondelete="CASCADE")
    office_id: str = Field(max_length=64)
    attendant_telegram_id: int | None = Field(default=None, sa_type=BigInteger)
    attendant_name: str | None = Field(default=None, max_length=128)
    score: int
    comment: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(sa_type=UTCDateTime)
