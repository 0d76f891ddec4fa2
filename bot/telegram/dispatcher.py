"""Process the inbox: each chat's updates in order, different chats concurrently.

Group commit: one transaction claims up to `batch_size` pending updates, at most one per chat
(the head of each), handles each (desk, replies queued in the outbox, update marked done) and
commits them all at once; a transaction costs a commit (an fsync on SQLite) and a claim query,
whatever the number of updates in it. A batch takes what is pending now: it never waits to fill
up. The price: a batch's replies reach the outbox together when it commits, and on SQLite it
holds the write lock throughout.

Optimistic: no savepoint per update (SQLAlchemy's cost ~0.4 ms of CPU per update, a third of a
turn; docs/benchmarks.md, "## Flows"). If anything in the batch raises, or the commit fails,
nothing of the batch is kept, and its updates are retried at once one per transaction, where a
failure is counted on its own: a poison update cannot take its batch down, nor loop. A crash
anywhere leaves updates pending and nothing half-done, and a committed update is never
processed again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from bot import log_fields
from bot.outbound import Outbound
from bot.telegram.updates import callback_query_id, to_incoming, update_chat_id
from bot.turn_gate import TurnGate
from bot.user_turn import Incoming, UserTurn
from storage import InboxUpdate, claim_updates, enqueue, fail_update, finish_update
from storage.inbox import InboxStatus, blank_update
from storage.traces import erased, take_erasure

log = logging.getLogger(__name__)

# Handles group (agent desk) updates; returns the calls to queue.
GroupHandler = Callable[[Session, Mapping[str, Any]], list[Outbound]]
# Sees private updates before the user flows (agents' own commands); None: not for it.
PrivateHandler = Callable[[Session, Mapping[str, Any]], list[Outbound] | None]


class Dispatcher:
    """Workers that drain the inbox; `wake()` is called when new updates are stored."""

    def __init__(
        self,
        engine: Engine,
        desk: UserTurn,
        clock: Callable[[], datetime],
        *,
        workers: int = 1,
        idle_poll: float = 0.5,
        group_handler: GroupHandler | None = None,
        after_commit: Callable[[], None] | None = None,
        private_handler: PrivateHandler | None = None,
        batch_size: int = 32,
        on_handled: Callable[[float], None] | None = None,
        gate: TurnGate | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.engine = engine
        self.desk = desk
        self.clock = clock
        self.workers = workers
        self.idle_poll = idle_poll
        self.group_handler = group_handler
        self.private_handler = private_handler
        # Called once a batch's replies are committed to the outbox (wakes the sender).
        self.after_commit = after_commit
        self.batch_size = batch_size
        # Called with the seconds each update took to handle (/metrics).
        self.on_handled = on_handled
        # Held by each batch, so a knowledge base reload swaps only between batches.
        self.gate = gate
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """New updates were stored: stop idling."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Run the workers until `stop` is set."""
        await asyncio.gather(*(self._worker(stop) for _ in range(self.workers)))

    async def _worker(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            if await asyncio.to_thread(self.process_batch):
                if self.after_commit is not None:
                    self.after_commit()
                continue
            self._wake.clear()
            waiters = {asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())}
            _, pending = await asyncio.wait(
                waiters, timeout=self.idle_poll, return_when=asyncio.FIRST_COMPLETED
            )
            for task in pending:
                task.cancel()

    def process_batch(self) -> int:
        """Handle up to `batch_size` claimable updates; how many were handled (0: none pending).

        Handled: processed, or its failed attempt counted; either way committed.
        """
        with self.gate.turn() if self.gate else contextlib.nullcontext():
            return self._process(self.batch_size)

    def process_one(self) -> bool:
        """Handle the next claimable update (a batch of one); False when there is none."""
        with self.gate.turn() if self.gate else contextlib.nullcontext():
            return self._process(1) > 0

    def _process(self, limit: int, among: Collection[int] | None = None) -> int:
        claimed: list[int] = []
        try:
            return self._transaction(claimed, limit, among)
        except Exception as exc:  # a bug, a lost race, the commit: nothing was committed
            log.exception("transaction of updates %s failed", claimed)
            if len(claimed) == 1:
                return self._record_failure(claimed[0], exc)
        # Each on its own: the others commit, and a poison update gets its failure counted.
        return sum(self._process(1, among=(update_id,)) for update_id in claimed)

    def _transaction(self, claimed: list[int], limit: int, among: Collection[int] | None) -> int:
        """Claim (ids appended to `claimed`), handle every update, commit once; any error
        propagates (and rolls the whole transaction back)."""
        with Session(self.engine) as session, session.begin():
            updates = claim_updates(session, limit=limit, now=self.clock(), among=among)
            # The payloads are read before expire_all below would make each a query again.
            # So are the ids its log records carry (update id, chat id).
            work: list[tuple[InboxUpdate, Mapping[str, Any], int, int | None]] = []
            for update in updates:
                assert update.id is not None  # a stored row
                claimed.append(update.id)
                work.append((update, update.payload, update.update_id, update.chat_id))
            for update, payload, update_id, chat_id in work:
                # Every update reads the store afresh, as in a session of its own: what an
                # earlier one loaded may have been changed by other workers since.
                session.expire_all()
                with log_fields.handling(update_id, chat_id):
                    self._handle(session, update, payload)
        return len(claimed)

    def _handle(self, session: Session, update: InboxUpdate, payload: Mapping[str, Any]) -> None:
        started = time.perf_counter()
        self._handle_update(session, update, payload)
        if self.on_handled is not None:
            self.on_handled(time.perf_counter() - started)

    def _handle_update(
        self, session: Session, update: InboxUpdate, payload: Mapping[str, Any]
    ) -> None:
        incoming = to_incoming(payload)
        for call in self._calls_for(session, payload, incoming):
            enqueue(
                session,
                chat_id=call.chat_id,
                method=call.method,
                params=call.params,
                now=self.clock(),
                kind=call.kind,
                ticket_id=call.ticket_id,
            )
        finish_update(session, update=update, now=self.clock())
        if incoming is not None and take_erasure(session, incoming.telegram_user_id):
            # The update that asked for the erasure names the user too (LGPD).
            blank_update(session, update=update, payload=erased())

    def _calls_for(
        self, session: Session, payload: Mapping[str, Any], incoming: Incoming | None
    ) -> list[Outbound]:
        calls: list[Outbound] = []
        if incoming is not None:
            handled = self.private_handler(session, payload) if self.private_handler else None
            calls += self.desk.handle(session, incoming) if handled is None else handled
        elif self.group_handler is not None:
            calls += self.group_handler(session, payload)
        chat_id = update_chat_id(payload)
        query_id = callback_query_id(payload)
        answered = any(call.method == "answerCallbackQuery" for call in calls)
        if query_id is not None and chat_id is not None and not answered:
            # Answered first, so the button stops spinning before the reply arrives.
            answer = {"callback_query_id": query_id}
            calls.insert(0, Outbound(chat_id, "answerCallbackQuery", answer, "callback"))
        return calls

    def _record_failure(self, update_id: int, exc: Exception) -> int:
        """Count a failed attempt in a transaction of its own; 1 once committed, else 0."""
        try:
            with Session(self.engine) as session, session.begin():
                update = session.get(InboxUpdate, update_id)
                if update is not None:
                    self._count_failure(session, update, exc)
            return 1
        except Exception:  # the store itself is failing: the update stays pending
            log.exception("could not record the failure of update %s", update_id)
            return 0

    def _count_failure(self, session: Session, update: InboxUpdate, exc: Exception) -> None:
        error = f"{type(exc).__name__}: {exc}"
        fail_update(session, update=update, error=error, now=self.clock())
        if update.status == InboxStatus.FAILED and update.chat_id is not None:
            # Given up: tell the user rather than leave them waiting in silence.
            text = self.desk.renderer.render("internal_error", {})
            params = {"text": text, "parse_mode": "HTML"}
            enqueue(
                session,
                chat_id=update.chat_id,
                method="sendMessage",
                params=params,
                now=self.clock(),
            )
