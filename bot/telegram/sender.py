"""Deliver the outbox: within Telegram's limits, in order per chat, retrying what can succeed.

One sender holds the rate limits (DESIGN.md): every `triagem run` process starts one, but only
the holder of the store's sender lease (storage/sender_lease.py) sends; the others wait and take
over when it stops or dies. Rows go out through the lanes of `bot/telegram/lanes.py` (callback
answers first, then users' chats, then the agents' groups), each with calls in flight of its
own; the sender remembers which chats have a call in flight so a chat's next message never
overtakes the previous one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from bot.telegram.api_errors import (
    NotModified,
    QueryTooOld,
    RetryAfter,
    TelegramError,
    ThreadNotFound,
    Transient,
    Unreachable,
)
from bot.telegram.driver import Driver
from bot.telegram.fault_log import handled
from bot.telegram.lanes import INSTANT, LANES, WITHOUT_CHAT, Lane
from bot.telegram.rate_limits import RateLimiter, Slot
from bot.telegram.send_outcomes import FailedHook, Job, Outcomes, SentHook, ThreadLostHook
from bot.telegram.sent_journal import SentJournal, sent_journal
from storage import due_messages
from storage.sender_lease import SenderLease, sender_lease

__all__ = ["LANES", "FailedHook", "Job", "ParamsResolver", "Sender", "SentHook", "ThreadLostHook"]

log = logging.getLogger(__name__)

# How soon before the overall window frees a place the sender fetches the rows for it (s).
LEAD = 0.02
# The params to send for a due row, filled in at send time (e.g. a forum topic created since).
ParamsResolver = Callable[[Session, Job], Mapping[str, Any]]


class Sender:
    """Sends due outbox messages lane by lane within the limits; `run` until stopped."""

    def __init__(
        self,
        engine: Engine,
        driver: Driver,
        clock: Callable[[], datetime],
        *,
        limiter: RateLimiter | None = None,
        lanes: tuple[Lane, ...] = LANES,
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
        journal: SentJournal | bool = True,
    ) -> None:
        self.engine = engine
        self.driver = driver
        self.clock = clock
        self.limiter = limiter or RateLimiter(time.monotonic)
        self.lanes = lanes
        self.batch = batch
        self.idle_poll = idle_poll
        self.resolve_params = resolve_params
        self.outcomes = Outcomes(engine, clock, max_attempts, on_sent, on_failed, on_thread_lost)
        # True: the store's journal (bot/telegram/sent_journal.py); False: none.
        self.journal = sent_journal(engine) if journal is True else journal or None
        # Only one sender per store sends: the lease's holder. Others retry every `lease_retry`
        # seconds; the holder checks every `lease_check` seconds that it still has the lease.
        self.lease = lease if lease is not None else sender_lease(engine)
        self.lease_retry = lease_retry
        self.lease_check = lease_check
        self._wake = asyncio.Event()
        # Set once this sender holds the lease and has replayed the journal (before any send).
        self.replayed = asyncio.Event()
        self._unrecorded: list[tuple[Job, Any, asyncio.Future[None]]] = []
        self._recording: asyncio.Task[None] | None = None
        self._in_flight: set[int] = set()  # chats of the ordered lanes with a call in flight
        self._sending: set[int] = set()  # outbox ids in flight (unordered lanes fetch them again)
        self._tasks: dict[str, set[asyncio.Task[None]]] = {lane.name: set() for lane in lanes}
        # Answers are recorded on a thread of their own (made by `run`), never queued behind
        # other threaded work: until a sent call is recorded, a kill -9 means sending it twice.
        self._recorder: ThreadPoolExecutor | None = None
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
        self._recorder = ThreadPoolExecutor(1, thread_name_prefix="outbox-recorder")
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
            self._recorder.shutdown(wait=False)
            if self.journal is not None:
                self.journal.close()

    @staticmethod
    async def _pause(stop: asyncio.Event, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds)

    async def _deliver(self, stop: asyncio.Event) -> None:
        """Send until `stop` is set or the lease is lost; calls in flight are finished first."""
        await self._replay()
        checked = time.monotonic()
        while not stop.is_set():
            if time.monotonic() - checked >= self.lease_check:
                if not await asyncio.to_thread(self.lease.alive):
                    break
                checked = time.monotonic()
            self._wake.clear()
            pause = self.idle_poll
            open_lanes = [lane for lane in self.lanes if self._room(lane) > 0]
            batches: dict[str, list[Job]] = {}
            if open_lanes:
                # Chats out of their own window are left out of the query, or the oldest heads
                # (the chats just written to) would fill every batch and starve the others.
                limited = self.limiter.limited_chats()
                busy = set(self._in_flight)
                # A row in flight when the query starts may be recorded as sent while it runs:
                # it must not come back from this query (it would be sent twice).
                sending = set(self._sending)
                batches = await asyncio.to_thread(self._due, open_lanes, busy, limited)
                batches = {
                    name: [job for job in jobs if job.id not in sending]
                    for name, jobs in batches.items()
                }
            started, pause, full = self._start(batches, pause)
            while 0 < full <= LEAD and not stop.is_set():
                # The overall window frees a place within LEAD: wait for it with the rows in
                # hand rather than query again after it (the round trip to the store would be
                # time lost from every place, each second).
                await asyncio.sleep(full)
                more, pause, full = self._start(batches, self.idle_poll)
                started += more
            if full > LEAD:
                pause = min(pause, full - LEAD)  # query just ahead of the next free place
            if started == 0 or not any(self._room(lane) > 0 for lane in self.lanes):
                # Wait for an answer, new messages, the next free place, or the next poll.
                await self._idle(stop, pause)
        tasks = [task for lane_tasks in self._tasks.values() for task in lane_tasks]
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _replay(self) -> None:
        """Before sending anything: record what the journal says Telegram already accepted."""
        journal = self.journal
        if journal is None:
            self.replayed.set()
            return
        accepted = journal.entries()
        if accepted:
            replayed = await self._record(self.outcomes.replay, accepted)
            log.info("%d call(s) accepted before a restart recorded from the journal", replayed)
        journal.clear()
        self.replayed.set()

    def _room(self, lane: Lane) -> int:
        return lane.concurrency - len(self._tasks[lane.name])

    def _start(self, batches: dict[str, list[Job]], pause: float) -> tuple[int, float, float]:
        """Start what the limits allow, lane by lane in priority order, taking the started jobs
        out of `batches`: (started, pause, wait of the overall window when it stopped us)."""
        started = 0
        for lane in self.lanes:
            jobs = batches.get(lane.name, [])
            for job in list(jobs):
                if self._room(lane) <= 0:
                    break
                if job.id in self._sending:
                    continue
                own_chat = lane.own_chat(job.method)
                slot = self.limiter.acquire(job.chat_id, own_chat=own_chat)
                if slot is None:
                    pause = min(pause, self.limiter.delay(job.chat_id, own_chat=own_chat))
                    full = self.limiter.overall_delay()
                    if full > 0:
                        # The overall window is full: the next free place goes to the first
                        # lane again, never to a later lane's row fetched in this round.
                        return started, pause, full
                    continue
                jobs.remove(job)
                if lane.ordered:
                    self._in_flight.add(job.chat_id)
                self._sending.add(job.id)
                task = asyncio.create_task(self._send(lane, job, slot))
                tasks = self._tasks[lane.name]
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                started += 1
        return started, pause, 0.0

    async def _idle(self, stop: asyncio.Event, pause: float) -> None:
        waiters: set[asyncio.Future[Any]] = {
            asyncio.ensure_future(stop.wait()),
            asyncio.ensure_future(self._wake.wait()),
        }
        tasks = {task for lane_tasks in self._tasks.values() for task in lane_tasks}
        _, pending = await asyncio.wait(
            waiters | tasks, timeout=pause, return_when=asyncio.FIRST_COMPLETED
        )
        for waiter in pending:
            if waiter not in tasks:
                waiter.cancel()

    def _due(self, lanes: list[Lane], busy: set[int], limited: set[int]) -> dict[str, list[Job]]:
        with Session(self.engine) as session, session.begin():
            batches: dict[str, list[Job]] = {}
            for lane in lanes:
                rows = due_messages(
                    session,
                    now=self.clock(),
                    limit=self.batch,
                    busy_chats=busy if lane.ordered else (),
                    limited_chats=limited if lane.ordered else (),
                    methods=lane.methods,
                    skip_methods=() if lane.methods is not None else INSTANT,
                    chats=lane.chats,
                    heads_only=lane.ordered,
                )
                jobs = [
                    Job(
                        r.id or 0,
                        r.chat_id,
                        r.method,
                        dict(r.params),
                        r.attempts,
                        r.kind,
                        r.ticket_id,
                    )
                    for r in rows
                ]
                if self.resolve_params is not None:
                    resolve = self.resolve_params
                    jobs = [replace(job, params=dict(resolve(session, job))) for job in jobs]
                batches[lane.name] = jobs
            return batches

    async def _send(self, lane: Lane, job: Job, slot: Slot) -> None:
        params = dict(job.params)
        if job.method not in WITHOUT_CHAT:
            params["chat_id"] = job.chat_id
        try:
            try:
                result: Any = await self.driver.call(job.method, params)
            except NotModified:
                result = None  # the edit is already there: done
            except TelegramError as exc:
                self.limiter.finish(slot)
                await self._refused(job, exc)
                return
            except BaseException:
                self.limiter.finish(slot)
                raise
            if self.journal is not None:
                self.journal.accepted(job.id, result)  # first: a kill from here on loses nothing
            self.limiter.finish(slot)
            self._throttled.pop(job.id, None)
            # The chat stays in flight until its row says sent, or the row would come again.
            await self._note_sent(job, result)
        finally:
            if lane.ordered:
                self._in_flight.discard(job.chat_id)
            self._sending.discard(job.id)
            self._wake.set()

    async def _note_sent(self, job: Job, result: Any) -> None:
        """Record the call as sent, together with every other answer waiting to be recorded."""
        noted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._unrecorded.append((job, result, noted))
        if self._recording is None or self._recording.done():
            self._recording = asyncio.create_task(self._record_sent())
        await noted

    async def _record_sent(self) -> None:
        # Group commit: answers that came while the last batch was being written go together.
        while self._unrecorded:
            batch, self._unrecorded = self._unrecorded, []
            try:
                await self._record(self.outcomes.sent, [(job, result) for job, result, _ in batch])
                outcomes: list[Exception | None] = [None] * len(batch)
            except Exception:  # one row's failure must not hold the others back: one by one
                log.exception("recording %d sent calls together failed", len(batch))
                outcomes = [await self._record_one(job, result) for job, result, _ in batch]
            for (_, _, noted), error in zip(batch, outcomes, strict=True):
                if error is None and self.journal is not None:
                    self.journal.recorded()
                if noted.done():
                    continue
                if error is None:
                    noted.set_result(None)
                else:
                    noted.set_exception(error)

    async def _record_one(self, job: Job, result: Any) -> Exception | None:
        try:
            await self._record(self.outcomes.sent, [(job, result)])
        except Exception as exc:  # left pending (and in the journal): sent again or replayed
            log.exception("recording outbox %s as sent failed", job.id)
            return exc
        return None

    async def _refused(self, job: Job, exc: TelegramError) -> None:
        if not isinstance(exc, RetryAfter):
            await self._failed(job, exc)
            return
        chat = None if job.method in WITHOUT_CHAT else job.chat_id
        scope = self.limiter.throttled(chat, exc.retry_after)
        self._throttled[job.id] = self._throttled.get(job.id, 0) + 1
        await self._record(self.outcomes.retry, job, exc.retry_after, exc.description)
        handled(job.method, chat, f"429 Too Many Requests ({scope} paused)", exc.retry_after)

    async def _failed(self, job: Job, exc: TelegramError) -> None:
        outcomes = self.outcomes
        if isinstance(exc, QueryTooOld):
            # Retrying cannot help: the user's button stopped waiting for this answer.
            log.info("outbox %s %s dropped: %s", job.id, job.method, exc.description)
            await self._record(outcomes.drop, job, exc.description)
        elif isinstance(exc, Transient):
            throttled = self._throttled.get(job.id, 0)
            delay = await self._record(outcomes.backoff, job, exc.description, throttled)
            if delay is None:
                self._throttled.pop(job.id, None)
            chat = None if job.method in WITHOUT_CHAT else job.chat_id
            handled(job.method, chat, exc.description, delay)
        elif isinstance(exc, Unreachable):
            await self._record(outcomes.unreachable, job, exc.description)
        elif isinstance(exc, ThreadNotFound):
            await self._record(outcomes.thread_lost, job, exc.description)
        else:
            log.warning("outbox %s %s refused: %s", job.id, job.method, exc.description)
            await self._record(outcomes.fail, job, exc.description)

    async def _record(self, outcome: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._recorder, outcome, *args)
