"""LGPD rights: export everything stored about a user, and erase their personal data."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlmodel import Session, SQLModel, col, delete, or_, select, update

from storage.history import SYSTEM
from storage.inbox import InboxStatus
from storage.lifecycle import OPEN_STATUSES
from storage.outbox import OutboxStatus, enqueue
from storage.tables import (
    Attachment,
    Conversation,
    InboxUpdate,
    MessageLink,
    OutboxMessage,
    Rating,
    Ticket,
    TicketEvent,
    User,
)
from storage.tickets import cancel_ticket, tickets_of_user

# Outbox kind of the calls that delete the user's traces in the agents' chats: no desk hook acts
# on it, so a deletion Telegram refuses (already deleted, too old) is given up at once.
ERASURE = "erasure"
_PROCESSED = (InboxStatus.DONE.value, InboxStatus.FAILED.value)
_FILES = ("document", "photo", "audio", "video", "animation", "voice", "video_note", "sticker")


def erased() -> dict[str, Any]:
    """What an erased update keeps of its payload, and an erased call of its params."""
    return {"erased": True}


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
        "messages": _stored_messages(session, _chats_of(user)),
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
    traces = _desk_traces(session, tickets, _chats_of(user))
    for ticket in tickets:
        if ticket.status in OPEN_STATUSES:
            cancel_ticket(session, ticket=ticket, actor=SYSTEM, now=now)
    _forget_updates(session, user, traces)
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
    _forget_calls(session, ids, _chats_of(user), traces)
    _delete_copies(session, traces, now)
    session.exec(delete(Conversation).where(col(Conversation.user_id) == user_id))
    session.delete(user)
    session.flush()
    return len(ids)


@dataclass
class _Traces:
    """What the user's tickets left in the agents' chats."""

    codes: set[str] = field(default_factory=set)
    # Per agents' chat: ids of the tickets' messages and threads there (card, copies, topic).
    related: defaultdict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    # chat → (thread, ticket) of each ticket's current forum topic.
    topics: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    # (chat, message) → ticket of the bot's messages to delete one by one.
    messages: dict[tuple[int, int], int | None] = field(default_factory=dict)
    # Sent calls of no ticket or another one (a search's results) that name one of them.
    quoting: list[int] = field(default_factory=list)


def _desk_traces(session: Session, tickets: Sequence[Ticket], chats: Collection[int]) -> _Traces:
    traces = _Traces()
    in_topic: set[tuple[int, int | None]] = set()
    for ticket in tickets:
        traces.codes.add(ticket.code)
        if (chat := ticket.agent_chat_id) is None:
            continue
        places = (ticket.topic_thread_id, ticket.card_message_id)
        traces.related[chat].update(i for i in places if i is not None)
        if ticket.topic_thread_id is not None:
            traces.topics.setdefault(chat, []).append((ticket.topic_thread_id, ticket.id or 0))
            # Deleting the topic deletes the ticket's messages in it.
            in_topic.add((chat, ticket.id))
        elif ticket.card_message_id is not None:
            traces.messages[(chat, ticket.card_message_id)] = ticket.id
    ids = [t.id for t in tickets]
    for link in session.exec(select(MessageLink).where(col(MessageLink.ticket_id).in_(ids))):
        if link.agent_message_id is None:
            continue
        traces.related[link.agent_chat_id].add(link.agent_message_id)
        # An agent's own message ("out") is theirs; only the bot's copies ("in") are deleted.
        if link.direction == "in" and (link.agent_chat_id, link.ticket_id) not in in_topic:
            traces.messages[(link.agent_chat_id, link.agent_message_id)] = link.ticket_id
    sent = col(OutboxMessage.status) == OutboxStatus.SENT.value
    own = select(OutboxMessage).where(
        col(OutboxMessage.ticket_id).in_(ids), col(OutboxMessage.chat_id).not_in(chats)
    )
    for row in session.exec(own):
        traces.related.setdefault(row.chat_id, set())  # the ticket reached this chat
        if row.status == OutboxStatus.SENT.value and row.telegram_message_id is not None:
            traces.related[row.chat_id].add(row.telegram_message_id)
            if (row.chat_id, row.ticket_id) not in in_topic:
                traces.messages[(row.chat_id, row.telegram_message_id)] = row.ticket_id
    others = select(OutboxMessage).where(
        col(OutboxMessage.chat_id).in_(list(traces.related)),
        sent,
        or_(col(OutboxMessage.ticket_id).is_(None), col(OutboxMessage.ticket_id).not_in(ids)),
    )
    for row in session.exec(others):
        if row.id is not None and _names_any(row.params, traces.codes):
            traces.quoting.append(row.id)
            if row.telegram_message_id is not None:
                traces.messages.setdefault((row.chat_id, row.telegram_message_id), None)
    return traces


def _forget_updates(session: Session, user: User, traces: _Traces) -> None:
    """Blank the user's processed updates, and the agents' ones about their tickets."""
    processed = col(InboxUpdate.status).in_(_PROCESSED)
    theirs = select(InboxUpdate.id).where(processed, col(InboxUpdate.chat_id).in_(_chats_of(user)))
    blank = list(session.exec(theirs).all())
    # Updates without a chat (inline queries, poll answers) name who sent them.
    chatless = select(InboxUpdate).where(processed, col(InboxUpdate.chat_id).is_(None))
    blank += [r.id for r in session.exec(chatless) if _sender(r.payload) == user.telegram_user_id]
    agents = select(InboxUpdate).where(
        processed, col(InboxUpdate.chat_id).in_(list(traces.related))
    )
    blank += [
        row.id
        for row in session.exec(agents)
        if _touches(row.payload, traces.related[row.chat_id or 0], traces.codes)
    ]
    if blank:
        rows = update(InboxUpdate).where(col(InboxUpdate.id).in_(blank))
        session.exec(rows.values(payload=erased()))


def _forget_calls(
    session: Session, ids: Collection[int | None], chats: Collection[int], traces: _Traces
) -> None:
    """Blank every call to the user's chat, of their tickets, or quoting them; drop the pending
    ones among them."""
    # Blanked and dropped, not deleted: a sender with a call in flight still finds its row to
    # record the outcome in; and SQLite would give a deleted newest row's id to the next call
    # queued (this turn's confirmation), which that sender would then mark sent unsent.
    theirs = or_(
        col(OutboxMessage.chat_id).in_(chats),
        col(OutboxMessage.ticket_id).in_(ids),
        col(OutboxMessage.id).in_(traces.quoting),
    )
    pending = col(OutboxMessage.status) == OutboxStatus.PENDING.value
    dropped = {"status": OutboxStatus.DROPPED.value, "error": "the user's data was erased"}
    session.exec(update(OutboxMessage).where(theirs, pending).values(**dropped))
    session.exec(update(OutboxMessage).where(theirs).values(params=erased()))


def _delete_copies(session: Session, traces: _Traces, now: datetime) -> None:
    """Queue the deletion of the tickets' topics, and of the bot's messages outside them."""
    calls: list[tuple[int, str, dict[str, int], int | None]] = [
        (chat, "deleteForumTopic", {"message_thread_id": thread}, ticket)
        for chat, topics in sorted(traces.topics.items())
        for thread, ticket in sorted(topics)
    ]
    calls += [
        (chat, "deleteMessage", {"message_id": message}, ticket)
        for (chat, message), ticket in sorted(traces.messages.items())
    ]
    for chat, method, params, ticket in calls:
        enqueue(
            session,
            chat_id=chat,
            method=method,
            params=params,
            now=now,
            kind=ERASURE,
            ticket_id=ticket,
        )


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


def _chats_of(user: User) -> list[int]:
    # A private chat's id is the user's id; the row keeps both, so both are looked for.
    return sorted({user.chat_id, user.telegram_user_id})


def _sender(payload: Mapping[str, Any]) -> int | None:
    for value in payload.values():
        person = value.get("from") or value.get("user") if isinstance(value, Mapping) else None
        if isinstance(person, Mapping) and isinstance(person.get("id"), int):
            return int(person["id"])
    return None


def _touches(payload: Mapping[str, Any], related: Collection[int], codes: Iterable[str]) -> bool:
    """An agents' chat update in the tickets' threads, on or replying to their messages (a
    button on the card, a reply to a copy), or naming one of them."""
    for message in _messages(payload):
        if message.get("message_id") in related or message.get("message_thread_id") in related:
            return True
    return _names_any(payload, codes)


def _messages(value: Any) -> Iterator[Mapping[str, Any]]:
    """Every message object in an update: its own, the one it replies to, a button's."""
    if isinstance(value, Mapping):
        if "message_id" in value:
            yield value
        for inner in value.values():
            yield from _messages(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _messages(inner)


def _names_any(data: Mapping[str, Any], codes: Iterable[str]) -> bool:
    text = json.dumps(data, ensure_ascii=False)
    return any(code in text for code in codes)


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
