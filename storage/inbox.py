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

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Integer, bindparam, func, or_
from sqlalchemy import select as core_select
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, SQLModel, col, select
from sqlmodel.sql.expression import SelectOfScalar

from storage.errors import UpdateAlreadyProcessed
from storage.identity import stored_id
from storage.inbox_privacy import masked_payload
from storage.tables import ERROR_MAX_LENGTH, InboxUpdate
from storage.upserts import insert_if_absent, insert_many_if_absent


class InboxStatus(StrEnum):
    """Where an inbox update stands."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


_INBOX = SQLModel.metadata.tables[str(InboxUpdate.__tablename__)]
# Built once, run as Core statements on the session's connection (past the ORM's execution
# path). Finishing is one conditional UPDATE: it takes the row lock (on PostgreSQL it waits for
# a worker holding it, then re-checks the condition on the row as that worker left it), and
# matches nothing when the update is no longer pending. Parameters named like columns would
# also be SET: hence the b_ prefix.
_FINISH = (
    _INBOX.update()
    .where(_INBOX.c.id == bindparam("b_id"), _INBOX.c.status == InboxStatus.PENDING.value)
    .values(
        status=InboxStatus.DONE.value,
        processed_at=bindparam("b_now", type_=_INBOX.c.processed_at.type),
    )
)
_STATUS = core_select(_INBOX.c.update_id, _INBOX.c.status).where(_INBOX.c.id == bindparam("b_id"))


def record_update(
    session: Session,
    *,
    update_id: int,
    chat_id: int | None,
    payload: Mapping[str, Any],
    now: datetime,
) -> bool:
    """Store a received update; False (and nothing written) when `update_id` is already stored."""
    values = _row(update_id, chat_id, payload, now)
    # Telegram redelivers an update whose offset was not confirmed; the unique index drops it.
    return insert_if_absent(session, InboxUpdate, values, keys=("update_id",))


def record_updates(
    session: Session,
    *,
    updates: Iterable[tuple[int, int | None, Mapping[str, Any]]],
    now: datetime,
) -> None:
    """Store received updates, given as (update_id, chat_id, payload), in one statement.

    Update ids already stored are skipped, so a batch Telegram delivers again (its offset was
    not confirmed before a crash) adds only what is new. One statement and, with the caller's
    commit, one fsync for a whole getUpdates answer: a burst is stored at the rate of batches.
    """
    rows = [_row(update_id, chat_id, payload, now) for update_id, chat_id, payload in updates]
    insert_many_if_absent(session, InboxUpdate, rows, keys=("update_id",))


def _row(
    update_id: int, chat_id: int | None, payload: Mapping[str, Any], now: datetime
) -> dict[str, Any]:
    """An inbox row; the one place updates enter storage, so CPFs are hidden here."""
    return {
        "update_id": update_id,
        "chat_id": chat_id,
        "payload": masked_payload(payload),
        "received_at": now,
        "status": InboxStatus.PENDING.value,
        "attempts": 0,
    }


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
    if among is None and not busy_chats:
        # The dispatcher's claim: the statement built once, only the limit bound per call.
        return list(session.exec(_CLAIM, params={"b_limit": limit}).all())
    query = _claimable()
    if among is not None:
        query = query.where(col(InboxUpdate.id).in_(among))
    if busy_chats:
        query = query.where(
            or_(col(InboxUpdate.chat_id).is_(None), col(InboxUpdate.chat_id).not_in(busy_chats))
        )
    return list(session.exec(_claiming(query, limit)).all())


def _claimable() -> SelectOfScalar[InboxUpdate]:
    """Pending updates that are their chat's head (or belong to no chat)."""
    heads = (
        select(func.min(InboxUpdate.id))
        .where(
            col(InboxUpdate.status) == InboxStatus.PENDING.value,
            col(InboxUpdate.chat_id).is_not(None),
        )
        .group_by(col(InboxUpdate.chat_id))
    )
    return select(InboxUpdate).where(
        col(InboxUpdate.status) == InboxStatus.PENDING.value,
        or_(col(InboxUpdate.chat_id).is_(None), col(InboxUpdate.id).in_(heads)),
    )


def _claiming(query: SelectOfScalar[InboxUpdate], limit: Any) -> SelectOfScalar[InboxUpdate]:
    return (
        query.order_by(col(InboxUpdate.id))
        .limit(limit)
        # The heads are chosen before locking, so a head another worker holds is skipped
        # and its chat gets nothing: the chat's next update never overtakes it. SQLite
        # leaves the clause out; its writers take turns (BEGIN IMMEDIATE).
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )


_CLAIM = _claiming(_claimable(), bindparam("b_limit", type_=Integer))


def finish_update(session: Session, *, update: InboxUpdate, now: datetime) -> None:
    """Mark the update processed; raises UpdateAlreadyProcessed if it was finished meanwhile."""
    update_key = stored_id(update, unsaved="the update must be stored before it is finished")
    connection = session.connection()
    if connection.execute(_FINISH, {"b_id": update_key, "b_now": now}).rowcount != 1:
        row = connection.execute(_STATUS, {"b_id": update_key}).first()
        if row is None:
            raise LookupError(f"inbox update {update_key} is not stored")
        raise UpdateAlreadyProcessed(row.update_id, row.status)
    # The object now reads what the row holds, with nothing left for a flush to write.
    set_committed_value(update, "status", InboxStatus.DONE.value)
    set_committed_value(update, "processed_at", now)


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


def blank_update(session: Session, *, update: InboxUpdate, payload: dict[str, Any]) -> None:
    """Replace a processed update's payload (the one asking for an erasure names the user)."""
    update.payload = payload
    session.add(update)
    session.flush()
