"""clocks.toml: how each offer's resolution clock counts (running time, business days, hours).

Problems come back as `file:line: message` in Portuguese, like the rest of the lint.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .calendar import DEFAULT_TIMEZONE, Calendar, Window
from .problems import Problem, toml_error_line

Counting = Literal["corridas", "dias_uteis", "expediente"]
COUNTINGS: tuple[Counting, ...] = ("corridas", "dias_uteis", "expediente")
WEEKDAYS = ("seg", "ter", "qua", "qui", "sex", "sab", "dom")
KEYS = frozenset({"contagem", "horario", "fechado", "feriados_nacionais", "fuso"})
_WINDOW = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")
# A business day counts whole (its last microsecond aside: a window cannot end at 24:00).
WHOLE_DAY = (time(0), time.max)


@dataclass(frozen=True)
class ClockRule:
    """An offer's clock: None calendar = running time; else only the calendar's open time."""

    offer_id: str
    counting: Counting
    calendar: Calendar | None
    line: int = 0


def read_clocks(path: Path) -> tuple[dict[str, ClockRule], list[Problem]]:
    """Parse clocks.toml (a missing file means every clock runs around the clock)."""
    if not path.exists():
        return {}, []
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return {}, [Problem(path, toml_error_line(str(exc)), f"TOML inválido: {exc}")]
    rules: dict[str, ClockRule] = {}
    problems: list[Problem] = []
    for offer_id, raw in data.items():
        line = _line_of(text, f"[{offer_id}]")
        if not isinstance(raw, dict):
            problems.append(Problem(path, line, f"'{offer_id}' deve ser uma tabela [{offer_id}]"))
            continue
        rule, found = _rule(offer_id, raw, line, lambda key, at=line: _line_of(text, key, at))
        problems += [Problem(path, n, f"oferta '{offer_id}': {m}") for n, m in found]
        if rule is not None:
            rules[offer_id] = rule
    return rules, problems


def _rule(
    offer_id: str, raw: dict[str, Any], line: int, line_of: Any
) -> tuple[ClockRule | None, list[tuple[int, str]]]:
    problems: list[tuple[int, str]] = []
    for key in sorted(set(raw) - KEYS):
        problems.append((line_of(f"{key} ="), f"chave desconhecida '{key}'"))
    counting = raw.get("contagem", "corridas")
    if counting not in COUNTINGS:
        allowed = ", ".join(COUNTINGS)
        problems.append((line_of("contagem ="), f"contagem '{counting}' inválida ({allowed})"))
        return None, problems
    zone = str(raw.get("fuso", DEFAULT_TIMEZONE))
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append((line_of("fuso ="), f"fuso horário '{zone}' desconhecido"))
    closures = _dates(raw.get("fechado", []), line_of("fechado ="), problems)
    windows = _windows(raw.get("horario", {}), line_of, problems)
    if counting == "expediente" and not windows and not problems:
        problems.append((line, "contagem 'expediente' precisa de 'horario'"))
    if problems:
        return None, problems
    if counting == "corridas":
        return ClockRule(offer_id, counting, None, line), []
    if counting == "dias_uteis":
        windows = tuple(Window(day, *WHOLE_DAY) for day in range(5))
    holidays = bool(raw.get("feriados_nacionais", True))
    calendar = Calendar(windows, zone, frozenset(closures), holidays)
    return ClockRule(offer_id, counting, calendar, line), []


def _windows(raw: object, line_of: Any, problems: list[tuple[int, str]]) -> tuple[Window, ...]:
    if not isinstance(raw, dict):
        problems.append((line_of("horario ="), "'horario' deve ser uma tabela por dia da semana"))
        return ()
    windows: list[Window] = []
    for day, spans in raw.items():
        at = line_of(f"{day} =")
        if day not in WEEKDAYS:
            problems.append((at, f"dia '{day}' inválido (use {', '.join(WEEKDAYS)})"))
            continue
        for span in spans if isinstance(spans, list) else [spans]:
            window = _window(WEEKDAYS.index(day), str(span))
            if isinstance(window, str):
                problems.append((at, window))
            else:
                windows.append(window)
    return tuple(sorted(windows))


def _window(weekday: int, span: str) -> Window | str:
    match = _WINDOW.match(span.strip())
    if match is None:
        return f"janela '{span}' inválida (use 'HH:MM-HH:MM')"
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if not (h1 < 24 and m1 < 60 and (h2 < 24 or (h2 == 24 and m2 == 0)) and m2 < 60):
        return f"janela '{span}': hora inválida"
    start, end = time(h1, m1), time.max if h2 == 24 else time(h2, m2)
    if start >= end:
        return f"janela '{span}': o fim vem antes do início"
    return Window(weekday, start, end)


def _dates(raw: object, line: int, problems: list[tuple[int, str]]) -> list[date]:
    days: list[date] = []
    for item in raw if isinstance(raw, list) else [raw]:
        if isinstance(item, date):
            days.append(item)
            continue
        try:
            days.append(date.fromisoformat(str(item)))
        except ValueError:
            problems.append((line, f"data '{item}' inválida (use AAAA-MM-DD)"))
    return days


def _line_of(text: str, needle: str, after: int = 0) -> int:
    # Keys may sit inside an inline table (`horario = { seg = [...] }`); comments never count.
    for number, line in enumerate(text.splitlines(), start=1):
        code = line.split("#", 1)[0]
        if number > after and (code.strip().startswith(needle) or f" {needle}" in code):
            return number
    return after or 1
