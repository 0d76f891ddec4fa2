"""Clocks for the fake server: real time, or a manual clock that tests move forward."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the time as Unix seconds (float)."""

    def now(self) -> float: ...


class RealClock:
    """Wall-clock start plus monotonic progress, so rate limits never see time go back."""

    def __init__(self) -> None:
        self._origin_wall = time.time()
        self._origin_mono = time.monotonic()

    def now(self) -> float:
        """Current Unix time in seconds."""
        return self._origin_wall + (time.monotonic() - self._origin_mono)


class ManualClock:
    """A clock that only moves when a test calls `advance` or `set`."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = start

    def now(self) -> float:
        """Current (frozen) Unix time in seconds."""
        return self._now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        if seconds < 0:
            raise ValueError("a clock does not go back")
        self._now += seconds

    def set(self, when: float) -> None:
        """Jump to an absolute time that is not earlier than now."""
        if when < self._now:
            raise ValueError("a clock does not go back")
        self._now = when
