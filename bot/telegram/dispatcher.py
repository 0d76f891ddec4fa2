"""Process the inbox: each chat's updates in order, different chats concurrently.

One update is claimed, handled by the desk, its replies queued in the outbox and the update
marked done, all in ONE transaction: a crash anywhere leaves the update pending and nothing
half-done, and a committed update is never processed again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from bot.desk import Desk
from bot.outbound import Outbound
from bot.telegram.updates import callback_query_id, to_incoming, update_chat_id
from storage import InboxUpdate, claim_updates, enqueue, fail_update, finish_update
from storage.inbox import InboxStatus

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
        desk: Desk,
        clock: Callable[[], datetime],
        *,
        workers: int = 4,
        idle_poll: float = 0.5,
        group_handler: GroupHandler | None = None,
        after_commit: Callable[[], None] | None = None,
        private_handler: PrivateHandler | None = None,
    ) -> None:
        self.engine = engine
        self.desk = desk
        self.clock = clock
        self.workers = workers
        self.idle_poll = idle_poll
        self.group_handler = group_handler
        self.private_handler = private_handler
        # Called once an update's replies are committed to the outbox (wakes the sender).
        self.after_commit = after_commit
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """New updates were stored: stop idling."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Run the workers until `stop` is set."""
        await asyncio.gather(*(self._worker(stop) for _ in range(self.workers)))

    async def _worker(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            if await asyncio.to_thread(self.process_one):
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

    def process_one(self) -> bool:
        """Handle the next claimable update; False when there is none."""
        claimed_id: int | None = None
        try:
            with Session(self.engine) as session, session.begin():
                claimed = claim_updates(session, limit=1, now=self.clock())
                if not claimed:
                    return False
                update = claimed[0]
                claimed_id = update.id
                for call in self._calls_for(session, update.payload):
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
            return True
        except Exception as exc:  # a bug or a lost race must not stop the inbox
            log.exception("update %s failed", claimed_id)
            if claimed_id is None:
                return False
            self._record_failure(claimed_id, exc)
            return True

    def _calls_for(self, session: Session, payload: Mapping[str, Any]) -> list[Outbound]:
        calls: list[Outbound] = []
        incoming = to_incoming(payload)
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

    def _record_failure(self, update_id: int, exc: Exception) -> None:
        with Session(self.engine) as session, session.begin():
            update = session.get(InboxUpdate, update_id)
            if update is None:
                return
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
