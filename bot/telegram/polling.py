"""Long polling: each getUpdates answer is stored in one transaction, and only then confirmed.

getUpdates confirms every update below the `offset` it is called with, so the offset only moves
past an answer's updates once `store_updates` has committed them all. A crash before that means
Telegram delivers them again; `store_updates` must therefore accept update_ids it already holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from bot.telegram.api_errors import RetryAfter, Transient
from bot.telegram.driver import Driver
from bot.telegram.fault_log import handled

log = logging.getLogger(__name__)
T = TypeVar("T")
StoreUpdates = Callable[[list[dict[str, Any]]], Awaitable[None]]
# Waits `seconds` or until the event is set (injected so tests need not wait in real time).
Wait = Callable[[float, asyncio.Event], Awaitable[None]]


async def poll(
    driver: Driver,
    *,
    store_updates: StoreUpdates,
    offset: int | None,
    timeout: int,
    stop: asyncio.Event,
    limit: int = 100,
    backoff_base: float = 0.5,
    backoff_cap: float = 30.0,
    wait: Wait | None = None,
) -> None:
    """Fetch and store updates until `stop` is set; other driver errors propagate."""
    pause = wait or _sleep
    failures = 0
    while not stop.is_set():
        try:
            fetch = driver.get_updates(offset=offset, timeout=timeout, limit=limit)
            updates = await _unless_stopped(fetch, stop)
        except RetryAfter as exc:
            handled("getUpdates", None, "429 Too Many Requests", exc.retry_after)
            await pause(exc.retry_after, stop)
            continue
        except Transient as exc:
            failures += 1
            delay = min(backoff_cap, backoff_base * 2 ** min(failures - 1, 32))
            fault = exc.description
            if "conflict" in fault.lower():
                fault += " (a webhook or another poller?)"
            handled("getUpdates", None, fault, delay)
            await pause(delay, stop)
            continue
        if updates is None:
            return
        offset, stored = await _store(updates, store_updates, offset)
        if stored:
            failures = 0
        else:
            failures += 1
            await pause(min(backoff_cap, backoff_base * 2 ** (failures - 1)), stop)


async def _store(
    updates: list[dict[str, Any]], store_updates: StoreUpdates, offset: int | None
) -> tuple[int | None, bool]:
    """Store the answer as one batch: the offset confirming it once committed, and whether it was
    stored."""
    if not updates:
        return offset, True
    try:
        await store_updates(updates)
    except Exception:
        first, last = updates[0]["update_id"], updates[-1]["update_id"]
        log.exception("could not store updates %s to %s; they will come again", first, last)
        return offset, False
    return max(int(update["update_id"]) for update in updates) + 1, True


async def _unless_stopped(work: Coroutine[Any, Any, T], stop: asyncio.Event) -> T | None:
    """The result of `work`, or None (and `work` cancelled) if `stop` is set first."""
    task = asyncio.ensure_future(work)
    stopper = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    return None if task.cancelled() else task.result()


async def _sleep(seconds: float, stop: asyncio.Event) -> None:
    """Sleep, but wake as soon as `stop` is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
