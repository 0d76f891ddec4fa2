"""Outbox rows the agents' desk looks after: a ticket's thread, secrets, and sent copies."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from sqlmodel import Session, col, select

from storage.outbox import OutboxStatus
from storage.tables import MessageLink, OutboxMessage


def outbox_row(session: Session, *, outbox_id: int) -> OutboxMessage | None:
    """One outbox row by id."""
    return session.get(OutboxMessage, outbox_id)


def pending_thread_rows(
    session: Session, *, chat_id: int, ticket_id: int, kinds: Collection[str], after_id: int
) -> list[OutboxMessage]:
    """The ticket's pending rows of `kinds` in a chat queued after `after_id`, in order."""
    query = (
        select(OutboxMessage)
        .where(
            col(OutboxMessage.chat_id) == chat_id,
            col(OutboxMessage.ticket_id) == ticket_id,
            col(OutboxMessage.status) == OutboxStatus.PENDING.value,
            col(OutboxMessage.kind).in_(sorted(kinds)),
            col(OutboxMessage.id) > after_id,
        )
        .order_by(col(OutboxMessage.id))
    )
    return list(session.exec(query).all())


def drop_row(session: Session, *, row: OutboxMessage, reason: str) -> None:
    """Mark a pending row dropped (it was queued again elsewhere)."""
    row.status = OutboxStatus.DROPPED.value
    row.error = reason
    session.add(row)


def scrub_row(session: Session, *, outbox_id: int, params: Mapping[str, Any]) -> None:
    """Replace a row's params (a secret or a user's export must not stay in the outbox)."""
    row = session.get(OutboxMessage, outbox_id)
    if row is not None:
        row.params = dict(params)
        session.add(row)
        session.flush()


def move_links(session: Session, *, old: int | None, new: int | None) -> None:
    """Message links pointing at outbox row `old` now point at `new` (its copy)."""
    for link in session.exec(select(MessageLink).where(MessageLink.outbox_id == old)):
        link.outbox_id = new
        session.add(link)


def last_sent_to_chat(session: Session, *, chat_id: int, kind: str) -> OutboxMessage | None:
    """The newest row of `kind` sent to a chat with Telegram's message id recorded."""
    query = (
        select(OutboxMessage)
        .where(
            col(OutboxMessage.chat_id) == chat_id,
            col(OutboxMessage.kind) == kind,
            col(OutboxMessage.status) == OutboxStatus.SENT.value,
            col(OutboxMessage.telegram_message_id).is_not(None),
        )
        .order_by(col(OutboxMessage.id).desc())
    )
    return session.exec(query).first()
