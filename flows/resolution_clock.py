"""Resolution clocks: how much of a ticket's target has run, and when it warns and breaks.

Pure arithmetic over instants (timezone-aware; naive ones are UTC). A target counts running
time, or only the open time of a business calendar (weekday windows, holidays, closures);
either way the clock stops while the ticket waits for the user (`aguardando_usuario`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

# A warning once this share of the target has run (configurable: [clocks] warn_share).
WARN_SHARE = 0.8
# How far ahead a due time is searched for on a business calendar (a closed calendar has none).
HORIZON = timedelta(days=800)


class BusinessCalendar(Protocol):
    """What a clock needs of a calendar (knowledge_base.calendar.Calendar)."""

    def window_at(self, at: datetime) -> tuple[datetime, datetime] | None:
        """The (opening, closing) of the window `at` falls in, or None."""
        ...

    def next_opening(self, after: datetime) -> datetime | None:
        """The first opening strictly after `after`, or None."""
        ...


@dataclass(frozen=True)
class Pause:
    """The ticket waited for the user from `start` until `end` (None: still waiting)."""

    start: datetime
    end: datetime | None = None


@dataclass(frozen=True)
class Target:
    """A resolution target: this much counted time, on a calendar or (None) around the clock."""

    seconds: float
    calendar: BusinessCalendar | None = None


def counted(target: Target, opened: datetime, now: datetime, pauses: Sequence[Pause]) -> float:
    """Seconds of the target used between opening and `now`."""
    total = 0.0
    for start, end in _running(opened, pauses):
        stop = min(end, _aware(now)) if end is not None else _aware(now)
        if stop > start:
            total += _span(target, start, stop)
    return total


def moment_reaching(
    target: Target, opened: datetime, pauses: Sequence[Pause], share: float = 1.0
) -> datetime | None:
    """When `share` of the target will have run, if no other pause comes; None while paused
    (the clock is stopped) or when the calendar never opens again."""
    if any(p.end is None for p in pauses):
        return None
    left = target.seconds * share
    for start, end in _running(opened, pauses):
        reached, used = _advance(target, start, end, left)
        if reached is not None:
            return reached
        left -= used
    return None


def paused(pauses: Sequence[Pause]) -> bool:
    """Whether the clock is stopped now (the last pause has not ended)."""
    return any(p.end is None for p in pauses)


def _running(opened: datetime, pauses: Sequence[Pause]) -> list[tuple[datetime, datetime | None]]:
    """The intervals the clock runs: from opening, around every pause; the last is open."""
    intervals: list[tuple[datetime, datetime | None]] = []
    start: datetime | None = _aware(opened)
    for pause in sorted(pauses, key=lambda p: _aware(p.start)):
        if start is None:
            break
        begin = max(_aware(pause.start), start)
        intervals.append((start, begin))
        start = None if pause.end is None else max(_aware(pause.end), begin)
    if start is not None:
        intervals.append((start, None))
    return intervals


def _span(target: Target, start: datetime, end: datetime) -> float:
    if target.calendar is None:
        return (end - start).total_seconds()
    used, at = 0.0, start
    while at < end:
        window = target.calendar.window_at(at)
        if window is None:
            opening = target.calendar.next_opening(at)
            if opening is None or opening >= end:
                break
            at = opening
            continue
        stop = min(window[1], end)
        used += (stop - at).total_seconds()
        at = stop
    return used


def _advance(
    target: Target, start: datetime, end: datetime | None, left: float
) -> tuple[datetime | None, float]:
    """(the instant `left` seconds are used up within [start, end), or None; seconds used)."""
    if target.calendar is None:
        reached = start + timedelta(seconds=left)
        if end is None or reached <= end:
            return reached, left
        return None, (end - start).total_seconds()
    used, at = 0.0, start
    limit = end if end is not None else start + HORIZON
    while at < limit:
        window = target.calendar.window_at(at)
        if window is None:
            opening = target.calendar.next_opening(at)
            if opening is None or opening >= limit:
                break
            at = opening
            continue
        stop = min(window[1], limit)
        room = (stop - at).total_seconds()
        if used + room >= left:
            return at + timedelta(seconds=left - used), left
        used += room
        at = stop
    return None, used


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
