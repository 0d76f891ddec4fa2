"""Outbox of Bot API calls: written with the state change, delivered in order per chat.

Ordering guarantee: `due_messages` offers only the first pending message of each chat (by
`id`, the order they were queued). A message waiting for a retry holds back everything queued
after it in its chat until it is sent, failed or dropped. A message scheduled for later and
never tried yet (a coalesced position update waiting out its minute) holds back nothing: it
goes out when due, after whatever was sent meanwhile. Different chats are independent.

On PostgreSQL `due_messages` locks the rows it returns (`FOR UPDATE SKIP LOCKED`): keep the
transaction open while sending and record the outcome in it, so no other sender takes the
same message and a coalescing update waits for the send to finish. On SQLite, where a sender
commits before calling Telegram, pass the chats with a call in flight as `busy_chats`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, inspect, or_, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import configure_mappers, make_transient_to_detached
from sqlmodel import Session, SQLModel, col, select, update

from storage.inbox import clip_error
from storage.tables import OutboxMessage

# Must match the predicate of uq_outbox_messages_dedupe_key, or ON CONFLICT finds no index.
_PENDING_PREDICATE = "status = 'pending'"
# Outbox kind of queue-position pushes (storage/position_messages.py, the live queues): news
# nobody asked for, each replacing the last. Due heads of other kinds go first: after a desk
# command moves a queue of 200, the requester's status must not wait behind 199 positions.
POSITION = "position"
_OUTBOX = SQLModel.metadata.tables[str(OutboxMessage.__tablename__)]
# Built once; no VALUES here: the columns are those of each execution's parameters.
_INSERT = _OUTBOX.insert().returning(_OUTBOX.c.id)
# The model's defaults for the columns `enqueue` leaves out, as the ORM object would hold them.
_OPTIONAL = {
    name: field
    for name, field in OutboxMessage.model_fields.items()
    if name in _OUTBOX.c and not _OUTBOX.c[name].primary_key and not field.is_required()
}
_DEFAULTS = {n: f.default for n, f in _OPTIONAL.items() if f.default_factory is None}
_FACTORIES = {n: f.default_factory for n, f in _OPTIONAL.items() if f.default_factory is not None}
# (dialect, replaced columns) → INSERT … ON CONFLICT (dedupe_key) DO UPDATE, built once.
_COALESCING: dict[tuple[str, tuple[str, ...]], Any] = {}


class OutboxStatus(StrEnum):
    """Where an outbox message stands."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    DROPPED = "dropped"


