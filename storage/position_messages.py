"""Queue-position messages: one pending per ticket, editing the last one sent, and at most
one sent per ticket in `POSITION_INTERVAL`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import select as core_select
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, SQLModel

# The kind is the outbox's (its due rows put positions last); still importable from here.
from storage.outbox import POSITION as POSITION
from storage.outbox import OutboxStatus, coalesce_pending
from storage.tables import OutboxMessage

# At most one queue-position message per ticket in this interval.
POSITION_INTERVAL = timedelta(minutes=1)
_OUTBOX = SQLModel.metadata.tables[str(OutboxMessage.__tablename__)]
# Statements built once (b_ parameters: not named like columns).
_PENDING_BY_KEY = (
    core_select(_OUTBOX.c.id, _OUTBOX.c.method, _OUTBOX.c.params, _OUTBOX.c.not_before)
    .where(
        _OUTBOX.c.dedupe_key == bindparam("b_key"),
        _OUTBOX.c.status == OutboxStatus.PENDING.value,
    )
    .with_for_update()
)
_LAST_SENT = (
    core_select(_OUTBOX.c.telegram_message_id, _OUTBOX.c.params, _OUTBOX.c.sent_at)
    .where(
        _OUTBOX.c.ticket_id == bindparam("b_ticket_id"),
        _OUTBOX.c.kind == bindparam("b_kind"),
        _OUTBOX.c.status == OutboxStatus.SENT.value,
    )
    .order_by(_OUTBOX.c.id.desc())
    .limit(1)
)
# Rewrites a pending call in place (method, params, when): shared with storage.live_messages.
RETEXT = (
    _OUTBOX.update()
    .where(_OUTBOX.c.id == bindparam("b_id"))
    .values(
        method=bindparam("b_method", type_=_OUTBOX.c.method.type),
        params=bindparam("b_params", type_=_OUTBOX.c.params.type),
        not_before=bindparam("b_not_before", type_=_OUTBOX.c.not_before.type),
    )
)


def position_key(ticket_id: int) -> str:
    """The dedupe key of a ticket's coalesced queue-position message."""
    return f"{POSITION}:{ticket_id}"


def upsert_position_message(
    session: Session,
    *,
    ticket_id: int,
    chat_id: int,
    params: Mapping[str, Any],
    now: datetime,
    min_interval: timedelta = POSITION_INTERVAL,
) -> OutboxMessage:
    """Queue the ticket's current queue position, coalesced into at most one pending message."""
    message_id = queue_position_message(
        session,
        ticket_id=ticket_id,
        chat_id=chat_id,
        params=params,
        now=now,
        min_interval=min_interval,
    )
    message = session.get(OutboxMessage, message_id, populate_existing=True)
    if message is None:
        raise LookupError(f"outbox message {message_id} vanished right after being queued")
    return message


def queue_position_message(
    session: Session,
    *,
    ticket_id: int,
    chat_id: int,
    params: Mapping[str, Any],
    now: datetime,
    min_interval: timedelta = POSITION_INTERVAL,
) -> int:
    """`upsert_position_message` in Core statements, loading no object: the pending row's id."""
    # It edits the last position message sent, and goes out no sooner than `min_interval`
    # after it: at most one position message per ticket per interval.
    # `params` are sendMessage's text parameters (text, parse_mode, reply_markup).
    if "chat_id" in params or "message_id" in params:
        raise ValueError("position params exclude chat_id and message_id; they are filled in")
    key = position_key(ticket_id)
    # Core statements do not autoflush: pending changes go first, as the ORM query did.
    if session.autoflush:
        session.flush()
    connection = session.connection()
    # Locked first: on PostgreSQL this waits for a send in flight, so the last sent is seen.
    pending = connection.execute(_PENDING_BY_KEY, {"b_key": key}).first()
    method, call_params, earliest = "sendMessage", dict(params), None
    last = connection.execute(_LAST_SENT, {"b_ticket_id": ticket_id, "b_kind": POSITION}).first()
    if last is not None:
        # An edit's own result may carry no message_id; the message it edited is in its params.
        target = last.telegram_message_id or (last.params or {}).get("message_id")
        if target is not None:
            method, call_params = "editMessageText", {**call_params, "message_id": target}
        if last.sent_at is not None:
            earliest = last.sent_at + min_interval
    if pending is not None:
        # A retry's backoff still applies to the new text; a due message stays due.
        not_before = pending.not_before
        if earliest is not None and earliest > not_before:
            not_before = earliest
        changed = {"method": method, "params": call_params, "not_before": not_before}
        if (pending.method, pending.params, pending.not_before) != (
            method,
            call_params,
            not_before,
        ):
            connection.execute(
                RETEXT,
                {
                    "b_id": pending.id,
                    "b_method": method,
                    "b_params": call_params,
                    "b_not_before": not_before,
                },
            )
            _sync_loaded(session, pending.id, changed)
        return int(pending.id)
    values: dict[str, Any] = {
        "chat_id": chat_id,
        "method": method,
        "params": call_params,
        "status": OutboxStatus.PENDING.value,
        "attempts": 0,
        "not_before": now if earliest is None else max(now, earliest),
        "created_at": now,
        "ticket_id": ticket_id,
        "dedupe_key": key,
        "kind": POSITION,
    }
    # Another worker may insert the same key between the lookup and here: then coalesce.
    replace = ("method", "params", "not_before")
    message_id = int(coalesce_pending(session, values, replace))
    _sync_loaded(session, message_id, {name: values[name] for name in replace})
    return message_id


def _sync_loaded(session: Session, message_id: int, changed: Mapping[str, Any]) -> None:
    """A row written past the ORM: the session's object for it, if loaded, reads it too."""
    loaded = session.identity_map.get(session.identity_key(OutboxMessage, message_id))
    if loaded is None:
        return
    for name, value in changed.items():
        set_committed_value(loaded, name, value)
