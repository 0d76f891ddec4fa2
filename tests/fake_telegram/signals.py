"""A level-free wake-up signal: waiters sleep until the next `fire()` or a timeout."""

from __future__ import annotations

import asyncio


class Pulse:
    """Wakes every coroutine currently waiting; later waiters wait for the next fire."""

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None

    def fire(self) -> None:
        """Wake all current waiters."""
        if self._event is not None:
            self._event.set()
            self._event = None

    async def wait(self, timeout: float | None) -> bool:
        """Sleep until fired (True) or until `timeout` seconds pass (False)."""
        if self._event is None:
            self._event = asyncio.Event()
        event = self._event
        if timeout is not None and timeout <= 0:
            return False
        try:
            # asyncio.timeout, unlike wait_for on 3.11, never swallows a cancellation.
            async with asyncio.timeout(timeout):
                await event.wait()
        except TimeoutError:
            return False
        return True
