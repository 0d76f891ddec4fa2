"""Messages kept up to date in place: one per key (a person's queue position, an office's card).

The first change sends a message; later ones edit the last one sent. At most one is pending per
key (later changes rewrite it), and one goes out per key in `min_interval`: a queue moving fast
costs each person one edit now and then, never a message per change.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy import select as core_select
from sqlmodel import Session, SQLModel, col

from storage.outbox import OutboxStatus, coalesce_pending
from storage.position_messages import RETEXT
from storage.tables import OutboxMessage

_OUTBOX = SQLModel.metadata.tables[str(OutboxMessage.__tablename__)]
_PENDING = (
    core_select(_OUTBOX.c.id, _OUTBOX.c.not_before)
    .where(
        _OUTBOX.c.dedupe_key == bindparam("b_key"),
        _OUTBOX.c.status == OutboxStatus.PENDING.value,
    )
    .with_for_update()
)
# Served by the chat index: a chat holds few rows with the key.
_LAST_SENT = (
    core_select(_OUTBOX.c.telegram_message_id, _OUTBOX.c.params, _OUTBOX.c.sent_at)
    .where(
        _OUTBOX.c.chat_id == bindparam("b_chat"),
        _OUTBOX.c.dedupe_key == bindparam("b_key"),
        _OUTBOX.c.status == OutboxStatus.SENT.value,
    )
    .order_by(_OUTBOX.c.id.desc())
    .limit(1)
)


def put_live_message(
    session: Session,
    *,
    chat_id: int,
    key: str,
    kind: str,
    params: Mapping[str, Any],
    now: datetime,
    min_interval: timedelta,
) -> int | None:
    """Queue the message's new text (sendMessage params without chat_id): the pending row's id
    (None when the chat already shows exactly this)."""
    if session.autoflush:
        session.flush()
    connection = session.connection()
    pending = connection.execute(_PENDING, {"b_key": key}).first()
    method, call_params, earliest = "sendMessage", dict(params), None
    last = connection.execute(_LAST_SENT, {"b_chat": chat_id, "b_key": key}).first()
    if pending is None and last is not None and _same(last.params, params):
        return None
    if last is not None:
        target = last.telegram_message_id or (last.params or {}).get("message_id")
        if target is not None:
            method, call_params = "editMessageText", {**call_params, "message_id": target}
        if last.sent_at is not None:
            earliest = last.sent_at + min_interval
    if pending is not None:
        not_before = pending.not_before
        if earliest is not None and earliest > not_before:
            not_before = earliest
        connection.execute(
            RETEXT,
            {
                "b_id": pending.id,
                "b_method": method,
                "b_params": call_params,
                "b_not_before": not_before,
            },
        )
        return int(pending.id)
    values: dict[str, Any] = {
        "chat_id": chat_id,
        "method": method,
        "params": call_params,
        "status": OutboxStatus.PENDING.value,
        "attempts": 0,
        "not_before": now if earliest is None else max(now, earliest),
        "created_at": now,
        "dedupe_key": key,
        "kind": kind,
    }
    return int(coalesce_pending(session, values, ("method", "params", "not_before")))


def _same(sent: Mapping[str, Any] | None, params: Mapping[str, Any]) -> bool:
    sent = sent or {}
    return all(sent.get(name) == params.get(name) for name in ("text", "reply_markup"))


def drop_live_message(session: Session, *, key: str, reason: str) -> int:
    """Drop the key's pending update (the person left the queue or was called)."""
    result = session.exec(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.dedupe_key) == key,
            col(OutboxMessage.status) == OutboxStatus.PENDING.value,
        )
        .values(status=OutboxStatus.DROPPED.value, error=reason)
        .execution_options(synchronize_session="fetch")
    )
    return int(result.rowcount)
