"""Opening tickets, moving them through the lifecycle, and finding them again."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from storage.attachments import AttachmentRef, add_attachment
from storage.history import USER, EventKind, record_event
from storage.lifecycle import Status, check_transition
from storage.tables import Ticket, TicketEvent
from storage.ticket_codes import insert_with_unique_code, normalize_code


def due_time(now: datetime, target_hours: float | None) -> datetime | None:
    """When a ticket opened at `now` is due: the target in running (calendar) hours."""
    return None if target_hours is None else now + timedelta(hours=target_hours)


def open_ticket(
    session: Session,
    *,
    offer_id: str,
    code_prefix: str,
    category: str | None,
    priority: int,
    requester_id: int | None,
    fields: Mapping[str, Any],
    attachments: Iterable[AttachmentRef] = (),
    target_hours: float | None,
    now: datetime,
) -> Ticket:
    """Create a `novo` ticket with a fresh code, its attachments and its first history entry."""
    if priority < 1:
        raise ValueError(f"priority must be 1 (most urgent) or more, got {priority}")
    ticket = Ticket(
        code="",
        offer_id=offer_id,
        category=category,
        status=Status.NOVO.value,
        priority=priority,
        requester_id=requester_id,
        fields=dict(fields),
        created_at=now,
        updated_at=now,
        due_at=due_time(now, target_hours),
    )
    insert_with_unique_code(session, ticket, prefix=code_prefix)
    for attachment in attachments:
        add_attachment(session, ticket=ticket, attachment=attachment, now=now)
    record_event(
        session,
        ticket=ticket,
        kind=EventKind.STATUS,
        actor=USER,
        now=now,
        to_status=Status.NOVO.value,
    )
    return ticket


def change_status(
    session: Session,
    *,
    ticket: Ticket,
    to: Status | str,
    actor: str,
    now: datetime,
    text: str | None = None,
) -> TicketEvent:
    """Move the ticket to `to` if the lifecycle allows it, recording who did it and why."""
    # Re-read under a row lock so two agents acting at once cannot both move the same ticket;
    # flushing first keeps the caller's own pending edits from being overwritten.
    session.flush()
    session.refresh(ticket, with_for_update=True)
    old = ticket.status
    new = check_transition(old, to)
    if new is Status.RESOLVIDO:
        ticket.resolved_at = now
    elif new in (Status.FECHADO, Status.CANCELADO):
        ticket.closed_at = now
    elif new is Status.EM_ATENDIMENTO and old == Status.RESOLVIDO:
        ticket.resolved_at = None
    ticket.status = new.value
    return record_event(
        session,
        ticket=ticket,
        kind=EventKind.STATUS,
        actor=actor,
        now=now,
        text=text,
        from_status=old,
        to_status=new.value,
    )


def cancel_ticket(
    session: Session, *, ticket: Ticket, actor: str, now: datetime, text: str | None = None
) -> TicketEvent:
    """Withdraw an open ticket (status `cancelado`)."""
    return change_status(
        session, ticket=ticket, to=Status.CANCELADO, actor=actor, now=now, text=text
    )


def ticket_by_code(session: Session, *, code: str) -> Ticket | None:
    """The ticket with this code, however the user typed it; None if there is none."""
    canonical = normalize_code(code)
    if canonical is None:
        return None
    return session.exec(select(Ticket).where(Ticket.code == canonical)).first()


def tickets_of_user(
    session: Session, *, user_id: int, statuses: Collection[str] | None = None
) -> list[Ticket]:
    """The user's tickets, newest first, optionally only those in `statuses`."""
    query = select(Ticket).where(Ticket.requester_id == user_id)
    if statuses is not None:
        query = query.where(col(Ticket.status).in_([str(s) for s in statuses]))
    query = query.order_by(col(Ticket.created_at).desc(), col(Ticket.id).desc())
    return list(session.exec(query).all())
