"""Deliver the outbox: within Telegram's limits, in order per chat, retrying what can succeed.

One sender holds the rate limits (DESIGN.md): every `triagem run` process starts one, but only
the holder of the store's sender lease (storage/sender_lease.py) sends; the others wait and take
over when it stops or dies. The sender remembers which chats have a call in flight so a chat's
next message never overtakes the previous one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.telegram.driver import Driver
from bot.telegram.errors import (
    NotModified,
    RetryAfter,
    TelegramError,
    ThreadNotFound,
    Transient,
    Unreachable,
)
from bot.telegram.rate_limits import RateLimiter
from storage import OutboxMessage, Ticket, User, add_event, due_messages, mark_unreachable
from storage.history import SYSTEM, EventKind
from storage.outbox import drop_pending_for_chat, mark_failed, mark_sent, retry_later
from storage.sender_lease import SenderLease, sender_lease

log = logging.getLogger(__name__)

# Methods whose params take no chat_id, and calls Telegram's flood limits do not count.
WITHOUT_CHAT = frozenset({"answerCallbackQuery", "setMyCommands"})
UNLIMITED = frozenset({"answerCallbackQuery", "sendChatAction", "setMyCommands"})
MAX_BACKOFF = 60.0
# One spare token overall: a send that starts late (a busy event loop) is caught up on the next
# one instead of being lost for good; at most 31 messages in any second, 30/s in the long run.
GLOBAL_BURST = 2

# Called after a successful call: (session, job, Telegram's result) -> None.
SentHook = Callable[[Session, "Job", Any], None]
# Called once a call is given up: (session, job, Telegram's error description) -> None.
FailedHook = Callable[[Session, "Job", str], None]
# The params to send for a due row, filled in at send time (e.g. a forum topic created since).
ParamsResolver = Callable[[Session, "Job"], Mapping[str, Any]]
# A call's forum topic is gone: (session, job) -> True when the hook queued it again.
ThreadLostHook = Callable[[Session, "Job"], bool]


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


class Sender:
    """Sends due outbox messages with bounded concurrency; `run` until stopped."""

    def __init__(
        self,
        engine: Engine,
        driver: Driver,
        clock: Callable[[], datetime],
        *,
        limiter: RateLimiter | None = None,
        concurrency: int = 8,
        batch: int = 32,
        max_attempts: int = 8,
        idle_poll: float = 0.2,
        on_sent: SentHook | None = None,
        on_failed: FailedHook | None = None,
        resolve_params: ParamsResolver | None = None,
        on_thread_lost: ThreadLostHook | None = None,
        lease: SenderLease | None = None,
        lease_retry: float = 2.0,
        lease_check: float = 1.0,
    ) -> None:
        self.engine = engine
        self.driver = driver
        self.clock = clock
        self.limiter = limiter or RateLimiter(time.monotonic, global_burst=GLOBAL_BURST)
        self.concurrency = concurrency
        self.batch = batch
        self.max_attempts = max_attempts
        self.idle_poll = idle_poll
        self.on_sent = on_sent
        self.on_failed = on_failed
        self.resolve_params = resolve_params
        self.on_thread_lost = on_thread_lost
        # Only one sender per store sends: the lease's holder. Others retry every `lease_retry`
        # seconds; the holder checks every `lease_check` seconds that it still has the lease.
        self.lease = lease if lease is not None else sender_lease(engine)
        self.lease_retry = lease_retry
        self.lease_check = lease_check
        self._wake = asyncio.Event()
        self._in_flight: set[int] = set()
        # 429s per outbox id: Telegram pacing us, not failures, so they neither use up
        # max_attempts nor grow the 5xx backoff (forgotten on restart: counted as failures then).
        self._throttled: dict[int, int] = {}

    def wake(self) -> None:
        """New messages were queued."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set, while this process's sender holds the store's lease.

        A sender that finds the lease taken stays idle and tries again every `lease_retry`
        seconds, so it takes over once the holder stops or dies; calls in flight are finished
        first when stopping or when the lease is lost.
        """
        waiting = False
        try:
            while not stop.is_set():
                if await asyncio.to_thread(self.lease.acquire):
                    log.info("this process is now the outbox sender (%s)", self.lease.description)
                    if waiting:
                        # Taking over: a holder that lost its lease but still runs needs up to
                        # one check to notice and a moment to finish its calls in flight.
                        await self._pause(stop, 2 * self.lease_check)
                    waiting = False
                    await self._deliver(stop)
                    if stop.is_set():
                        break
                    log.warning("outbox sender lost %s; stopped sending", self.lease.description)
                    self.lease.release()
                elif not waiting:
                    log.info(
                        "another process's outbox sender holds %s; this one waits to take over",
                        self.lease.description,
                    )
                    waiting = True
                await self._pause(stop, self.lease_retry)
        finally:
            # Synchronous, so that a cancelled task gives the lease up too.
            self.lease.release()

    @staticmethod
    async def _pause(stop: asyncio.Event, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds)

    async def _deliver(self, stop: asyncio.Event) -> None:
        """Send until `stop` is set or the lease is lost; calls in flight are finished first."""
        tasks: set[asyncio.Task[None]] = set()
        checked = time.monotonic()
        while not stop.is_set():
            if time.monotonic() - checked >= self.lease_check:
                if not await asyncio.to_thread(self.lease.alive):
                    break
                checked = time.monotonic()
            self._wake.clear()
            pause = self.idle_poll
            room = self.concurrency - len(tasks)
            jobs = []
            if room > 0:
                # Chats out of their own limit are left out of the query, or the oldest heads
                # (the chats just written to) would fill every batch and starve the others.
                limited = self.limiter.limited_chats()
                jobs = await asyncio.to_thread(self._due, set(self._in_flight), limited)
            started = 0
            for job in jobs:
                if len(tasks) >= self.concurrency:
                    break
                wait = 0.0 if job.method in UNLIMITED else self.limiter.acquire(job.chat_id)
                if wait > 0:
                    pause = min(pause, wait)
                    continue
                self._in_flight.add(job.chat_id)
                task = asyncio.create_task(self._send(job))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                started += 1
            if started == 0 or len(tasks) >= self.concurrency:
                # Wait for a slot, new messages, the next token, or the next poll.
                await self._idle(stop, tasks, pause)
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _idle(
        self, stop: asyncio.Event, tasks: set[asyncio.Task[None]], pause: float
    ) -> None:
        waiters: set[asyncio.Future[Any]] = {
            asyncio.ensure_future(stop.wait()),
            asyncio.ensure_future(self._wake.wait()),
        }
        waiters |= set(tasks)
        _, pending = await asyncio.wait(waiters, timeout=pause, return_when=asyncio.FIRST_COMPLETED)
        for waiter in pending:
            if waiter not in tasks:
                waiter.cancel()

    def _due(self, busy: set[int], limited: set[int]) -> list[Job]:
        with Session(self.engine) as session, session.begin():
            rows = due_messages(
                session,
                now=self.clock(),
                limit=self.batch,
                busy_chats=busy,
                limited_chats=limited,
                unlimited_methods=UNLIMITED,
            )
            jobs = [
                Job(r.id or 0, r.chat_id, r.method, dict(r.params), r.attempts, r.kind, r.ticket_id)
                for r in rows
            ]
            if self.resolve_params is None:
                return jobs
            resolve = self.resolve_params
            return [replace(job, params=dict(resolve(session, job))) for job in jobs]

    async def _send(self, job: Job) -> None:
        params = dict(job.params)
        if job.method not in WITHOUT_CHAT:
            params["chat_id"] = job.chat_id
        try:
            try:
                result: Any = await self.driver.call(job.method, params)
            except NotModified:
                result = None  # the edit is already there: done
            except RetryAfter as exc:
                until = time.monotonic() + exc.retry_after
                self.limiter.pause_chat(job.chat_id, until)
                self.limiter.pause_all(until)
                self._throttled[job.id] = self._throttled.get(job.id, 0) + 1
                await asyncio.to_thread(self._retry, job, exc.retry_after, exc.description)
                return
            except Transient as exc:
                await asyncio.to_thread(self._backoff, job, exc.description)
                return
            except Unreachable as exc:
                await asyncio.to_thread(self._unreachable, job, exc.description)
                return
            except ThreadNotFound as exc:
                await asyncio.to_thread(self._thread_lost, job, exc.description)
                return
            except TelegramError as exc:
                log.warning("outbox %s %s refused: %s", job.id, job.method, exc.description)
                await asyncio.to_thread(self._fail, job, exc.description)
                return
            self._throttled.pop(job.id, None)
            await asyncio.to_thread(self._sent, job, result)
        finally:
            self._in_flight.discard(job.chat_id)
            self._wake.set()

    def _sent(self, job: Job, result: Any) -> None:
        message_id = result.get("message_id") if isinstance(result, Mapping) else None
        with Session(self.engine) as session, session.begin():
            row = session.get(OutboxMessage, job.id)
            if row is None:
                return
            mark_sent(session, message=row, telegram_message_id=message_id, now=self.clock())
            if self.on_sent is not None:
                self.on_sent(session, job, result)

    def _retry(self, job: Job, after: float, error: str) -> None:
        with Session(self.engine) as session, session.begin():
            row = session.get(OutboxMessage, job.id)
            if row is not None:
                not_before = self.clock() + timedelta(seconds=after)
                retry_later(session, message=row, not_before=not_before, error=error)

    def _backoff(self, job: Job, error: str) -> None:
        failures = job.attempts - self._throttled.get(job.id, 0)
        if failures + 1 >= self.max_attempts:
            self._throttled.pop(job.id, None)
            self._fail(job, error)
            return
        self._retry(job, min(MAX_BACKOFF, 0.5 * 2**failures), error)

    def _fail(self, job: Job, error: str) -> None:
        with Session(self.engine) as session, session.begin():
            row = session.get(OutboxMessage, job.id)
            if row is not None:
                mark_failed(session, message=row, error=error, now=self.clock())
                if self.on_failed is not None:
                    self.on_failed(session, job, error)

    def _thread_lost(self, job: Job, error: str) -> None:
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

    def _unreachable(self, job: Job, error: str) -> None:
        """The user blocked the bot: stop sending to them and say so on their tickets."""
        now = self.clock()
        with Session(self.engine) as session, session.begin():
            row = session.get(OutboxMessage, job.id)
            if row is not None:
                mark_failed(session, message=row, error=error, now=now)
            drop_pending_for_chat(session, chat_id=job.chat_id, reason=error, now=now)
            for user in session.exec(select(User).where(User.chat_id == job.chat_id)).all():
                mark_unreachable(session, user_id=user.id or 0, now=now)
            ticket = session.get(Ticket, job.ticket_id) if job.ticket_id else None
            if ticket is not None:
                add_event(
                    session, ticket=ticket, kind=EventKind.NOTE, actor=SYSTEM, now=now, text=error
                )
