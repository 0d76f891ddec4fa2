"""The requester's satisfaction rating of a resolved ticket."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from storage.errors import TicketNotRateable
from storage.history import USER, EventKind, record_event
from storage.lifecycle import RATEABLE_STATUSES
from storage.tables import Rating, Ticket

SCORES = range(1, 6)


def rate_ticket(
    session: Session, *, ticket: Ticket, score: int, comment: str | None = None, now: datetime
) -> Rating:
    """Store the 1–5 score (and optional comment) once, for a resolved or closed ticket."""
    if score not in SCORES:
        raise ValueError(f"a rating is from 1 to 5, got {score}")
    if ticket.id is None or ticket.status not in RATEABLE_STATUSES:
        raise TicketNotRateable(f"ticket {ticket.code} is {ticket.status}, not resolved")
    if session.get(Rating, ticket.id) is not None:
        raise TicketNotRateable(f"ticket {ticket.code} is already rated")
    rating = Rating(ticket_id=ticket.id, score=score, comment=comment or None, created_at=now)
    session.add(rating)
    record_event(session, ticket=ticket, kind=EventKind.RATING, actor=USER, now=now, text=comment)
    return rating


def rating_of(session: Session, *, ticket_id: int) -> Rating | None:
    """The ticket's rating, if the requester gave one."""
    return session.get(Rating, ticket_id)


def comment_rating(
    session: Session, *, ticket: Ticket, comment: str, now: datetime
) -> Rating | None:
    """Add a comment to the ticket's rating (given at the tap); None when it has no rating."""
    rating = session.get(Rating, ticket.id) if ticket.id is not None else None
    if rating is None:
        return None
    rating.comment = comment
    session.add(rating)
    record_event(session, ticket=ticket, kind=EventKind.RATING, actor=USER, now=now, text=comment)
    return rating
