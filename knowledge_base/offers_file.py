"""Read the offers catalog (`offers.toml`): systems, offers, categories, intake fields, texts."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .field_errors import field_problem, line_of
from .lint_messages import where
from .models import Category, Choice, FieldKind, IntakeField, Offer, OfficeHours, System
from .offices_file import RawOffice, read_office
from .problems import Problem
from .syntax_errors import toml_problem


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Choice(_Strict):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    label: str = Field(min_length=1)


class _Category(_Strict):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    label: str = Field(min_length=1)
    description: str = ""
    target_hours: float | None = Field(default=None, gt=0)
    target_label: str = ""
    priority: int = Field(default=3, ge=1, le=5)
    keywords: list[str] = []
    questions_only: bool = False


class _Field(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    kind: str
    label: str = Field(min_length=1)
    prompt: str = Field(min_length=1)
    required: bool = True
    confirm: bool = False
    min_length: int = Field(default=0, ge=0)
    max_length: int = Field(default=4000, ge=1, le=4096)
    help: str = ""
    choices: list[_Choice] = []


class _Offer(_Strict):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str = Field(min_length=1)
    system: str
    kind: str = Field(pattern=r"^(suporte|servico|atendimento)$")
    code_prefix: str = Field(pattern=r"^[A-Z]{2,4}$")
    grau: str | None = Field(default=None, pattern=r"^[12]$")
    purpose: str = Field(min_length=1)
    not_for: str = ""
    target_hours: float | None = Field(default=None, gt=0)
    target_label: str = ""
    keywords: list[str] = []
    notice: str = ""
    support_redirect_notice: str = ""
    escalation_to: str = ""
    escalation_notice: str = ""
    support_redirect: list[str] = []
    categories: list[_Category] = []
    fields: list[_Field] = []
    offices: list[RawOffice] = []


class _System(_Strict):
    name: str
    keywords: list[str] = []
    offers: list[str] = []


class _Catalog(_Strict):
    systems: dict[str, _System] = {}
    texts: dict[str, str] = {}
    offers: list[_Offer] = []


@dataclass
class OffersFile:
    """What offers.toml holds, its problems, and the ids of offers too broken to load."""

    offers: dict[str, Offer] = field(default_factory=dict)
    systems: dict[str, System] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    broken: set[str] = field(default_factory=set)
    # The file did not parse at all: references to its offers and systems cannot be checked.
    unread: bool = False


def read_offers(path: Path) -> OffersFile:
    """Parse offers.toml; problems carry the line of the offer or key they concern."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return OffersFile(problems=[Problem.of(path, 1, "catalog_missing")], unread=True)
    except (OSError, UnicodeDecodeError) as exc:
        problem = Problem.of(path, 1, "file_unreadable", detail=exc)
        return OffersFile(problems=[problem], unread=True)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return OffersFile(problems=[toml_problem(path, text, exc)], unread=True)
    # Each offer is checked on its own, so one bad key reports that key, not the whole file.
    raw_offers = raw.pop("offers", [])
    try:
        catalog = _Catalog.model_validate(raw)
    except ValidationError as exc:
        found = [field_problem(path, text, raw, e, model=_Catalog) for e in exc.errors()]
        return OffersFile(problems=found, unread=True)
    if not isinstance(raw_offers, list):
        line = line_of(text, "offers")
        problem = Problem.of(path, line, "type_list", key="offers", where="", value=raw_offers)
        return OffersFile(problems=[problem], unread=True)
    starts = [
        n for n, line in enumerate(text.splitlines(), start=1) if line.strip() == "[[offers]]"
    ]
    problems: list[Problem] = []
    offers: dict[str, Offer] = {}
    broken: set[str] = set()
    for number, raw_offer in enumerate(raw_offers):
        start = starts[number] if number < len(starts) else 1
        try:
            item = _Offer.model_validate(raw_offer)
        except ValidationError as exc:
            place = ("offer", f"#{number + 1}")
            if isinstance(raw_offer, dict) and isinstance(raw_offer.get("id"), str):
                broken.add(raw_offer["id"])
                place = ("offer", raw_offer["id"])
                start = line_of(text, f'id = "{raw_offer["id"]}"', start - 1)
            problems += [
                field_problem(path, text, raw_offer, e, start, [place], _Offer)
                for e in exc.errors()
            ]
            continue
        line = line_of(text, f'id = "{item.id}"', start - 1)
        if item.id in offers:
            problems.append(Problem.of(path, line, "offer_duplicate", value=item.id))
            continue
        kinds = ", ".join(get_args(FieldKind))
        for f in item.fields:
            if f.kind not in get_args(FieldKind):
                at = line_of(text, f'id = "{f.id}"', line)
                spot = where(("offer", item.id), ("field", f.id))
                problems.append(
                    Problem.of(
                        path, at, "field_kind_unknown", value=f.kind, where=spot, known=kinds
                    )
                )
        offers[item.id] = _offer(item, line, _offices(path, text, item, line, problems))
    systems = {
        key: System(
            id=key,
            name=s.name,
            keywords=tuple(s.keywords),
            offers=tuple(s.offers),
            line=line_of(text, "offers =", line_of(text, f"[systems.{key}]")),
        )
        for key, s in catalog.systems.items()
    }
    return OffersFile(offers, systems, dict(catalog.texts), problems, broken)


def _offer(item: _Offer, line: int, offices: tuple[OfficeHours, ...]) -> Offer:
    return Offer(
        id=item.id,
        name=item.name,
        system=item.system,
        kind=item.kind,  # type: ignore[arg-type]  # validated by the pattern above
        purpose=item.purpose,
        code_prefix=item.code_prefix,
        not_for=item.not_for,
        grau=item.grau,  # type: ignore[arg-type]
        target_hours=item.target_hours,
        target_label=item.target_label,
        categories=tuple(
            Category(**c.model_dump(exclude={"keywords"}), keywords=tuple(c.keywords))
            for c in item.categories
        ),
        fields=tuple(
            IntakeField(
                **f.model_dump(exclude={"choices", "kind"}),
                kind=f.kind,  # type: ignore[arg-type]
                choices=tuple(Choice(id=c.id, label=c.label) for c in f.choices),
            )
            for f in item.fields
        ),
        offices=offices,
        keywords=tuple(item.keywords),
        support_redirect=tuple(item.support_redirect),
        notice=item.notice,
        support_redirect_notice=item.support_redirect_notice,
        escalation_to=item.escalation_to,
        escalation_notice=item.escalation_notice,
        line=line,
    )


def _offices(
    path: Path, text: str, item: _Offer, line: int, problems: list[Problem]
) -> tuple[OfficeHours, ...]:
    """The offer's offices that read cleanly; each problem is reported at its office's line."""
    offices: list[OfficeHours] = []
    for raw in item.offices:
        at = line_of(text, f'id = "{raw.id}"', line_of(text, "[[offers.offices]]", line))
        spot = where(("offer", item.id), ("office", raw.id))
        if any(o.id == raw.id for o in offices):
            problems.append(Problem.of(path, at, "office_duplicate", value=raw.id, where=spot))
            continue

        if not raw.hours and (raw.start or raw.end) and not raw.weekdays:
            # The one-window form names its days (the hours form needs none).
            days_at = line_of(text, "weekdays =", at)
            problems.append(Problem.of(path, days_at, "list_empty", key="weekdays", where=spot))
            continue

        def report(code: str, _at: int = at, _spot: str = spot, **params: object) -> None:
            problems.append(Problem.of(path, _at, code, where=_spot, **params))

        office = read_office(raw, at, report)
        if office is not None:
            offices.append(office)
    return tuple(offices)
