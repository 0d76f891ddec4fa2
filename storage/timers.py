"""Durable timers: the one scheduler for time-driven work (call windows, "avise-me", warnings).

    schedule(session, kind=..., due_at=..., ref=..., payload=..., now=...)  in your transaction
    cancel(session, ref=..., kind=None)                                     pending ones only
    claim_due(session, now=...)                                              the runtime's side

A timer is a row. The runtime (bot/scheduler.py) claims one due timer at a time and runs the
handler registered for its kind in the same transaction, then marks it fired: a crash before
the commit leaves it pending (fired again later), a commit marks it fired exactly once. On
PostgreSQL the claim is `SELECT ... FOR UPDATE SKIP LOCKED`, so several workers fire each
timer once; on SQLite it is one `UPDATE ... RETURNING`, serialized by the database's writer lock.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from storage.queue_tables import Timer
from storage.tables import ERROR_MAX_LENGTH

# A failing handler is retried this many times, after RETRY_AFTER × attempts, then given up.
MAX_ATTEMPTS = 5
RETRY_AFTER = timedelta(seconds=30)


class TimerStatus(StrEnum):
    """Where a timer is: waiting, fired (done), cancelled, or given up after failures."""

    PENDING = "pending"
    FIRED = "fired"
    CANCELLED = "cancelled"
    FAILED = "failed"


def schedule(
    session: Session,
    *,
    kind: str,
    due_at: datetime,
    now: datetime,
    ref: str | None = None,
    payload: Mapping[str, Any] | None = None,
) -> Timer:
    """Add a timer in the caller's transaction; it fires at `due_at` or soon after."""
    timer = Timer(kind=kind, ref=ref, payload=dict(payload or {}), due_at=due_at, created_at=now)
    session.add(timer)
    session.flush()
    return timer


def cancel(session: Session, *, ref: str, kind: str | None = None) -> int:
    """Cancel the pending timers about `ref` (of one kind, or all); how many were cancelled."""
    statement = update(Timer).where(
        col(Timer.ref) == ref, col(Timer.status) == TimerStatus.PENDING.value
    )
    if kind is not None:
        statement = statement.where(col(Timer.kind) == kind)
    result = session.execute(
        statement.values(status=TimerStatus.CANCELLED.value).execution_options(
            synchronize_session=False
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def pending_timers(session: Session, *, ref: str | None = None) -> list[Timer]:
    """The pending timers (about `ref`), soonest first."""
    query = select(Timer).where(col(Timer.status) == TimerStatus.PENDING.value)
    if ref is not None:
        query = query.where(col(Timer.ref) == ref)
    return list(session.exec(query.order_by(col(Timer.due_at), col(Timer.id))).all())


def next_due_at(session: Session) -> datetime | None:
    """When the soonest pending timer is due, or None."""
    query = select(func.min(Timer.due_at)).where(col(Timer.status) == TimerStatus.PENDING.value)
    value = session.exec(query).one()
    return value if isinstance(value, datetime) else None


def claim_due(session: Session, *, now: datetime) -> Timer | None:
    """Claim one timer due at `now` for this transaction (marked fired; None when none is due).

    The caller runs the timer's work in the same transaction: a rollback un-claims it.
    """
    due = (
        select(Timer.id)
        .where(col(Timer.status) == TimerStatus.PENDING.value, col(Timer.due_at) <= now)
        .order_by(col(Timer.due_at), col(Timer.id))
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        timer_id = session.exec(due.with_for_update(skip_locked=True)).first()
        if timer_id is None:
            return None
        claim = update(Timer).where(col(Timer.id) == timer_id)
    else:
        claim = update(Timer).where(
            col(Timer.id) == due.scalar_subquery(),
            col(Timer.status) == TimerStatus.PENDING.value,
        )
    claimed = session.execute(
        claim.values(status=TimerStatus.FIRED.value, fired_at=now)
        .returning(col(Timer.id))
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    return None if claimed is None else session.get(Timer, claimed, populate_existing=True)


def record_failure(session: Session, *, timer_id: int, error: str, now: datetime) -> Timer | None:
    """After a handler failed (its transaction rolled back): retry later, or give up."""
    timer = session.get(Timer, timer_id, populate_existing=True)
    if timer is None or timer.status != TimerStatus.PENDING.value:
        return timer
    timer.attempts += 1
    timer.error = error[:ERROR_MAX_LENGTH]
    if timer.attempts >= MAX_ATTEMPTS:
        timer.status = TimerStatus.FAILED.value
    else:
        timer.due_at = now + RETRY_AFTER * timer.attempts
    session.add(timer)
    return timer
