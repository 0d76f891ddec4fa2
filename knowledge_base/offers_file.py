"""Read the offers catalog (`offers.toml`): systems, offers, categories, intake fields, texts."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .models import Category, Choice, FieldKind, IntakeField, Offer, OfficeHours, System
from .problems import Problem, toml_error_line

HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"


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


class _Office(_Strict):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str
    weekdays: list[int] = Field(min_length=1)
    start: str = Field(pattern=HHMM)
    end: str = Field(pattern=HHMM)
    timezone: str = "America/Sao_Paulo"


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
    offices: list[_Office] = []


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


def read_offers(path: Path) -> OffersFile:
    """Parse offers.toml; problems carry the line of the offer or key they concern."""
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except FileNotFoundError:
        return OffersFile(problems=[Problem(path, 1, "offers catalog not found")])
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        line = toml_error_line(str(exc))
        return OffersFile(problems=[Problem(path, line, f"invalid TOML: {exc}")])
    # Each offer is checked on its own, so one bad key reports that key, not the whole file.
    raw_offers = raw.pop("offers", [])
    try:
        catalog = _Catalog.model_validate(raw)
    except ValidationError as exc:
        return OffersFile(problems=[_problem_from(path, text, raw, e) for e in exc.errors()])
    if not isinstance(raw_offers, list):
        problem = Problem(path, _line_of(text, "offers"), "'offers' must be [[offers]] tables")
        return OffersFile(problems=[problem])
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
            if isinstance(raw_offer, dict) and isinstance(raw_offer.get("id"), str):
                broken.add(raw_offer["id"])
                start = _line_of(text, f'id = "{raw_offer["id"]}"', start - 1)
            problems += [
                _problem_from(path, text, raw_offer, e, start, f"offers.{number}")
                for e in exc.errors()
            ]
            continue
        line = _line_of(text, f'id = "{item.id}"', start - 1)
        if item.id in offers:
            problems.append(Problem(path, line, f"duplicate offer id '{item.id}'"))
            continue
        for f in item.fields:
            if f.kind not in get_args(FieldKind):
                where = _line_of(text, f'id = "{f.id}"', line)
                problems.append(Problem(path, where, f"unknown field kind '{f.kind}'"))
        offers[item.id] = _offer(item, line)
    systems = {
        key: System(
            id=key,
            name=s.name,
            keywords=tuple(s.keywords),
            offers=tuple(s.offers),
            line=_line_of(text, "offers =", _line_of(text, f"[systems.{key}]")),
        )
        for key, s in catalog.systems.items()
    }
    return OffersFile(offers, systems, dict(catalog.texts), problems, broken)


def _offer(item: _Offer, line: int) -> Offer:
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
        offices=tuple(
            OfficeHours(**o.model_dump(exclude={"weekdays"}), weekdays=tuple(o.weekdays))
            for o in item.offices
        ),
        keywords=tuple(item.keywords),
        support_redirect=tuple(item.support_redirect),
        notice=item.notice,
        support_redirect_notice=item.support_redirect_notice,
        escalation_to=item.escalation_to,
        escalation_notice=item.escalation_notice,
        line=line,
    )


def _problem_from(
    path: Path, text: str, raw: Any, err: Any, start: int = 1, prefix: str = ""
) -> Problem:
    loc = [str(p) for p in err["loc"]]
    line = start
    node: Any = raw
    for part in loc:
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
            if isinstance(node, dict) and "id" in node:
                line = _line_of(text, f'id = "{node["id"]}"', line)
        elif isinstance(node, dict) and part in node:
            node = node[part]
            line = _line_of(text, f"{part} =", line)
    reason = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
    where = ".".join([prefix, *loc] if prefix else loc)
    return Problem(path, line, f"{where}: {reason}")


def _line_of(text: str, needle: str, after: int = 0) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if number > after and line.strip().startswith(needle):
            return number
    return max(after, 1)
