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
Problems are plain Portuguese lines an editor can act on: "office 'x': hora '25:00' inválida".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field

from .calendar import Window
from .models import OfficeHours

DAYS = {"seg": 0, "ter": 1, "qua": 2, "qui": 3, "sex": 4, "sab": 5, "dom": 6}
_HOUR = re.compile(r"^(\d{1,2}):(\d{2})$")


class RawOffice(BaseModel):
    """An office as written; values are checked by `read_office` with editors' messages."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str = Field(min_length=1)
    aliases: list[str] = []
    hours: dict[str, list[str]] = {}
    weekdays: list[int] = []
    start: str | None = None
    end: str | None = None
    timezone: str = "America/Sao_Paulo"
    closures: list[str] = []
    national_holidays: bool = True
    meeting_url: str = ""
    agent_chat_id: int | None = None


def read_office(raw: RawOffice, line: int, report: Callable[[str], None]) -> OfficeHours | None:
    """The office, or None after reporting (through `report`) what is wrong with it."""
    problems: list[str] = []

    def problem(message: str) -> None:
        problems.append(message)
        report(f"office '{raw.id}': {message}")

    windows = _windows(raw, problem)
    try:
        ZoneInfo(raw.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problem(f"fuso horário '{raw.timezone}' desconhecido")
    closures: set[date] = set()
    for typed in raw.closures:
        try:
            closures.add(date.fromisoformat(typed))
        except ValueError:
            problem(f"data de fechamento '{typed}' inválida (use AAAA-MM-DD)")
    if raw.meeting_url and not raw.meeting_url.startswith("https://"):
        problem(f"meeting_url '{raw.meeting_url[:60]}' deve começar com https://")
    if not windows and not problems:
        problem("nenhum horário de atendimento (hours)")
    if problems:
        return None
    return OfficeHours(
        id=raw.id,
        name=raw.name,
        weekdays=tuple(sorted({w.weekday for w in windows})),
        start=min(w.start for w in windows).strftime("%H:%M"),
        end=max(w.end for w in windows).strftime("%H:%M"),
        timezone=raw.timezone,
        windows=tuple(sorted(windows)),
        closures=frozenset(closures),
        national_holidays=raw.national_holidays,
        meeting_url=raw.meeting_url,
        agent_chat_id=raw.agent_chat_id,
        aliases=tuple(raw.aliases),
        line=line,
    )


def _windows(raw: RawOffice, problem: Callable[[str], None]) -> list[Window]:
    typed: list[tuple[int, str]] = []
    for day, spans in raw.hours.items():
        if day not in DAYS:
            problem(f"dia '{day}' desconhecido (use {', '.join(DAYS)})")
            continue
        typed += [(DAYS[day], span) for span in spans]
    if raw.weekdays or raw.start or raw.end:
        for weekday in raw.weekdays:
            if weekday not in range(7):
                problem(f"dia da semana {weekday} inválido (0 = segunda ... 6 = domingo)")
        span = f"{raw.start or ''}-{raw.end or ''}"
        typed += [(d, span) for d in raw.weekdays if d in range(7)]
    windows: list[Window] = []
    for weekday, span in typed:
        start_text, _, end_text = span.partition("-")
        start, end = _hour(start_text.strip(), problem), _hour(end_text.strip(), problem)
        if start is None or end is None:
            continue
        if end <= start:
            problem(f"janela '{span}' termina antes de começar")
            continue
        window = Window(weekday, start, end)
        clash = next(
            (w for w in windows if w.weekday == weekday and w.start < end and start < w.end), None
        )
        if clash is not None:
            day = next(k for k, v in DAYS.items() if v == weekday)
            problem(
                f"janelas '{clash.start:%H:%M}-{clash.end:%H:%M}' e '{span}' se sobrepõem ({day})"
            )
            continue
        windows.append(window)
    return windows


def _hour(text: str, problem: Callable[[str], None]) -> time | None:
    match = _HOUR.match(text)
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        problem(f"hora '{text}' inválida (use HH:MM, de 00:00 a 23:59)")
        return None
    return time(int(match.group(1)), int(match.group(2)))
