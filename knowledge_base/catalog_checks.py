"""Checks across offers.toml once it is read: references, ticket code prefixes, office hours."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .field_errors import line_of
from .lint_messages import where
from .models import KnowledgeBase, Offer
from .problems import Problem

WEEKDAYS = range(7)
# The choice field whose options are the offer's offices (the Balcão Virtual's "office").
OFFICE_FIELD = "office"


def catalog_problems(kb: KnowledgeBase, path: Path, text: str) -> list[Problem]:
    """Every problem of offers.toml that needs the whole catalog to be seen."""
    problems: list[Problem] = []
    known_systems = ", ".join(sorted(kb.systems))
    prefixes: dict[str, str] = {}
    for offer in kb.offers.values():
        at = where(("offer", offer.id))
        if kb.systems and offer.system not in kb.systems:
            problems.append(
                Problem.of(
                    path,
                    offer.line,
                    "offer_system_unknown",
                    value=offer.system,
                    where=at,
                    known=known_systems,
                )
            )
        for target in offer.support_redirect:
            if target not in kb.offers:
                problems.append(
                    Problem.of(path, offer.line, "redirect_unknown", value=target, where=at)
                )
        problems += _fields(offer, path)
        if offer.code_prefix in prefixes:
            problems.append(
                Problem.of(
                    path,
                    line_of(text, "code_prefix =", offer.line),
                    "code_prefix_duplicate",
                    value=offer.code_prefix,
                    where=at,
                    other=prefixes[offer.code_prefix],
                )
            )
        prefixes.setdefault(offer.code_prefix, offer.id)
        problems += _offices(offer, path, text)
    for system in kb.systems.values():
        for offer_id in system.offers:
            if offer_id not in kb.offers:
                problems.append(
                    Problem.of(
                        path,
                        system.line,
                        "system_offer_unknown",
                        value=offer_id,
                        where=where(("system", system.id)),
                    )
                )
    return problems


def _fields(offer: Offer, path: Path) -> list[Problem]:
    problems = []
    at = where(("offer", offer.id))
    if any(f.kind == "category" for f in offer.fields) and not offer.categories:
        problems.append(Problem.of(path, offer.line, "category_field_without_categories", where=at))
    for f in offer.fields:
        if f.kind == "choice" and not f.choices:
            place = where(("offer", offer.id), ("field", f.id))
            problems.append(Problem.of(path, offer.line, "choice_without_choices", where=place))
    seen: set[str] = set()
    for c in offer.categories:
        if c.id in seen:
            problems.append(
                Problem.of(path, offer.line, "category_duplicate", value=c.id, where=at)
            )
        seen.add(c.id)
    return problems


def _offices(offer: Offer, path: Path, text: str) -> list[Problem]:
    """Each office's calendar: real weekdays, once each, opening before closing, a real zone;
    and the offices are exactly the options users choose from."""
    problems = []
    for office in offer.offices:
        line = line_of(text, f'id = "{office.id}"', offer.line)
        at = where(("offer", offer.id), ("office", office.id))
        days_line = line_of(text, "weekdays =", line)
        seen: set[int] = set()
        for day in office.weekdays:
            if day not in WEEKDAYS:
                problems.append(Problem.of(path, days_line, "weekday_invalid", value=day, where=at))
            elif day in seen:
                problems.append(
                    Problem.of(path, days_line, "weekday_repeated", value=day, where=at)
                )
            seen.add(day)
        if office.end <= office.start:
            problems.append(
                Problem.of(
                    path,
                    line_of(text, "end =", line),
                    "office_hours_order",
                    start=office.start,
                    end=office.end,
                    where=at,
                )
            )
        try:
            ZoneInfo(office.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            zone_line = line_of(text, "timezone =", line)
            problems.append(
                Problem.of(path, zone_line, "timezone_unknown", value=office.timezone, where=at)
            )
    field = next((f for f in offer.fields if f.id == OFFICE_FIELD and f.kind == "choice"), None)
    if field is None or not offer.offices:
        return problems
    chosen = {c.id for c in field.choices}
    offices = {o.id for o in offer.offices}
    for office_id in sorted(offices - chosen):
        line = line_of(text, f'id = "{office_id}"', offer.line)
        at = where(("offer", offer.id), ("office", office_id))
        problems.append(Problem.of(path, line, "office_not_chosen", value=office_id, where=at))
    for choice_id in sorted(chosen - offices):
        line = line_of(text, f'{{ id = "{choice_id}"', offer.line)
        at = where(("offer", offer.id), ("field", OFFICE_FIELD))
        problems.append(
            Problem.of(path, line, "office_choice_without_hours", value=choice_id, where=at)
        )
    return problems
