"""A ticket's history: who did what and when, and which entries the user may see."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, col, select

from storage.tables import Ticket, TicketEvent

USER = "user"
SYSTEM = "system"


class EventKind(StrEnum):
    """What a history entry records."""

    STATUS = "status"
    MESSAGE = "message"
    NOTE = "note"
    EDIT = "edit"
    RATING = "rating"


def agent_actor(agent_id: int) -> str:
    """The actor string of an agent, by Telegram user id."""
    return f"agent:{agent_id}"


def add_event(
    session: Session,
    *,
    ticket: Ticket,
    kind: EventKind | str,
    actor: str,
    now: datetime,
    text: str | None = None,
    visible_to_user: bool | None = None,
) -> TicketEvent:
    """Append a message, note, edit or rating entry; notes are internal unless said otherwise."""
    kind = EventKind(kind)
    if kind is EventKind.STATUS:
        raise ValueError("status entries are written by change_status, which checks the lifecycle")
    if visible_to_user is None:
        visible_to_user = kind is not EventKind.NOTE
    return record_event(
        session,
        ticket=ticket,
        kind=kind,
        actor=actor,
        now=now,
        text=text,
        visible_to_user=visible_to_user,
    )


def record_event(
    session: Session,
    *,
    ticket: Ticket,
    kind: EventKind,
    actor: str,
    now: datetime,
    text: str | None = None,
    visible_to_user: bool = True,
    from_status: str | None = None,
    to_status: str | None = None,
) -> TicketEvent:
    """Write a history entry of any kind without checks; the storage layer's own writer."""
    if ticket.id is None:
        raise ValueError("the ticket must be flushed before events can reference it")
    event = TicketEvent(
        ticket_id=ticket.id,
        kind=kind.value,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        text=text,
        visible_to_user=visible_to_user,
        created_at=now,
    )
    ticket.updated_at = now
    session.add(ticket)
    session.add(event)
    session.flush()
    return event


def history(session: Session, *, ticket_id: int, for_user: bool) -> list[TicketEvent]:
    """The ticket's entries, oldest first; for the user, only those meant for them."""
    query = select(TicketEvent).where(TicketEvent.ticket_id == ticket_id)
    if for_user:
        query = query.where(col(TicketEvent.visible_to_user).is_(True))
    query = query.order_by(col(TicketEvent.created_at), col(TicketEvent.id))
    return list(session.exec(query).all())
