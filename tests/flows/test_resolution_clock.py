"""Resolution clock arithmetic: running time, pauses, business calendars, holidays, zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flows.resolution_clock import Pause, Target, counted, moment_reaching, paused
from knowledge_base.calendar import Calendar, Window

SP = ZoneInfo("America/Sao_Paulo")
HOUR = 3600.0


def sp(*args: int) -> datetime:
    return datetime(*args, tzinfo=SP)  # type: ignore[misc]


def weekdays(start: time, end: time, zone: str = "America/Sao_Paulo", **kw: object) -> Calendar:
    windows = tuple(Window(day, start, end) for day in range(5))
    return Calendar(windows, timezone=zone, **kw)  # type: ignore[arg-type]


# Business days: whole days Monday to Friday (the last microsecond of each day is not counted).
BUSINESS_DAYS = weekdays(time(0), time.max)
OFFICE_HOURS = weekdays(time(8), time(18))


def test_running_hours_due_and_warning_at_eighty_percent() -> None:
    target = Target(4 * HOUR)
    opened = datetime(2026, 12, 4, 10, tzinfo=UTC)
    assert moment_reaching(target, opened, []) == opened + timedelta(hours=4)
    assert moment_reaching(target, opened, [], share=0.8) == opened + timedelta(hours=3, minutes=12)
    assert counted(target, opened, opened + timedelta(hours=1), []) == HOUR


def test_the_clock_stops_while_waiting_for_the_user_and_resumes_after() -> None:
    target = Target(4 * HOUR)
    opened = datetime(2026, 12, 4, 10, tzinfo=UTC)
    waiting = Pause(opened + timedelta(hours=1), None)
    later = opened + timedelta(hours=30)
    assert paused([waiting])
    assert moment_reaching(target, opened, [waiting]) is None
    assert counted(target, opened, later, [waiting]) == HOUR
    answered = Pause(waiting.start, opened + timedelta(hours=2, minutes=30))
    assert not paused([answered])
    assert moment_reaching(target, opened, [answered]) == opened + timedelta(hours=5, minutes=30)
    assert counted(target, opened, opened + timedelta(hours=3), [answered]) == 1.5 * HOUR
    # Two pauses add up.
    second = Pause(opened + timedelta(hours=4), opened + timedelta(hours=5))
    assert moment_reaching(target, opened, [second, answered]) == opened + timedelta(
        hours=6, minutes=30
    )


def test_five_business_days_skip_the_weekend() -> None:
    target = Target(5 * 24 * HOUR, BUSINESS_DAYS)
    friday = sp(2026, 11, 27, 15)
    due = moment_reaching(target, friday, [])
    assert due is not None
    assert due.astimezone(SP).replace(microsecond=0) == sp(2026, 12, 4, 15)
    # Running time would have said Wednesday.
    assert moment_reaching(Target(5 * 24 * HOUR), friday, []) == sp(2026, 12, 2, 15)


def test_a_national_holiday_moves_the_due_day() -> None:
    # Tiradentes, Tuesday 21 April 2026, from the holidays package.
    target = Target(5 * 24 * HOUR, BUSINESS_DAYS)
    friday = sp(2026, 4, 17, 15)
    due = moment_reaching(target, friday, [])
    assert due is not None and due.astimezone(SP).replace(microsecond=0) == sp(2026, 4, 27, 15)
    ignoring = weekdays(time(0), time.max, national_holidays=False)
    due = moment_reaching(Target(5 * 24 * HOUR, ignoring), friday, [])
    assert due is not None and due.astimezone(SP).replace(microsecond=0) == sp(2026, 4, 24, 15)


def test_business_hours_continue_on_the_next_opening_and_skip_closures() -> None:
    target = Target(4 * HOUR, OFFICE_HOURS)
    friday = sp(2026, 12, 4, 16)
    assert moment_reaching(target, friday, []) == sp(2026, 12, 7, 10)
    assert moment_reaching(target, friday, [], share=0.5) == sp(2026, 12, 4, 18)
    closed_monday = weekdays(time(8), time(18), closures=frozenset({date(2026, 12, 7)}))
    assert moment_reaching(Target(4 * HOUR, closed_monday), friday, []) == sp(2026, 12, 8, 10)
    # Opened at night: the clock starts at the next opening.
    assert moment_reaching(target, sp(2026, 12, 4, 22), []) == sp(2026, 12, 7, 12)
    assert counted(target, friday, sp(2026, 12, 7, 9), []) == 3 * HOUR


def test_a_pause_on_a_business_calendar_only_costs_open_time() -> None:
    target = Target(4 * HOUR, OFFICE_HOURS)
    monday = sp(2026, 12, 7, 9)
    # Waiting for the user from 10:00 to 17:00: the clock ran 1 h before, 1 h after.
    pause = Pause(sp(2026, 12, 7, 10), sp(2026, 12, 7, 17))
    assert counted(target, monday, sp(2026, 12, 7, 18), [pause]) == 2 * HOUR
    assert moment_reaching(target, monday, [pause]) == sp(2026, 12, 8, 10)


def test_the_calendars_time_zone_sets_the_instant() -> None:
    # The same office hours in Manaus (UTC-4) open an hour after São Paulo's (UTC-3).
    friday_utc = datetime(2026, 12, 4, 19, tzinfo=UTC)  # 16:00 in São Paulo, 15:00 in Manaus
    sao_paulo = moment_reaching(Target(4 * HOUR, OFFICE_HOURS), friday_utc, [])
    manaus_hours = weekdays(time(8), time(18), zone="America/Manaus")
    manaus = moment_reaching(Target(4 * HOUR, manaus_hours), friday_utc, [])
    assert sao_paulo == datetime(2026, 12, 7, 13, tzinfo=UTC)  # Monday 10:00 in São Paulo
    assert manaus == datetime(2026, 12, 7, 13, tzinfo=UTC)  # 3 h Friday + 1 h Monday 08-09 Manaus
    assert (
        counted(Target(4 * HOUR, manaus_hours), friday_utc, friday_utc + timedelta(hours=2), [])
        == 2 * HOUR
    )


def test_a_calendar_that_never_opens_has_no_due_time() -> None:
    never = Calendar((), national_holidays=False)
    assert moment_reaching(Target(HOUR, never), sp(2026, 12, 4, 9), []) is None
    assert counted(Target(HOUR, never), sp(2026, 12, 4, 9), sp(2026, 12, 9, 9), []) == 0.0