def enqueue(
    session: Session,
    *,
    chat_id: int,
    method: str,
    params: Mapping[str, Any],
    now: datetime,
    kind: str = "reply",
    ticket_id: int | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage:
    """Queue a Bot API call in the caller's transaction; a same-key pending one is coalesced."""
    # Coalescing updates the pending row in place: the latest params win and the message
    # keeps its place in the chat's order.
    if "chat_id" in params:
        raise ValueError("outbox params exclude chat_id; pass it as the chat_id argument")
    values: dict[str, Any] = {
        "chat_id": chat_id,
        "method": method,
        "params": dict(params),
        "status": OutboxStatus.PENDING.value,
        "attempts": 0,
        "not_before": now,
        "created_at": now,
        "ticket_id": ticket_id,
        "dedupe_key": dedupe_key,
        "kind": kind,
    }
    if dedupe_key is None:
        # Pending changes go first, as the ORM's flush of the new row did.
        session.flush()
        # A Core INSERT on the session's connection, past the ORM's unit of work.
        made = {name: make() for name, make in _FACTORIES.items() if name not in values}  # type: ignore[call-arg]
        row = {**_DEFAULTS, **made, **values}
        message_id = session.connection().execute(_INSERT, row).scalar_one()
        return _attached(session, {**row, "id": message_id})
    return _insert_or_coalesce(session, values, replace=("method", "params", "kind", "ticket_id"))


def due_messages(
    session: Session,
    *,
    now: datetime,
    limit: int,
    busy_chats: Collection[int] = (),
    limited_chats: Collection[int] = (),
    unlimited_methods: Collection[str] = (),
    methods: Collection[str] | None = None,
    skip_methods: Collection[str] = (),
    chats: int = 0,
    heads_only: bool = True,
) -> list[OutboxMessage]:
    """The first pending message of each chat not in `busy_chats`, if due; oldest first,
    queue positions after the rest.

    Of the chats in `limited_chats` (out of their rate limit for now) only heads calling one of
    `unlimited_methods` come: the others would only fill the batch and hide sendable chats.

    A sender's lane narrows the rows: `methods` (only these), `skip_methods` (never these, and
    they hold nothing back), `chats` (1: private chats only, -1: groups only, 0: any), and
    `heads_only=False` for calls that keep no order in their chat (every due row comes).
    """
    if limit < 1:
        return []
    narrow: list[Any] = [col(OutboxMessage.status) == OutboxStatus.PENDING.value]
    if methods is not None:
        narrow.append(col(OutboxMessage.method).in_(methods))
    if skip_methods:
        narrow.append(col(OutboxMessage.method).not_in(skip_methods))
    if chats:
        narrow.append(
            col(OutboxMessage.chat_id) > 0 if chats > 0 else col(OutboxMessage.chat_id) < 0
        )
    due = col(OutboxMessage.not_before) <= now
    query = select(OutboxMessage).where(*narrow, due)
    if heads_only:
        # A chat's head is its oldest pending message that is due or already tried once.
        heads = (
            select(func.min(OutboxMessage.id))
            .where(*narrow, or_(due, col(OutboxMessage.attempts) > 0))
            .group_by(col(OutboxMessage.chat_id))
        )
        query = query.where(col(OutboxMessage.id).in_(heads))
    if busy_chats:
        query = query.where(col(OutboxMessage.chat_id).not_in(busy_chats))
    if limited_chats:
        query = query.where(
            or_(
                col(OutboxMessage.chat_id).not_in(limited_chats),
                col(OutboxMessage.method).in_(unlimited_methods),
            )
        )
    query = (
        query.order_by(col(OutboxMessage.kind) == POSITION, col(OutboxMessage.id))
        .limit(limit)
        # Heads are chosen before locking: a head another sender holds is skipped with its
        # chat, never overtaken. SQLite leaves the clause out (one writer at a time).
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return list(session.exec(query).all())


def mark_dropped(session: Session, *, message: OutboxMessage, reason: str) -> None:
    """Give up on the message without counting it as a failure (nobody can use it any more)."""
    message.status = OutboxStatus.DROPPED.value
    message.attempts += 1
    message.error = clip_error(reason)
    session.add(message)
    session.flush()


def mark_sent(
    session: Session, *, message: OutboxMessage, telegram_message_id: int | None, now: datetime
) -> None:
    """Record the delivery and the message_id Telegram gave (None for calls without one)."""
    message.status = OutboxStatus.SENT.value
    message.attempts += 1
    message.sent_at = now
    message.telegram_message_id = telegram_message_id
    session.add(message)
    session.flush()


def retry_later(
    session: Session, *, message: OutboxMessage, not_before: datetime, error: str
) -> None:
    """Count a failed attempt and try again at `not_before` (backoff, or 429's retry_after)."""
    message.attempts += 1
    message.not_before = not_before
    message.error = clip_error(error)
    session.add(message)
    session.flush()


def mark_failed(session: Session, *, message: OutboxMessage, error: str, now: datetime) -> None:
    """Give up on the message; its chat's next message becomes due."""
    # `now` belongs to the contract of every transition; the row keeps no failure time.
    message.status = OutboxStatus.FAILED.value
    message.attempts += 1
    message.error = clip_error(error)
    session.add(message)
    session.flush()


def drop_pending_for_chat(session: Session, *, chat_id: int, reason: str, now: datetime) -> int:
    """Drop every message queued for the chat up to `now` (the user blocked the bot); count."""
    # Dropped, not failed-after-retries: a blocked user must stall no one, not even briefly.
    # Messages queued after `now` (the user may have unblocked and written) stay.
    return _drop(
        session,
        reason,
        col(OutboxMessage.chat_id) == chat_id,
        col(OutboxMessage.created_at) <= now,
    )


def drop_pending_for_ticket(
    session: Session, *, ticket_id: int, kind: str, reason: str, now: datetime
) -> int:
    """Drop the ticket's pending messages of `kind` queued up to `now` (e.g. a stale position)."""
    return _drop(
        session,
        reason,
        col(OutboxMessage.ticket_id) == ticket_id,
        col(OutboxMessage.kind) == kind,
        col(OutboxMessage.created_at) <= now,
    )


def last_sent(session: Session, *, ticket_id: int, kind: str) -> OutboxMessage | None:
    """The ticket's most recently queued message of `kind` that was sent, if any."""
    query = (
        select(OutboxMessage)
        .where(
            col(OutboxMessage.ticket_id) == ticket_id,
            col(OutboxMessage.kind) == kind,
            col(OutboxMessage.status) == OutboxStatus.SENT.value,
        )
        .order_by(col(OutboxMessage.id).desc())
        .limit(1)
    )
    return session.exec(query).first()


def coalesce_pending(session: Session, values: Mapping[str, Any], replace: tuple[str, ...]) -> Any:
    """INSERT, or on a same-key pending row UPDATE its `replace` columns: the row's id."""
    dialect = session.get_bind().dialect.name
    statement = _COALESCING.get((dialect, replace))
    if statement is None:
        if dialect == "postgresql":
            statement = postgresql.insert(_OUTBOX)
        elif dialect == "sqlite":
            statement = sqlite.insert(_OUTBOX)
        else:
            raise NotImplementedError(f"no conflict-aware insert for {dialect}")
        statement = statement.on_conflict_do_update(
            index_elements=["dedupe_key"],
            index_where=text(_PENDING_PREDICATE),
            set_={name: statement.excluded[name] for name in replace},
        ).returning(_OUTBOX.c.id)
        _COALESCING[(dialect, replace)] = statement
    return session.connection().execute(statement, dict(values)).scalar_one()


def _insert_or_coalesce(
    session: Session, values: Mapping[str, Any], *, replace: tuple[str, ...]
) -> OutboxMessage:
    # Pending changes go first, as the ORM's execution of the statement would have flushed them.
    if session.autoflush:
        session.flush()
    message_id = coalesce_pending(session, values, replace)
    return session.exec(
        select(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id)
        .execution_options(populate_existing=True)
    ).one()


def _attached(session: Session, row: dict[str, Any]) -> OutboxMessage:
    """The stored row as a persistent object of the session, as if loaded (no query, no flush)."""
    # Building an object by hand skips what the first ORM use does: configure the mappers (a
    # no-op once done). Without it, a process whose first ORM step is an enqueue fails.
    configure_mappers()
    manager = inspect(OutboxMessage).class_manager
    message: OutboxMessage = manager.new_instance()
    message.__dict__.update(row)
    make_transient_to_detached(message)
    session.add(message)
    return message


def _drop(session: Session, reason: str, *conditions: Any) -> int:
    result = session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.status) == OutboxStatus.PENDING.value, *conditions)
        .values(status=OutboxStatus.DROPPED.value, error=clip_error(reason))
        .execution_options(synchronize_session="fetch")
    )
    return int(result.rowcount)
