"""What the sender writes once Telegram has answered a call: sent, retry, failed or dropped.

Each outcome is one transaction of its own. `sent` is the one that matters after a `kill -9`:
until it commits, a restarted sender sends the call again (Telegram has no idempotency key), so
it does the least it can before the commit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from storage import OutboxMessage, Ticket, add_event, mark_chat_unreachable
from storage.history import SYSTEM, EventKind
from storage.outbox import (
    OutboxStatus,
    drop_pending_for_chat,
    mark_dropped,
    mark_failed,
    mark_sent,
    retry_later,
)

MAX_BACKOFF = 60.0


@dataclass(frozen=True)
class Job:
    """An outbox row as the sender needs it, detached from any session."""

    id: int
    chat_id: int
    method: str
    params: Mapping[str, Any]
    attempts: int
    kind: str
    ticket_id: int | None


# Called after a successful call: (session, job, Telegram's result) -> None.
SentHook = Callable[[Session, Job, Any], None]
# Called once a call is given up: (session, job, Telegram's error description) -> None.
FailedHook = Callable[[Session, Job, str], None]
# A call's forum topic is gone: (session, job) -> True when the hook queued it again.
ThreadLostHook = Callable[[Session, Job], bool]


@dataclass
class Outcomes:
    """Records each answer in the store, with the desk's hooks in the same transaction."""

    engine: Engine
    clock: Callable[[], datetime]
    max_attempts: int = 8
    on_sent: SentHook | None = None
    on_failed: FailedHook | None = None
    on_thread_lost: ThreadLostHook | None = None

    def sent(self, accepted: list[tuple[Job, Any]]) -> None:
        """Telegram accepted the calls: keep their message_ids and the hooks' bookkeeping, all
        in one transaction (one wait for the SQLite write lock, one commit, for all)."""
        with Session(self.engine) as session, session.begin():
            for job, result in accepted:
                row = session.get(OutboxMessage, job.id)
                if row is None:
                    continue
                message_id = result.get("message_id") if isinstance(result, Mapping) else None
                mark_sent(session, message=row, telegram_message_id=message_id, now=self.clock())
                if self.on_sent is not None:
                    self.on_sent(session, job, result)

    def replay(self, accepted: list[tuple[int, Any]]) -> int:
        """Record as sent the journal's calls still pending in the store (see sent_journal)."""
        replayed = 0
        with Session(self.engine) as session, session.begin():
            for outbox_id, result in accepted:
                row = session.get(OutboxMessage, outbox_id)
                if row is None or row.status != OutboxStatus.PENDING.value:
                    continue
                job = Job(
                    outbox_id,
                    row.chat_id,
                    row.method,
                    dict(row.params),
                    row.attempts,
                    row.kind,
                    row.ticket_id,
                )
                message_id = result.get("message_id") if isinstance(result, Mapping) else None
                mark_sent(session, message=row, telegram_message_id=message_id, now=self.clock())
                if self.on_sent is not None:
                    self.on_sent(session, job, result)
                replayed += 1
        return replayed

    def retry(self, job: Job, after: float, error: str) -> None:
        """Try the call again in `after` seconds."""
        with Session(self.engine) as session, session.begin():
            row = session.get(OutboxMessage, job.id)
            if row is not None:
                not_before = self.clock() + timedelta(seconds=after)
                retry_later(session, message=row, not_before=not_before, error=error)

    def backoff(self, job: Job, error: str, throttled: int) -> float | None:
        """A transient failure: retry later, doubling the wait; the wait, or None once given up.

        `throttled`: the job's 429s so far, which are pacing rather than failures.
        """
        failures = job.attempts - throttled
        if failures + 1 >= self.max_attempts:
            self.fail(job, error)
            return None
        delay: float = min(MAX_BACKOFF, 0.5 * 2.0**failures)
        self.retry(job, delay, error)
        return delay

    def fail(self, job: Job, error: str) -> None:
        """Give the call up (the hook hears why)."""
        with Session(self.engine) as session, session.begin():
            row = session.get(OutboxMessage, job.id)
            if row is not None:
                mark_failed(session, message=row, error=error, now=self.clock())
                if self.on_failed is not None:
                    self.on_failed(session, job, error)

    def drop(self, job: Job, reason: str) -> None:
        """Nobody can use the call any more (a callback answer Telegram calls too old)."""
        with Session(self.engine) as session, session.begin():
            row = session.get(OutboxMessage, job.id)
            if row is not None:
                mark_dropped(session, message=row, reason=reason)

    def thread_lost(self, job: Job, error: str) -> None:
        """The forum topic was deleted: the hook re-creates it and queues the call again."""
        with Session(self.engine) as session, session.begin():
            row = session.get(OutboxMessage, job.id)
            if row is None:
                return
            requeued = self.on_thread_lost is not None and self.on_thread_lost(session, job)
            note = f"{error}; queued again in a new topic" if requeued else error
            mark_failed(session, message=row, error=note, now=self.clock())
            if not requeued and self.on_failed is not None:
                self.on_failed(session, job, error)

    def unreachable(self, job: Job, error: str) -> None:
        """The user blocked the bot: stop sending to them and say so on their tickets."""
        now = self.clock()
        with Session(self.engine) as session, session.begin():
            row = session.get(OutboxMessage, job.id)
            if row is not None:
                mark_failed(session, message=row, error=error, now=now)
            drop_pending_for_chat(session, chat_id=job.chat_id, reason=error, now=now)
            mark_chat_unreachable(session, chat_id=job.chat_id, now=now)
            ticket = session.get(Ticket, job.ticket_id) if job.ticket_id else None
            if ticket is not None:
                add_event(
                    session, ticket=ticket, kind=EventKind.NOTE, actor=SYSTEM, now=now, text=error
                )
