"""The Balcão Virtual offices of offers.toml: hours per weekday, closures, link and group.

    [[offers.offices]]
    id = "cartorio-2-vara-civel"
    name = "Cartório da 2ª Vara Cível"
    aliases = ["2ª vara cível"]                # other names people use (optional)
    hours = { seg = ["08:00-12:00", "13:00-19:00"], ter = ["13:00-19:00"] }
    closures = ["2026-12-24"]                  # closed days besides national holidays
    national_holidays = true                   # Brazil's national holidays close the office
    meeting_url = "https://teams.microsoft.com/l/meetup-join/..."   # or none: the attendant's
    agent_chat_id = -1001234567890             # the agents' group (default: [telegram] one)

The older one-window form, `weekdays = [0, 1, 2, 3, 4]` with `start` and `end`, still reads.
Problems are message codes of lint_messages.toml ("hora inválida '25:00' (oferta ..., cartório
'x'): use HH:MM, de 00:00 a 23:59"), reported at the office's line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, time

from pydantic import BaseModel, ConfigDict, Field

from .calendar import Window
from .models import OfficeHours

HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"
DAYS = {"seg": 0, "ter": 1, "qua": 2, "qui": 3, "sex": 4, "sab": 5, "dom": 6}
_HOUR = re.compile(r"^(\d{1,2}):(\d{2})$")


class RawOffice(BaseModel):
    """An office as written; `hours` values are checked by `read_office`."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str = Field(min_length=1)
    aliases: list[str] = []
    hours: dict[str, list[str]] = {}
    # The one-window form; its values are checked where they are written (the pattern here,
    # weekdays and order in catalog_checks.py).
    weekdays: list[int] = []
    start: str | None = Field(default=None, pattern=HHMM)
    end: str | None = Field(default=None, pattern=HHMM)
    timezone: str = "America/Sao_Paulo"
    closures: list[str] = []
    national_holidays: bool = True
    meeting_url: str = ""
    agent_chat_id: int | None = None


# (message code, parameters): a problem of one office, reported at its line by the caller.
Report = Callable[..., None]


def read_office(raw: RawOffice, line: int, report: Report) -> OfficeHours | None:
    """The office, or None after reporting (`report(code, **params)`) what is wrong with it."""
    found: list[str] = []

    def problem(code: str, **params: object) -> None:
        found.append(code)
        report(code, **params)

    windows = _windows(raw, problem)
    closures: set[date] = set()
    for typed in raw.closures:
        try:
            closures.add(date.fromisoformat(typed))
        except ValueError:
            problem("office_closure_invalid", value=typed)
    if raw.meeting_url and not raw.meeting_url.startswith("https://"):
        problem("office_link_not_https", value=raw.meeting_url[:60])
    legacy = bool(raw.weekdays or raw.start or raw.end)
    if not raw.hours and not legacy:
        problem("office_no_hours")
    if found:
        return None
    return OfficeHours(
        id=raw.id,
        name=raw.name,
        # The one-window form keeps its values as written, for catalog_checks to judge.
        weekdays=tuple(raw.weekdays)
        if legacy and not raw.hours
        else tuple(sorted({w.weekday for w in windows})),
        start=raw.start or "" if legacy and not raw.hours else _hhmm(min(w.start for w in windows)),
        end=raw.end or "" if legacy and not raw.hours else _hhmm(max(w.end for w in windows)),
        timezone=raw.timezone,
        windows=tuple(sorted(windows)),
        closures=frozenset(closures),
        national_holidays=raw.national_holidays,
        meeting_url=raw.meeting_url,
        agent_chat_id=raw.agent_chat_id,
        aliases=tuple(raw.aliases),
        line=line,
    )


def _windows(raw: RawOffice, problem: Report) -> list[Window]:
    typed: list[tuple[int, str]] = []
    for day, spans in raw.hours.items():
        if day not in DAYS:
            problem("office_day_unknown", value=day, known=", ".join(DAYS))
            continue
        typed += [(DAYS[day], span) for span in spans]
    windows: list[Window] = []
    for weekday, span in typed:
        start_text, _, end_text = span.partition("-")
        start, end = _hour(start_text.strip(), problem), _hour(end_text.strip(), problem)
        if start is None or end is None:
            continue
        if end <= start:
            problem("office_hours_order", start=_hhmm(start), end=_hhmm(end))
            continue
        clash = next(
            (w for w in windows if w.weekday == weekday and w.start < end and start < w.end), None
        )
        if clash is not None:
            day = next(k for k, v in DAYS.items() if v == weekday)
            first = f"{_hhmm(clash.start)}-{_hhmm(clash.end)}"
            problem("office_windows_overlap", first=first, second=span, day=day)
            continue
        windows.append(Window(weekday, start, end))
    if not raw.hours and raw.start and raw.end:
        # The one-window form, when its values are sound (else catalog_checks says why).
        start, end = _hour(raw.start, None), _hour(raw.end, None)
        if start is not None and end is not None and start < end:
            windows += [Window(d, start, end) for d in sorted(set(raw.weekdays)) if d in range(7)]
    return windows


def _hour(text: str, problem: Report | None) -> time | None:
    match = _HOUR.match(text)
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        if problem is not None:
            problem("hour_invalid", value=text)
        return None
    return time(int(match.group(1)), int(match.group(2)))


def _hhmm(moment: time) -> str:
    return moment.strftime("%H:%M")
