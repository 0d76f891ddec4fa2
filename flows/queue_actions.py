"""What the Balcão Virtual flows ask the desk to do with the person's place in a queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class JoinQueue:
    """Put the person at the end of the office's queue (the desk pushes the position)."""

    office_id: str


@dataclass(frozen=True)
class LeaveQueue:
    """Give up the place; those behind move up."""

    entry_id: int


@dataclass(frozen=True)
class ConfirmPresence:
    """ "Estou aqui" within the minute: the attendance starts."""

    entry_id: int


@dataclass(frozen=True)
class NotifyWhenOpen:
    """Tell the person when the office opens (a durable timer at `at`)."""

    office_id: str
    at: datetime


@dataclass(frozen=True)
class RateAttendance:
    """Store the 1-5 rating and optional comment of a finished attendance."""

    entry_id: int
    score: int
    comment: str | None


QueueAction = JoinQueue | LeaveQueue | ConfirmPresence | NotifyWhenOpen | RateAttendance
