"""What a user's data leaves beyond their own rows, and how erasure forgets it.

Their processed updates in the inbox, the calls to their chat and of their tickets in the
outbox, and in the agents' chats the tickets' topics, cards, relayed copies and messages that
quote a ticket code. Read before the user's rows go (the links are about to be deleted).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, or_, select, update

from storage.inbox import InboxStatus
from storage.outbox import OutboxStatus, enqueue
from storage.tables import InboxUpdate, MessageLink, OutboxMessage, Ticket, User

# Outbox kind of the calls that delete the user's traces in the agents' chats: no desk hook acts
# on it, so a deletion Telegram refuses (already deleted, too old) is given up at once.
ERASURE = "erasure"
_PROCESSED = (InboxStatus.DONE.value, InboxStatus.FAILED.value)


def erased() -> dict[str, Any]:
    """What an erased update keeps of its payload, and an erased call of its params."""
    return {"erased": True}


@dataclass
class Traces:
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


def desk_traces(session: Session, tickets: Sequence[Ticket], chats: Collection[int]) -> Traces:
    traces = Traces()
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


def forget_updates(session: Session, user: User, traces: Traces) -> None:
    """Blank the user's processed updates, and the agents' ones about their tickets."""
    processed = col(InboxUpdate.status).in_(_PROCESSED)
    theirs = select(InboxUpdate.id).where(processed, col(InboxUpdate.chat_id).in_(chats_of(user)))
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


def forget_calls(
    session: Session, ids: Collection[int | None], chats: Collection[int], traces: Traces
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


def delete_copies(session: Session, traces: Traces, now: datetime) -> None:
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


def chats_of(user: User) -> list[int]:
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


# session.info key: the Telegram ids of the users erased in the session's transaction.
_ERASED_KEY = "triagem.erased"


def note_erasure(session: Session, telegram_user_id: int) -> None:
    """Remember, for the rest of this transaction, that this user's data was erased."""
    session.info.setdefault(_ERASED_KEY, set()).add(telegram_user_id)


def take_erasure(session: Session, telegram_user_id: int) -> bool:
    """Whether this user was erased in this transaction (asked once: the note is removed).

    The update that asked for the erasure is still pending while the erasure runs, so the
    erasure cannot blank it; whoever finishes the update asks this and blanks it then.
    """
    erased_users: set[int] = session.info.get(_ERASED_KEY, set())
    if telegram_user_id not in erased_users:
        return False
    erased_users.discard(telegram_user_id)
    return True
