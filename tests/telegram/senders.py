"""A sender under test: a lease the test controls, and the sender running in the background."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from bot.telegram.driver import Driver
from bot.telegram.sender import Sender


class Lease:
    """A lease the test controls: `free` says whether it can be taken, `lose` takes it away."""

    description = "the test's lease"

    def __init__(self, *, free: bool = True) -> None:
        self.free = free
        self.held = False
        self.acquired = 0

    def acquire(self) -> bool:
        if self.free and not self.held:
            self.held = True
            self.acquired += 1
        return self.held

    def alive(self) -> bool:
        return self.held

    def release(self) -> None:
        self.held = False

    def lose(self) -> None:
        """Another process took the lease (as after this holder's connection was lost)."""
        self.held = False
        self.free = False


@asynccontextmanager
async def in_background(sender: Sender, stop_within: float = 5) -> AsyncIterator[Sender]:
    """`sender` running until the block ends, then stopped (within `stop_within` seconds)."""
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    try:
        yield sender
    finally:
        stop.set()
        await asyncio.wait_for(task, stop_within)


@asynccontextmanager
async def running(
    engine: Engine, driver: Driver, lease: Lease, **options: Any
) -> AsyncIterator[Sender]:
    """A sender with the test's lease, running in the background for the duration of the block."""
    sender = Sender(engine, driver, lambda: datetime.now(UTC), lease=lease, **options)
    async with in_background(sender):
        yield sender
    assert not lease.held, "the sender gives its lease up when it stops"
