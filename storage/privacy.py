"""LGPD rights: export everything stored about a user, and erase their personal data."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlmodel import Session, SQLModel, col, delete, select, update

from storage.history import SYSTEM
from storage.lifecycle import OPEN_STATUSES
from storage.tables import (
    Attachment,
    Conversation,
    MessageLink,
    Rating,
    Ticket,
    TicketEvent,
    User,
)
from storage.tickets import cancel_ticket, tickets_of_user


def export_user_data(session: Session, *, user_id: int) -> dict[str, Any]:
    """Everything stored about the user, as JSON-ready data (datetimes in ISO 8601)."""
    user = session.get(User, user_id)
    if user is None:
        raise LookupError(f"no user with id {user_id}")
    conversations = session.exec(select(Conversation).where(Conversation.user_id == user_id)).all()
    tickets = tickets_of_user(session, user_id=user_id)
    ids = [t.id for t in tickets if t.id is not None]
    events = _group(
        session.exec(
            select(TicketEvent)
            .where(col(TicketEvent.ticket_id).in_(ids))
            .order_by(col(TicketEvent.created_at), col(TicketEvent.id))
        )
    )
    files = _group(
        session.exec(
            select(Attachment)
            .where(col(Attachment.ticket_id).in_(ids))
            .order_by(col(Attachment.id))
        )
    )
    ratings = _group(session.exec(select(Rating).where(col(Rating.ticket_id).in_(ids))))
    return {
        "user": _plain(user, exclude={"id"}),
        "conversations": [_plain(c, exclude={"id", "user_id"}) for c in conversations],
        "tickets": [
            {
                **_plain(ticket, exclude={"id", "requester_id"}),
                # Internal agent notes are the desk's working record, not data the user gave.
                "history": [
                    {**_plain(e, exclude={"id", "ticket_id", "visible_to_user"}), "actor": _role(e)}
                    for e in events[ticket.id]
                    if e.visible_to_user
                ],
                "attachments": [_plain(a, exclude={"id", "ticket_id"}) for a in files[ticket.id]],
                "rating": next(
                    (_plain(r, exclude={"ticket_id"}) for r in ratings[ticket.id]), None
                ),
            }
            for ticket in tickets
        ],
    }


def erase_user_data(session: Session, *, user_id: int, now: datetime) -> int:
    """Erase the user's personal data but keep anonymous statistics; returns tickets touched."""
    # What stays: offer, category, status, priority, timestamps, the kinds and statuses of the
    # history, rating scores. Open tickets are cancelled since nobody could answer them now.
    user = session.get(User, user_id)
    if user is None:
        return 0
    tickets = tickets_of_user(session, user_id=user_id)
    for ticket in tickets:
        if ticket.status in OPEN_STATUSES:
            cancel_ticket(session, ticket=ticket, actor=SYSTEM, now=now)
    ids = [t.id for t in tickets if t.id is not None]
    if ids:
        # Agents' messages and notes quote the user too, so every text goes, not only theirs.
        session.exec(
            update(TicketEvent).where(col(TicketEvent.ticket_id).in_(ids)).values(text=None)
        )
        session.exec(update(Rating).where(col(Rating.ticket_id).in_(ids)).values(comment=None))
        session.exec(delete(Attachment).where(col(Attachment.ticket_id).in_(ids)))
        # Relayed-message links name the user's chat; the agents' copies stay in their group.
        session.exec(delete(MessageLink).where(col(MessageLink.ticket_id).in_(ids)))
        session.exec(
            update(Ticket).where(col(Ticket.id).in_(ids)).values(fields={}, requester_id=None)
        )
    session.exec(delete(Conversation).where(col(Conversation.user_id) == user_id))
    session.delete(user)
    session.flush()
    return len(ids)


class _OfTicket(Protocol):
    ticket_id: int


_R = TypeVar("_R", bound=_OfTicket)


def _group(rows: Iterable[_R]) -> defaultdict[int | None, list[_R]]:
    grouped: defaultdict[int | None, list[_R]] = defaultdict(list)
    for row in rows:
        grouped[row.ticket_id].append(row)
    return grouped


def _plain(row: SQLModel, *, exclude: set[str]) -> dict[str, Any]:
    return row.model_dump(mode="json", exclude=exclude)


def _role(event: TicketEvent) -> str:
    # "agent:<telegram id>" would hand the agent's own identifier to the user.
    return event.actor.split(":", 1)[0]
