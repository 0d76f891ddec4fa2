"""Opening tickets, moving them through the lifecycle, and finding them again."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, bindparam
from sqlalchemy import select as core_select
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session, SQLModel, col, select

from storage.attachments import AttachmentRef, add_attachment
from storage.errors import CodeSpaceExhausted
from storage.history import USER, EventKind, record_event
from storage.lifecycle import OPEN_STATUSES, Status, check_transition
from storage.tables import Ticket, TicketEvent
from storage.ticket_codes import MAX_ATTEMPTS, new_code, normalize_code
from storage.upserts import insert_unless_taken

# Built once, run with parameters (see docs/benchmarks.md, "## Flows").
_TICKETS = SQLModel.metadata.tables[str(Ticket.__tablename__)]
_TICKET_COLUMNS = tuple(column.key for column in _TICKETS.c if column.key != "id")
_INSERT_EVENT = SQLModel.metadata.tables[str(TicketEvent.__tablename__)].insert()
_BY_CODE = select(Ticket).where(col(Ticket.code) == bindparam("code"))
_NEWEST_FIRST = (col(Ticket.created_at).desc(), col(Ticket.id).desc())
_OF_USER = (
    select(Ticket).where(col(Ticket.requester_id) == bindparam("user_id")).order_by(*_NEWEST_FIRST)
)
_OF_USER_IN = (
    select(Ticket)
    .where(
        col(Ticket.requester_id) == bindparam("user_id"),
        col(Ticket.status).in_(bindparam("statuses", expanding=True)),
    )
    .order_by(*_NEWEST_FIRST)
)

# Asked on every message a user sends from idle (flows/ticket_messages.py): one narrow Core
# query, no ORM objects. The columns are those of a ticket view.
_IN_ATTENDANCE = (
    core_select(
        _TICKETS.c.code,
        _TICKETS.c.offer_id,
        _TICKETS.c.category,
        _TICKETS.c.status,
        _TICKETS.c.created_at,
        _TICKETS.c.due_at,
    )
    .where(
        _TICKETS.c.requester_id == bindparam("user_id"),
        _TICKETS.c.assigned_agent_id.is_not(None),
        _TICKETS.c.status.in_(sorted(OPEN_STATUSES)),
    )
    .order_by(_TICKETS.c.created_at.desc(), _TICKETS.c.id.desc())
)
_LOCK = core_select(_TICKETS.c.id).where(_TICKETS.c.id == bindparam("ticket_id")).with_for_update()


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
    # What ticket_codes.insert_with_unique_code and history.record_event do, in two Core
    # INSERTs instead of two ORM flushes and a savepoint: a code already taken inserts nothing
    # (ON CONFLICT DO NOTHING), so the transaction stays usable without a savepoint. Pending
    # changes are flushed first, as those functions did.
    session.flush()
    for _ in range(MAX_ATTEMPTS):
        ticket.code = new_code(code_prefix)
        values = {key: getattr(ticket, key) for key in _TICKET_COLUMNS}
        ticket_id = insert_unless_taken(session, Ticket, values, keys=("code",), returning="id")
        if ticket_id is not None:
            break
    else:
        raise CodeSpaceExhausted(
            f"no free ticket code for prefix {code_prefix!r} in {MAX_ATTEMPTS} tries"
        )
    # The row is stored: the object joins the session as if a flush had written it.
    ticket.id = int(ticket_id)
    make_transient_to_detached(ticket)
    session.add(ticket)
    for attachment in attachments:
        add_attachment(session, ticket=ticket, attachment=attachment, now=now)
    # The first history entry; the ticket's updated_at is already `now`.
    event = {
        "ticket_id": ticket.id,
        "kind": EventKind.STATUS.value,
        "actor": USER,
        "from_status": None,
        "to_status": Status.NOVO.value,
        "text": None,
        "visible_to_user": True,
        "created_at": now,
    }
    session.connection().execute(_INSERT_EVENT, event)
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


def lock_ticket(session: Session, *, ticket_id: int) -> None:
    """Hold the ticket's row lock until the transaction ends: others taking it wait till then.

    On SQLite every transaction holds the store's write lock from BEGIN already: nothing to do.
    """
    if session.get_bind().dialect.name != "sqlite":
        session.connection().execute(_LOCK, {"ticket_id": ticket_id})


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
    return session.exec(_BY_CODE, params={"code": canonical}).first()


def tickets_of_user(
    session: Session, *, user_id: int, statuses: Collection[str] | None = None
) -> list[Ticket]:
    """The user's tickets, newest first, optionally only those in `statuses`."""
    if statuses is None:
        return list(session.exec(_OF_USER, params={"user_id": user_id}).all())
    params = {"user_id": user_id, "statuses": [str(s) for s in statuses]}
    return list(session.exec(_OF_USER_IN, params=params).all())


def tickets_in_attendance(
    session: Session, *, user_id: int
) -> Sequence[Row[Any, Any, Any, Any, Any, Any]]:
    """The user's open tickets an agent has taken, newest first: code, offer_id, category,
    status, created_at and due_at of each."""
    return session.connection().execute(_IN_ATTENDANCE, {"user_id": user_id}).all()
