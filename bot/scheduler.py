"""The runtime side of the durable timers: fire each due timer once, in its own transaction.

Features give a handler per kind (`Scheduler(..., handlers={"call_window": handler})`); a handler
gets the session and the claimed timer and writes its effects (outbox rows, state) in that
session, so the claim, the work and the messages commit or roll back together. No timer lives
in memory: the loop only decides when to look at the table again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session

from storage.queue_tables import Timer
from storage.timers import claim_due, next_due_at, record_failure

log = logging.getLogger(__name__)
TimerHandler = Callable[[Session, Timer], None]
# The longest the loop sleeps: the clock may be moved (tests) and other workers may schedule.
POLL_SECONDS = 1.0
# Timers fired per pass before yielding to the event loop.
BATCH = 50


class Scheduler:
    """Fires due timers through the handlers registered by kind."""

    def __init__(
        self,
        engine: Engine,
        clock: Callable[[], datetime],
        *,
        after_commit: Callable[[], None] | None = None,
        poll_seconds: float = POLL_SECONDS,
        handlers: Mapping[str, TimerHandler] | None = None,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.after_commit = after_commit
        self.poll_seconds = poll_seconds
        self.handlers: dict[str, TimerHandler] = dict(handlers or {})
        self._wake = asyncio.Event()

    def register(self, kind: str, handler: TimerHandler) -> None:
        """Run `handler` for timers of `kind` (one handler per kind)."""
        if kind in self.handlers:
            raise ValueError(f"a handler for timer kind {kind!r} is already registered")
        self.handlers[kind] = handler

    def wake(self) -> None:
        """Look at the table now (a timer may have been scheduled)."""
        self._wake.set()

    def fire_due(self, limit: int = BATCH) -> int:
        """Fire up to `limit` due timers, one transaction each; how many were fired."""
        fired = 0
        while fired < limit and self._fire_one():
            fired += 1
        if fired and self.after_commit is not None:
            self.after_commit()
        return fired

    async def run(self, stop: asyncio.Event) -> None:
        """Fire timers as they fall due until `stop` is set."""
        while not stop.is_set():
            fired = await asyncio.to_thread(self.fire_due)
            if fired == BATCH:
                continue
            delay = await asyncio.to_thread(self._delay)
            self._wake.clear()
            stopping = asyncio.ensure_future(stop.wait())
            waking = asyncio.ensure_future(self._wake.wait())
            await asyncio.wait({stopping, waking}, timeout=delay, return_when="FIRST_COMPLETED")
            for waiter in (stopping, waking):
                waiter.cancel()

    def _delay(self) -> float:
        with Session(self.engine) as session:
            due = next_due_at(session)
        if due is None:
            return self.poll_seconds
        return min(max((due - self.clock()).total_seconds(), 0.0), self.poll_seconds)

    def _fire_one(self) -> bool:
        now = self.clock()
        timer_id: int | None = None
        try:
            with Session(self.engine) as session, session.begin():
                timer = claim_due(session, now=now)
                if timer is None:
                    return False
                timer_id = timer.id
                handler = self.handlers.get(timer.kind)
                if handler is None:
                    # Fired with nothing to do: a kind no feature handles any more.
                    log.warning("timer %s: no handler for kind %r", timer.id, timer.kind)
                    return True
                handler(session, timer)
            return True
        except Exception as exc:  # a handler's bug must not stop every other timer
            if timer_id is None:
                raise
            log.exception("timer %s failed", timer_id)
            with Session(self.engine) as session, session.begin():
                record_failure(session, timer_id=timer_id, error=repr(exc), now=now)
            return True
