"""Group commit for webhook deliveries: posts that arrive together are stored in one transaction.

Telegram sends webhook updates over several connections at once. Each POST waits for its update
to be stored; while one batch is being stored, the posts arriving meanwhile queue up and go in
the next batch together. An idle bot stores a lone update at once (a batch of one), a burst is
stored at the rate of transactions times their size.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

StoreUpdates = Callable[[list[dict[str, Any]]], Awaitable[None]]
MAX_BATCH = 100  # as many as one getUpdates answer holds


class Batches:
    """Stores updates handed in one by one, in batches, each caller awaiting its own."""

    def __init__(self, store_updates: StoreUpdates, max_batch: int = MAX_BATCH) -> None:
        self._store_updates = store_updates
        self._max_batch = max_batch
        self._waiting: list[tuple[dict[str, Any], asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def store(self, update: dict[str, Any]) -> None:
        """Return once `update` is committed; raise what storing its batch raised."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        # Marks a failure as seen even when its caller went away before hearing of it.
        done.add_done_callback(lambda f: f.cancelled() or f.exception())
        self._waiting.append((update, done))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        # A caller that goes away (the connection dropped) must not cancel the others' batch.
        await asyncio.shield(done)

    async def _flush(self) -> None:
        while self._waiting:
            batch = self._waiting[: self._max_batch]
            del self._waiting[: self._max_batch]
            try:
                await self._store_updates([update for update, _ in batch])
            except Exception as exc:  # every caller of the batch answers the failure
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
            else:
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)
