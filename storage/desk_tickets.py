"""Finding tickets from the agents' side: by forum topic, by card, by text, and the queues."""

from __future__ import annotations

import json
from collections import defaultdict

from sqlalchemy import String, cast, func, or_
from sqlmodel import Session, col, select

from storage.lifecycle import Status
from storage.tables import Ticket

SEARCH_LIMIT = 10


def ticket_by_topic(session: Session, *, chat_id: int, thread_id: int) -> Ticket | None:
    """The ticket whose forum topic this is."""
    query = select(Ticket).where(
        col(Ticket.agent_chat_id) == chat_id, col(Ticket.topic_thread_id) == thread_id
    )
    return session.exec(query.order_by(col(Ticket.id).desc())).first()


def ticket_by_card(session: Session, *, chat_id: int, message_id: int) -> Ticket | None:
    """The ticket whose card is this message (groups without topics thread on the card)."""
    query = select(Ticket).where(
        col(Ticket.agent_chat_id) == chat_id, col(Ticket.card_message_id) == message_id
    )
    return session.exec(query).first()


def search_tickets(session: Session, *, text: str, limit: int = SEARCH_LIMIT) -> list[Ticket]:
    """Tickets whose code or intake fields contain `text` (any case), newest first."""
    plain = text.strip().lower()
    # SQLite and PostgreSQL both keep the JSON text as written, non-ASCII letters escaped
    # ("\u00e7"), so look for that spelling too.
    escaped = json.dumps(plain)[1:-1].lower()
    fields = func.lower(cast(col(Ticket.fields), String))
    query = (
        select(Ticket)
        .where(
            or_(
                func.lower(col(Ticket.code)).like(_contains(plain), escape="\\"),
                fields.like(_contains(plain), escape="\\"),
                fields.like(_contains(escaped), escape="\\"),
            )
        )
        .order_by(col(Ticket.created_at).desc(), col(Ticket.id).desc())
        .limit(limit)
    )
    return list(session.exec(query).all())


def queued_by_offer(session: Session) -> dict[str, list[Ticket]]:
    """Every `novo` ticket by offer, in queue order (priority, then age)."""
    query = (
        select(Ticket)
        .where(col(Ticket.status) == Status.NOVO.value)
        .order_by(
            col(Ticket.offer_id), col(Ticket.priority), col(Ticket.created_at), col(Ticket.id)
        )
    )
    queues: defaultdict[str, list[Ticket]] = defaultdict(list)
    for ticket in session.exec(query):
        queues[ticket.offer_id].append(ticket)
    return dict(queues)


def _contains(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, its wildcards and backslashes taken literally."""
    for special in ("\\", "%", "_"):
        text = text.replace(special, "\\" + special)
    return f"%{text}%"
