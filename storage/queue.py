"""Queue position of `novo` tickets within their offer: priority first, then age."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, func, select, tuple_
from sqlmodel import Session, SQLModel, col
from sqlmodel import select as orm_select

from storage.identity import stored_id
from storage.lifecycle import Status
from storage.tables import OutboxMessage, Ticket, User
from storage.tickets import tickets_of_user

_TICKETS = SQLModel.metadata.tables[str(Ticket.__tablename__)]
_ME = _TICKETS.alias("me")
# Built once (a Core statement on the table): counting the tickets at or before this one reads
# index entries only (ix_tickets_queue), and reads the ticket's current row rather than a
# stale object.
_POSITION = (
    select(func.count())
    .select_from(_TICKETS)
    .join(
        _ME,
        (_TICKETS.c.offer_id == _ME.c.offer_id)
        & (_TICKETS.c.status == Status.NOVO.value)
        & (
            tuple_(_TICKETS.c.priority, _TICKETS.c.created_at, _TICKETS.c.id)
            <= tuple_(_ME.c.priority, _ME.c.created_at, _ME.c.id)
        ),
    )
    .where(_ME.c.id == bindparam("ticket_id"), _ME.c.status == Status.NOVO.value)
)
_QUEUED_IDS = (
    orm_select(col(Ticket.id))
    .where(col(Ticket.offer_id) == bindparam("offer_id"), col(Ticket.status) == Status.NOVO.value)
    .order_by(col(Ticket.priority), col(Ticket.created_at), col(Ticket.id))
)

_USERS = SQLModel.metadata.tables[str(User.__tablename__)]
_OUTBOX = SQLModel.metadata.tables[str(OutboxMessage.__tablename__)]
# The queue in order, with what a position message needs: one statement, no objects loaded.
_QUEUE = (
    select(_TICKETS.c.id, _TICKETS.c.code, _USERS.c.chat_id, _USERS.c.unreachable)
    .select_from(_TICKETS.outerjoin(_USERS, _USERS.c.id == _TICKETS.c.requester_id))
    .where(_TICKETS.c.offer_id == bindparam("offer_id"), _TICKETS.c.status == Status.NOVO.value)
    .order_by(_TICKETS.c.priority, _TICKETS.c.created_at, _TICKETS.c.id)
)
# The offer's tickets out of its queue that still have a message of a kind pending.
_PENDING_OUT_OF_QUEUE = (
    select(_OUTBOX.c.ticket_id)
    .distinct()
    .select_from(_OUTBOX.join(_TICKETS, _TICKETS.c.id == _OUTBOX.c.ticket_id))
    .where(
        _OUTBOX.c.kind == bindparam("kind"),
        _OUTBOX.c.status == "pending",
        _TICKETS.c.offer_id == bindparam("offer_id"),
        _TICKETS.c.status != Status.NOVO.value,
    )
    .order_by(_OUTBOX.c.ticket_id)
)


@dataclass(frozen=True)
class QueuedTicket:
    """A queued ticket, its position, and its requester's chat (None: no one to tell)."""

    id: int
    code: str
    position: int
    chat_id: int | None


def queued_tickets(session: Session, *, offer_id: str) -> list[QueuedTicket]:
    """Every queued ticket of an offer in queue order, with the chat of a reachable requester."""
    # A Core statement does not autoflush: flush as an ORM query would, so pending changes count.
    if session.autoflush:
        session.flush()
    rows = session.connection().execute(_QUEUE, {"offer_id": offer_id}).all()
    return [
        QueuedTicket(ticket_id, code, n, None if chat_id is None or unreachable else chat_id)
        for n, (ticket_id, code, chat_id, unreachable) in enumerate(rows, start=1)
    ]


def pending_out_of_queue(session: Session, *, offer_id: str, kind: str) -> list[int]:
    """Ids of the offer's tickets no longer queued that have a pending outbox message of `kind`."""
    if session.autoflush:
        session.flush()
    params = {"offer_id": offer_id, "kind": kind}
    return [int(t) for t in session.connection().execute(_PENDING_OUT_OF_QUEUE, params).scalars()]


def queue_position(session: Session, *, ticket: Ticket) -> int | None:
    """1 for the next ticket to be taken in its offer; None when the ticket is not queued."""
    ticket_id = stored_id(
        ticket, unsaved="the ticket must be flushed before it has a queue position"
    )
    # A Core statement does not autoflush: flush as the ORM query did, so pending changes count.
    if session.autoflush:
        session.flush()
    position = session.execute(_POSITION, {"ticket_id": ticket_id}).scalar_one()
    return int(position) or None


def queue_positions(session: Session, *, offer_id: str) -> dict[int, int]:
    """Ticket id → queue position for every queued ticket of an offer (ids only, in order)."""
    rows = session.exec(_QUEUED_IDS, params={"offer_id": offer_id}).all()
    ids = [ticket_id for ticket_id in rows if ticket_id is not None]
    return {ticket_id: n for n, ticket_id in enumerate(ids, start=1)}


def queue_fronts_of_user(session: Session, *, user_id: int) -> dict[str, int]:
    """Offer id → the position of the user's first queued ticket there (where others move up
    if the user's tickets leave)."""
    fronts: dict[str, int] = {}
    for ticket in tickets_of_user(session, user_id=user_id, statuses=[Status.NOVO]):
        position = queue_position(session, ticket=ticket)
        if position is not None:
            fronts[ticket.offer_id] = min(position, fronts.get(ticket.offer_id, position))
    return fronts
