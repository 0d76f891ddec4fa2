"""Resolution clocks in the store: pauses from the history, the due and warning moments, their
durable timers, and what is recorded at resolution.

The arithmetic is flows/resolution_clock.py's; this module reads and writes what it needs.
Warnings and breaches are timers (storage/timers.py) of kinds WARNING and BREACH with the ref
`ticket:<id>`, rescheduled whenever the clock's moments move; `warned_at` and `breached_at` on
the ticket make each fire once even if a timer came twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.lifecycle import OPEN_STATUSES, Status
from storage.tables import Agent, Ticket, TicketEvent
from storage.timers import cancel, schedule

WARNING = "sla_warning"
BREACH = "sla_breach"
_WAITING = Status.AGUARDANDO_USUARIO.value
# The clock stops while the ticket waits for the user, and while it is resolved (a reopened
# ticket's clock resumes where it stopped).
_STOPPED = frozenset({_WAITING, Status.RESOLVIDO.value})


def clock_ref(ticket_id: int) -> str:
    """The timers' ref of a ticket's clock."""
    return f"ticket:{ticket_id}"


def ticket_of_ref(ref: str | None) -> int | None:
    """The ticket id of a clock timer's ref."""
    if ref is None or not ref.startswith("ticket:") or not ref[7:].isdigit():
        return None
    return int(ref[7:])


def waiting_spans(session: Session, *, ticket_id: int) -> list[tuple[datetime, datetime | None]]:
    """When the clock stood still (waiting for the user, resolved): (start, end or None)."""
    query = (
        select(TicketEvent.from_status, TicketEvent.to_status, TicketEvent.created_at)
        .where(col(TicketEvent.ticket_id) == ticket_id, col(TicketEvent.kind) == "status")
        .order_by(col(TicketEvent.created_at), col(TicketEvent.id))
    )
    spans: list[tuple[datetime, datetime | None]] = []
    start: datetime | None = None
    for before, after, at in session.exec(query):
        if after in _STOPPED and start is None:
            start = at
        elif before in _STOPPED and after not in _STOPPED and start is not None:
            spans.append((start, at))
            start = None
    if start is not None:
        spans.append((start, None))
    return spans


def set_clock(
    session: Session,
    *,
    ticket: Ticket,
    due_at: datetime | None,
    warn_at: datetime | None,
    now: datetime,
) -> None:
    """Store the clock's moments and (re)schedule its timers; None: not running (paused)."""
    assert ticket.id is not None
    ref = clock_ref(ticket.id)
    cancel(session, ref=ref, kind=WARNING)
    cancel(session, ref=ref, kind=BREACH)
    if due_at is not None:
        ticket.due_at = due_at
    running = ticket.status in OPEN_STATUSES and ticket.status != _WAITING
    ticket.warn_at = warn_at if running and ticket.warned_at is None else None
    session.add(ticket)
    if not running:
        return
    if ticket.warn_at is not None:
        schedule(session, kind=WARNING, due_at=ticket.warn_at, ref=ref, now=now)
    if due_at is not None and ticket.breached_at is None:
        schedule(session, kind=BREACH, due_at=due_at, ref=ref, now=now)


def mark_warned(session: Session, *, ticket: Ticket, now: datetime) -> None:
    """The warning went out."""
    ticket.warned_at, ticket.warn_at = now, None
    session.add(ticket)


def mark_breached(session: Session, *, ticket: Ticket, now: datetime) -> None:
    """The target passed and the alert went out."""
    ticket.breached_at = now
    session.add(ticket)


def note_first_response(session: Session, *, ticket: Ticket, now: datetime) -> None:
    """An agent answered the requester (only the first answer counts)."""
    if ticket.first_response_at is None:
        ticket.first_response_at = now
        session.add(ticket)


def record_resolution(session: Session, *, ticket: Ticket, now: datetime) -> None:
    """At resolution: whether the target was met, and the first response if none came before."""
    note_first_response(session, ticket=ticket, now=now)
    if ticket.due_at is not None:
        ticket.target_met = ticket.breached_at is None and now <= ticket.due_at
    session.add(ticket)


def supervisors(session: Session) -> list[Agent]:
    """The supervisors, who hear of every warning and breach in their private chat."""
    query = select(Agent).where(col(Agent.role) == "supervisor").order_by(col(Agent.id))
    return list(session.exec(query))


def breaches_by_offer(session: Session) -> dict[str, int]:
    """Tickets that passed their target, per offer (/metrics)."""
    query = (
        select(Ticket.offer_id, func.count())
        .where(col(Ticket.breached_at).is_not(None))
        .group_by(col(Ticket.offer_id))
    )
    return {offer: int(n) for offer, n in session.exec(query)}
