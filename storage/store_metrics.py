"""What /metrics and /readyz read from the store: counts every worker agrees on."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, text
from sqlmodel import Session, SQLModel

from storage.clock_records import breaches_by_offer
from storage.lifecycle import Status
from storage.outbox import OutboxStatus
from storage.tables import OutboxMessage, Rating, Ticket

_TICKETS = SQLModel.metadata.tables[str(Ticket.__tablename__)]
_OUTBOX = SQLModel.metadata.tables[str(OutboxMessage.__tablename__)]
_RATINGS = SQLModel.metadata.tables[str(Rating.__tablename__)]


@dataclass(frozen=True)
class StoreCounts:
    """Totals kept in the store, so a restart or a second worker never resets them."""

    outbox_pending: int = 0
    opened: dict[str, int] = field(default_factory=dict)
    waiting: dict[str, int] = field(default_factory=dict)
    breaches: dict[str, int] = field(default_factory=dict)
    ratings: dict[int, int] = field(default_factory=dict)


def ping(session: Session) -> None:
    """A round trip to the store; raises when it cannot be reached."""
    session.execute(text("SELECT 1"))


def oldest_due_outbox(session: Session, *, now: datetime) -> datetime | None:
    """When the longest-waiting due outbox call became due (None: nothing due)."""
    query = select(func.min(_OUTBOX.c.not_before)).where(
        _OUTBOX.c.status == OutboxStatus.PENDING.value, _OUTBOX.c.not_before <= now
    )
    value = session.execute(query).scalar()
    return value if isinstance(value, datetime) else None


def store_counts(session: Session) -> StoreCounts:
    """Pending outbox calls, tickets opened and waiting per offer, ratings per score."""
    pending = session.execute(
        select(func.count()).where(_OUTBOX.c.status == OutboxStatus.PENDING.value)
    ).scalar_one()
    by_offer = select(_TICKETS.c.offer_id, func.count()).group_by(_TICKETS.c.offer_id)
    opened = {row[0]: row[1] for row in session.execute(by_offer)}
    novo = by_offer.where(_TICKETS.c.status == Status.NOVO.value)
    waiting = {row[0]: row[1] for row in session.execute(novo)}
    scores = select(_RATINGS.c.score, func.count()).group_by(_RATINGS.c.score)
    ratings = {int(score): int(n) for score, n in session.execute(scores).all()}
    return StoreCounts(
        outbox_pending=int(pending),
        opened={str(k): int(v) for k, v in opened.items()},
        waiting={str(k): int(v) for k, v in waiting.items()},
        breaches=breaches_by_offer(session),
        ratings=ratings,
    )
