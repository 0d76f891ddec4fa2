"""Delivery of updates to the bot's webhook: POST each, retry until it answers 200."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from .models import WebhookDelivery
from .state import FakeState

InlineExecutor = Callable[[dict[str, Any]], Awaitable[None]]


def update_chat_id(update: dict[str, Any]) -> int | None:
    """The chat an update belongs to (updates of one chat are delivered one at a time)."""
    for kind, payload in update.items():
        if kind == "update_id" or not isinstance(payload, dict):
            continue
        chat = payload.get("chat") or (payload.get("message") or {}).get("chat")
        if isinstance(chat, dict):
            return int(chat["id"])
        sender = payload.get("from")
        if isinstance(sender, dict):
            return int(sender["id"])
    return None


class WebhookDeliverer:
    """Background task: up to max_connections chats in parallel, in order within a chat."""

    def __init__(
        self,
        state: FakeState,
        execute_inline: InlineExecutor,
        *,
        timeout: float = 10.0,
        retry_base: float = 0.05,
        retry_max: float = 1.0,
    ) -> None:
        self.state = state
        self.execute_inline = execute_inline
        self.timeout = timeout
        self.retry_base = retry_base
        self.retry_max = retry_max
        self.deliveries: list[WebhookDelivery] = []
        self._inflight: dict[int, tuple[int | None, asyncio.Task[None]]] = {}
        self._retry_at: dict[int, float] = {}
        self._attempts: dict[int, int] = {}

    async def run(self) -> None:
        """Deliver until cancelled."""
        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        try:
            while True:
                self._launch_ready(session)
                await self.state.updates.arrived.wait(self._next_wakeup())
        finally:
            tasks = [task for _, task in self._inflight.values()]
            for task in tasks:
                task.cancel()
            with contextlib.suppress(BaseException):
                await asyncio.gather(*tasks, return_exceptions=True)
            await session.close()

    def _next_wakeup(self) -> float:
        if not self._retry_at:
            return 0.5
        return max(0.005, min(self._retry_at.values()) - time.monotonic())

    def _launch_ready(self, session: aiohttp.ClientSession) -> None:
        hook = self.state.webhook
        pending_ids = {u["update_id"] for u in self.state.updates.pending}
        self._retry_at = {k: v for k, v in self._retry_at.items() if k in pending_ids}
        if not hook.url:
            self._retry_at.clear()
            return
        busy = {chat for chat, _ in self._inflight.values() if chat is not None}
        seen: set[int] = set()
        now = time.monotonic()
        for update in list(self.state.updates.pending):
            update_id = update["update_id"]
            chat = update_chat_id(update)
            if chat is not None:
                if chat in seen:
                    continue
                seen.add(chat)
            if update_id in self._inflight or (chat is not None and chat in busy):
                continue
            if self._retry_at.get(update_id, 0.0) > now:
                continue
            if len(self._inflight) >= hook.max_connections:
                break
            task = asyncio.create_task(self._deliver(session, hook.url, update))
            self._inflight[update_id] = (chat, task)

    async def _deliver(
        self, session: aiohttp.ClientSession, url: str, update: dict[str, Any]
    ) -> None:
        update_id = update["update_id"]
        headers = {}
        if self.state.webhook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.state.webhook.secret_token
        status: int | None = None
        error: str | None = None
        reply: Any = None
        try:
            async with session.post(url, json=update, headers=headers) as response:
                status = response.status
                if status == 200 and response.content_type == "application/json":
                    reply = await response.json()
                else:
                    await response.read()
                    if status != 200:
                        error = f"Wrong response from the webhook: {status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = (
                "Connection refused"
                if isinstance(exc, aiohttp.ClientConnectionError)
                else ("Read timeout expired")
            )
        finally:
            self._inflight.pop(update_id, None)
        self.deliveries.append(WebhookDelivery(update_id, status, error, self.state.clock.now()))
        if status == 200:
            self._succeeded(update_id)
            if isinstance(reply, dict) and "method" in reply:
                await self.execute_inline(reply)
        else:
            self._failed(update_id, error or "")
        self.state.updates.arrived.fire()
        self.state.changed.fire()

    def _succeeded(self, update_id: int) -> None:
        self.state.updates.remove(update_id)
        self._retry_at.pop(update_id, None)
        self._attempts.pop(update_id, None)

    def _failed(self, update_id: int, error: str) -> None:
        attempts = self._attempts.get(update_id, 0) + 1
        self._attempts[update_id] = attempts
        delay = min(self.retry_max, self.retry_base * 2 ** (attempts - 1))
        self._retry_at[update_id] = time.monotonic() + delay
        self.state.webhook.last_error_date = self.state.now()
        self.state.webhook.last_error_message = error
