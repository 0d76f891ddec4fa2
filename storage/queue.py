"""Queue position of `novo` tickets within their offer: priority first, then age."""

from __future__ import annotations

from sqlalchemy import func, inspect, tuple_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.lifecycle import Status
from storage.tables import Ticket


def queue_position(session: Session, *, ticket: Ticket) -> int | None:
    """1 for the next ticket to be taken in its offer; None when the ticket is not queued."""
    ticket_id = _ticket_id(ticket)
    me = aliased(Ticket, name="me")
    # Counting the tickets at or before this one reads index entries only
    # (ix_tickets_queue), and reads the ticket's current row rather than a stale object.
    query = (
        select(func.count())
        .select_from(Ticket)
        .join(
            me,
            (col(Ticket.offer_id) == col(me.offer_id))
            & (col(Ticket.status) == Status.NOVO.value)
            & (
                tuple_(col(Ticket.priority), col(Ticket.created_at), col(Ticket.id))
                <= tuple_(col(me.priority), col(me.created_at), col(me.id))
            ),
        )
        .where(col(me.id) == ticket_id, col(me.status) == Status.NOVO.value)
    )
    position = session.exec(query).one()
    return position or None


def queue_positions(session: Session, *, offer_id: str) -> dict[int, int]:
    """Ticket id → queue position for every queued ticket of an offer (ids only, in order)."""
    query = (
        select(col(Ticket.id))
        .where(col(Ticket.offer_id) == offer_id, col(Ticket.status) == Status.NOVO.value)
        .order_by(col(Ticket.priority), col(Ticket.created_at), col(Ticket.id))
    )
    ids = [ticket_id for ticket_id in session.exec(query).all() if ticket_id is not None]
    return {ticket_id: n for n, ticket_id in enumerate(ids, start=1)}


def _ticket_id(ticket: Ticket) -> int:
    # The identity survives commit-time expiry, so reading it costs no query.
    state = inspect(ticket)
    if state.identity is not None:
        return int(state.identity[0])
    if ticket.id is None:
        raise ValueError("the ticket must be flushed before it has a queue position")
    return ticket.id
