"""Group commit of webhook deliveries: what arrives while a batch is stored goes in the next one."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.telegram.batching import Batches


class BlockingInbox:
    """Records each batch; the first batch waits until `release` is set."""

    def __init__(self, fail_batches: int = 0) -> None:
        self.batches: list[list[int]] = []
        self.entered = asyncio.Event()
        self.release = asyncio.Event()
        self.fail_batches = fail_batches

    async def store(self, updates: list[dict[str, Any]]) -> None:
        self.batches.append([u["update_id"] for u in updates])
        self.entered.set()
        await self.release.wait()
        if self.fail_batches:
            self.fail_batches -= 1
            raise RuntimeError("database is locked")


async def _queued(count: int) -> None:
    """Let `count` freshly created tasks reach their first await (pure loop scheduling)."""
    for _ in range(count + 1):
        await asyncio.sleep(0)


async def test_updates_arriving_while_a_batch_is_stored_go_in_the_next_batch_together() -> None:
    inbox = BlockingInbox()
    batches = Batches(inbox.store)
    first = asyncio.create_task(batches.store({"update_id": 1}))
    await inbox.entered.wait()
    rest = [asyncio.create_task(batches.store({"update_id": n})) for n in range(2, 7)]
    await _queued(len(rest))
    inbox.release.set()
    await asyncio.gather(first, *rest)
    assert inbox.batches == [[1], [2, 3, 4, 5, 6]]


async def test_a_batch_is_cut_at_its_maximum_size() -> None:
    inbox = BlockingInbox()
    batches = Batches(inbox.store, max_batch=2)
    first = asyncio.create_task(batches.store({"update_id": 1}))
    await inbox.entered.wait()
    rest = [asyncio.create_task(batches.store({"update_id": n})) for n in range(2, 7)]
    await _queued(len(rest))
    inbox.release.set()
    await asyncio.gather(first, *rest)
    assert inbox.batches == [[1], [2, 3], [4, 5], [6]]


async def test_every_caller_of_a_failed_batch_hears_the_failure_and_later_ones_do_not() -> None:
    inbox = BlockingInbox(fail_batches=1)
    batches = Batches(inbox.store)
    first = asyncio.create_task(batches.store({"update_id": 1}))
    await inbox.entered.wait()
    inbox.release.set()
    with pytest.raises(RuntimeError, match="locked"):
        await first
    await batches.store({"update_id": 1})  # delivered again, stored this time
    assert inbox.batches == [[1], [1]]


async def test_a_caller_that_goes_away_does_not_cancel_the_others_batch() -> None:
    inbox = BlockingInbox()
    batches = Batches(inbox.store)
    first = asyncio.create_task(batches.store({"update_id": 1}))
    await inbox.entered.wait()
    second = asyncio.create_task(batches.store({"update_id": 2}))
    third = asyncio.create_task(batches.store({"update_id": 3}))
    await _queued(2)
    first.cancel()
    second.cancel()
    inbox.release.set()
    await third
    assert inbox.batches == [[1], [2, 3]]
