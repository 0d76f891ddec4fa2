"""Office calendars: windows in Brasília time, closures, national holidays, business time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from knowledge_base.calendar import Calendar, Window

# Brasília is UTC-3 (no daylight saving since 2019).
BRT = timedelta(hours=3)
WEEKDAYS_8_TO_12_AND_13_TO_19 = Calendar(
    tuple(
        w
        for day in range(5)
        for w in (Window(day, time(8), time(12)), Window(day, time(13), time(19)))
    )
)


def brasilia(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A Brasília wall-clock time as a UTC instant."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC) + BRT


def test_open_inside_either_window_of_a_weekday_in_brasilia_time() -> None:
    cal = WEEKDAYS_8_TO_12_AND_13_TO_19
    assert cal.is_open(brasilia(2026, 12, 7, 8))  # Monday 08:00
    assert not cal.is_open(brasilia(2026, 12, 7, 12, 30))  # lunch
    assert cal.is_open(brasilia(2026, 12, 7, 18, 59))
    assert not cal.is_open(brasilia(2026, 12, 7, 19))  # closes at 19:00
    assert not cal.is_open(brasilia(2026, 12, 5, 10))  # Saturday
    # 22:30 UTC Monday is 19:30 in Brasília: closed, though UTC's 22:30 is no office hour.
    assert not cal.is_open(datetime(2026, 12, 7, 15, 30, tzinfo=UTC) + timedelta(hours=7))


def test_next_opening_skips_lunch_nights_weekends_and_holidays() -> None:
    cal = WEEKDAYS_8_TO_12_AND_13_TO_19
    assert cal.next_opening(brasilia(2026, 12, 7, 12, 10)) == brasilia(2026, 12, 7, 13)
    assert cal.next_opening(brasilia(2026, 12, 4, 20)) == brasilia(2026, 12, 7, 8)  # Fri → Mon
    # Christmas (Friday 25) is a national holiday: Thursday night → Monday 28.
    assert cal.next_opening(brasilia(2026, 12, 24, 20)) == brasilia(2026, 12, 28, 8)
    # Carnaval is not a national holiday; Good Friday (2026-04-03) is.
    assert not cal.is_open(brasilia(2026, 4, 3, 10))


def test_closures_close_whole_days_and_holidays_can_be_ignored() -> None:
    windows = WEEKDAYS_8_TO_12_AND_13_TO_19.windows
    closed = Calendar(windows, closures=frozenset({date(2026, 12, 8)}))
    assert not closed.is_open(brasilia(2026, 12, 8, 9))
    assert closed.next_opening(brasilia(2026, 12, 7, 20)) == brasilia(2026, 12, 9, 8)
    working = Calendar(windows, national_holidays=False)
    assert working.is_open(brasilia(2026, 12, 25, 9))


def test_window_at_gives_the_closing_time_and_open_seconds_count_business_time() -> None:
    cal = WEEKDAYS_8_TO_12_AND_13_TO_19
    assert cal.window_at(brasilia(2026, 12, 7, 9)) == (
        brasilia(2026, 12, 7, 8),
        brasilia(2026, 12, 7, 12),
    )
    # Friday 18:00 → Monday 09:00: one hour on Friday, one on Monday.
    assert cal.open_seconds(brasilia(2026, 12, 4, 18), brasilia(2026, 12, 7, 9)) == 7200
    assert cal.open_seconds(brasilia(2026, 12, 7, 11), brasilia(2026, 12, 7, 14)) == 7200


def test_a_calendar_with_no_windows_never_opens() -> None:
    assert Calendar(()).next_opening(brasilia(2026, 12, 7, 9)) is None
