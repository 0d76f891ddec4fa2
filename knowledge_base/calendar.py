"""Office calendars: weekly windows in a time zone, closures and Brazil's national holidays.

Pure and small on purpose: the Balcão Virtual asks "open now?" and "when does it open next?",
and business-hours clocks (resolution targets in business time) ask "how much open time lies
between two instants?". Every instant in and out is timezone-aware; naive ones are taken as UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

DEFAULT_TIMEZONE = "America/Sao_Paulo"
# How far ahead next_opening looks: a calendar closed for longer than this has no next opening.
HORIZON_DAYS = 400


@dataclass(frozen=True, order=True)
class Window:
    """One opening on one weekday (0 = Monday), from `start` to `end` local time."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True)
class Calendar:
    """When an office attends: weekly windows, minus closures and (by default) holidays."""

    windows: tuple[Window, ...]
    timezone: str = DEFAULT_TIMEZONE
    closures: frozenset[date] = frozenset()
    national_holidays: bool = True

    @property
    def zone(self) -> ZoneInfo:
        """The calendar's time zone."""
        return ZoneInfo(self.timezone)

    def is_closed_day(self, day: date) -> bool:
        """Whether the whole local day is closed (a closure or a national holiday)."""
        return day in self.closures or (self.national_holidays and day in _brazil(day.year))

    def is_open(self, at: datetime) -> bool:
        """Whether `at` falls inside an opening window."""
        return self.window_at(at) is not None

    def window_at(self, at: datetime) -> tuple[datetime, datetime] | None:
        """The (opening, closing) instants of the window `at` falls in, or None."""
        local = _aware(at).astimezone(self.zone)
        for start, end in self._day_windows(local.date()):
            if start <= local < end:
                return start.astimezone(UTC), end.astimezone(UTC)
        return None

    def next_opening(self, after: datetime) -> datetime | None:
        """The first opening instant strictly after `after` (UTC), or None within the horizon."""
        local = _aware(after).astimezone(self.zone)
        for offset in range(HORIZON_DAYS):
            for start, _ in self._day_windows(local.date() + timedelta(days=offset)):
                if start > local:
                    return start.astimezone(UTC)
        return None

    def open_seconds(self, start: datetime, end: datetime) -> float:
        """Seconds of opening time between two instants (business time for clocks)."""
        begin, finish = _aware(start).astimezone(self.zone), _aware(end).astimezone(self.zone)
        total = 0.0
        day = begin.date()
        while day <= finish.date():
            for opens, closes in self._day_windows(day):
                overlap = min(closes, finish) - max(opens, begin)
                total += max(overlap.total_seconds(), 0.0)
            day += timedelta(days=1)
        return total

    def _day_windows(self, day: date) -> list[tuple[datetime, datetime]]:
        if self.is_closed_day(day):
            return []
        zone = self.zone
        return [
            (datetime.combine(day, w.start, zone), datetime.combine(day, w.end, zone))
            for w in sorted(self.windows)
            if w.weekday == day.weekday()
        ]


@lru_cache(maxsize=64)
def _brazil(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("BR", years=year)


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
