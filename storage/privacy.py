"""LGPD rights: export everything stored about a user, and erase their personal data."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlmodel import Session, SQLModel, col, delete, select, update

from storage.history import SYSTEM
from storage.lifecycle import OPEN_STATUSES
from storage.live_queue import entries_for_export
from storage.supervision_tables import KnowledgeGap
from storage.tables import (
    Attachment,
    Conversation,
    InboxUpdate,
    MessageLink,
    Rating,
    Ticket,
    TicketEvent,
    User,
)
from storage.tickets import cancel_ticket, tickets_of_user
from storage.traces import (
    chats_of,
    delete_copies,
    desk_traces,
    forget_calls,
    forget_updates,
    note_erasure,
)

_FILES = ("document", "photo", "audio", "video", "animation", "voice", "video_note", "sticker")


def export_user_data(session: Session, *, user_id: int) -> dict[str, Any]:
    """Everything stored about the user, as JSON-ready data (datetimes in ISO 8601).

    `messages` are their updates the inbox still holds (until erased or purged), cut down to
    what they wrote and sent: the rest of a raw update is Telegram's metadata or the profile
    under `user`. The bot's messages to them are left out: they render the data exported here.
    """
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
        "messages": _stored_messages(session, chats_of(user)),
        # Balcão Virtual attendances (erased with the user: their rows cascade).
        "balcao_virtual": entries_for_export(session, user_id=user_id),
        # Questions of theirs the knowledge base did not answer (the supervisors' gaps report).
        "unanswered_questions": [
            _plain(g, exclude={"id", "user_id"})
            for g in session.exec(
                select(KnowledgeGap)
                .where(col(KnowledgeGap.user_id) == user_id)
                .order_by(col(KnowledgeGap.id))
            )
        ],
    }


def erase_user_data(session: Session, *, user_id: int, now: datetime) -> int:
    """Erase the user's personal data but keep anonymous statistics; returns tickets touched.

    Beyond their rows: the processed updates and the calls that carry their data are blanked
    (pending calls dropped), and the deletion of their tickets' topics and messages in the
    agents' chats is queued. Pending updates are left alone: they are still to be processed,
    the one asking for the erasure among them (the dispatcher marks it done after this turn).
    """
    # What stays: offer, category, status, priority, timestamps, the kinds and statuses of the
    # history, rating scores. Open tickets are cancelled since nobody could answer them now.
    user = session.get(User, user_id)
    if user is None:
        return 0
    tickets = tickets_of_user(session, user_id=user_id)
    ids = [t.id for t in tickets if t.id is not None]
    # Read first: the links and calls that record the agents' copies are about to go.
    traces = desk_traces(session, tickets, chats_of(user))
    for ticket in tickets:
        if ticket.status in OPEN_STATUSES:
            cancel_ticket(session, ticket=ticket, actor=SYSTEM, now=now)
    forget_updates(session, user, traces)
    if ids:
        # Agents' messages and notes quote the user too, so every text goes, not only theirs.
        session.exec(
            update(TicketEvent).where(col(TicketEvent.ticket_id).in_(ids)).values(text=None)
        )
        session.exec(update(Rating).where(col(Rating.ticket_id).in_(ids)).values(comment=None))
        session.exec(delete(Attachment).where(col(Attachment.ticket_id).in_(ids)))
        session.exec(delete(MessageLink).where(col(MessageLink.ticket_id).in_(ids)))
        session.exec(
            update(Ticket).where(col(Ticket.id).in_(ids)).values(fields={}, requester_id=None)
        )
    forget_calls(session, ids, chats_of(user), traces)
    delete_copies(session, traces, now)
    session.exec(delete(Conversation).where(col(Conversation.user_id) == user_id))
    session.exec(delete(KnowledgeGap).where(col(KnowledgeGap.user_id) == user_id))
    session.delete(user)
    session.flush()
    note_erasure(session, user.telegram_user_id)
    return len(ids)


def _stored_messages(session: Session, chats: Collection[int]) -> list[dict[str, Any]]:
    """What the user wrote and sent, as the inbox holds it."""
    query = select(InboxUpdate).where(col(InboxUpdate.chat_id).in_(chats))
    messages: list[dict[str, Any]] = []
    for row in session.exec(query.order_by(col(InboxUpdate.id))):
        for key in ("message", "edited_message"):
            message = row.payload.get(key)
            if not isinstance(message, Mapping):
                continue
            entry: dict[str, Any] = _plain(row, exclude=set(), include={"received_at"})
            if key == "edited_message":
                entry["edited"] = True
            entry.update(
                {k: message[k] for k in ("text", "caption") if isinstance(message.get(k), str)}
            )
            if sent := [_file(kind, message[kind]) for kind in _FILES if message.get(kind)]:
                entry["files"] = sent
            if entry.keys() & {"text", "caption", "files"}:
                messages.append(entry)
    return messages


def _file(kind: str, value: Any) -> dict[str, str]:
    name = value.get("file_name") if isinstance(value, Mapping) else None
    return {"kind": kind, "name": name} if isinstance(name, str) else {"kind": kind}


class _OfTicket(Protocol):
    ticket_id: int


_R = TypeVar("_R", bound=_OfTicket)


def _group(rows: Iterable[_R]) -> defaultdict[int | None, list[_R]]:
    grouped: defaultdict[int | None, list[_R]] = defaultdict(list)
    for row in rows:
        grouped[row.ticket_id].append(row)
    return grouped


def _plain(row: SQLModel, *, exclude: set[str], include: set[str] | None = None) -> dict[str, Any]:
    return row.model_dump(mode="json", exclude=exclude, include=include)


def _role(event: TicketEvent) -> str:
    # "agent:<telegram id>" would hand the agent's own identifier to the user.
    return event.actor.split(":", 1)[0]
