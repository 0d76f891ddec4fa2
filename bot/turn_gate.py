"""Turns share the knowledge base; a reload swaps it only when no turn is running.

A readers-writer gate: any number of turns (dispatcher batches) hold it together; a swap
waits for the running ones to end and holds new ones back until it is done, which takes
microseconds (a few attribute assignments). Writers are preferred, so a steady stream of turns
cannot keep a reload waiting forever.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class TurnGate:
    """Shared for turns, exclusive for a knowledge base swap."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._turns = 0
        self._swapping = False
        self._waiting_swaps = 0

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Hold the gate for one batch of turns (shared with other batches)."""
        with self._lock:
            self._lock.wait_for(lambda: not self._swapping and not self._waiting_swaps)
            self._turns += 1
        try:
            yield
        finally:
            with self._lock:
                self._turns -= 1
                self._lock.notify_all()

    @contextmanager
    def swap(self) -> Iterator[None]:
        """Hold the gate alone: no turn runs until the block ends."""
        with self._lock:
            self._waiting_swaps += 1
            self._lock.wait_for(lambda: not self._swapping and self._turns == 0)
            self._waiting_swaps -= 1
            self._swapping = True
        try:
            yield
        finally:
            with self._lock:
                self._swapping = False
                self._lock.notify_all()
