"""Inbox of Telegram updates: stored once per `update_id`, then claimed chat by chat, in order.

Ordering guarantee: within one chat, updates are handed out one at a time in the order they
were recorded (by `id`, which follows arrival). A chat's next update becomes claimable only
once the previous one is finished or has failed for good; `fail_update` puts a failed attempt
back at the head of its chat, so nothing overtakes it until it succeeds or is given up.
Different chats are independent, and updates without a chat are each claimable on their own.

A claim marks nothing in the table. On PostgreSQL the claimed rows stay row-locked until the
claiming transaction ends, so process each claimed update and call `finish_update` in that
same transaction (together with the state change and the outbox rows), and commit. Other
workers skip locked rows, and skip the whole chat with them. On SQLite there is one writer at
a time; a dispatcher that commits the claim and works on updates concurrently passes the chats
it is still working on as `busy_chats`. Either way `finish_update` refuses an update that was
finished meanwhile, so a second processing is rolled back instead of applied twice.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from storage.errors import UpdateAlreadyProcessed
from storage.tables import ERROR_MAX_LENGTH, InboxUpdate
from storage.upserts import insert_if_absent


class InboxStatus(StrEnum):
    """Where an inbox update stands."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


def record_update(
    session: Session,
    *,
    update_id: int,
    chat_id: int | None,
    payload: Mapping[str, Any],
    now: datetime,
) -> bool:
    """Store a received update; False (and nothing written) when `update_id` is already stored."""
    values = {
        "update_id": update_id,
        "chat_id": chat_id,
        "payload": dict(payload),
        "received_at": now,
        "status": InboxStatus.PENDING.value,
        "attempts": 0,
    }
    # Telegram redelivers an update whose offset was not confirmed; the unique index drops it.
    return insert_if_absent(session, InboxUpdate, values, keys=("update_id",))


def claim_updates(
    session: Session,
    *,
    limit: int,
    now: datetime,
    busy_chats: Collection[int] = (),
    among: Collection[int] | None = None,
) -> list[InboxUpdate]:
    """The oldest pending update of each chat not in `busy_chats`, oldest first, at most `limit`.

    `among`: only updates with these ids (ours, not `update_id`s) qualify, still only if each
    is its chat's head; to retry, one by one, updates whose batch failed as a whole.
    """
    # `now` belongs to the contract of every transition; no claim rule depends on it yet.
    if limit < 1:
        return []
    heads = (
        select(func.min(InboxUpdate.id))
        .where(
            col(InboxUpdate.status) == InboxStatus.PENDING.value,
            col(InboxUpdate.chat_id).is_not(None),
        )
        .group_by(col(InboxUpdate.chat_id))
    )
    query = select(InboxUpdate).where(
        col(InboxUpdate.status) == InboxStatus.PENDING.value,
        or_(col(InboxUpdate.chat_id).is_(None), col(InboxUpdate.id).in_(heads)),
    )
    if among is not None:
        query = query.where(col(InboxUpdate.id).in_(among))
    if busy_chats:
        query = query.where(
            or_(col(InboxUpdate.chat_id).is_(None), col(InboxUpdate.chat_id).not_in(busy_chats))
        )
    query = (
        query.order_by(col(InboxUpdate.id))
        .limit(limit)
        # The heads are chosen before locking, so a head another worker holds is skipped
        # and its chat gets nothing: the chat's next update never overtakes it. SQLite
        # leaves the clause out; its writers take turns (BEGIN IMMEDIATE).
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return list(session.exec(query).all())


def finish_update(session: Session, *, update: InboxUpdate, now: datetime) -> None:
    """Mark the update processed; raises UpdateAlreadyProcessed if it was finished meanwhile."""
    _lock_pending(session, update)
    update.status = InboxStatus.DONE.value
    update.processed_at = now
    session.add(update)
    session.flush()


def fail_update(
    session: Session, *, update: InboxUpdate, error: str, now: datetime, max_attempts: int = 5
) -> None:
    """Count a failed attempt: the update is retried first in its chat until `max_attempts`."""
    # Giving up after `max_attempts` keeps one poison update from blocking its chat forever.
    try:
        _lock_pending(session, update)
    except UpdateAlreadyProcessed:
        return
    update.attempts += 1
    update.error = clip_error(error)
    if update.attempts >= max_attempts:
        update.status = InboxStatus.FAILED.value
        update.processed_at = now
    session.add(update)
    session.flush()


def max_update_id(session: Session) -> int | None:
    """The highest `update_id` stored; polling resumes from it + 1 after a restart."""
    return session.exec(select(func.max(InboxUpdate.update_id))).one()


def clip_error(error: str) -> str:
    """The error text cut to what the `error` columns hold."""
    if len(error) <= ERROR_MAX_LENGTH:
        return error
    return error[: ERROR_MAX_LENGTH - 1] + "…"


def _lock_pending(session: Session, update: InboxUpdate) -> None:
    # Re-read under the row lock: another worker (or a retry of this one) may have finished it.
    session.refresh(update, with_for_update=True)
    if update.status != InboxStatus.PENDING.value:
        raise UpdateAlreadyProcessed(update.update_id, update.status)
