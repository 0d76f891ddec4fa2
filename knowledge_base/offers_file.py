"""Read the offers catalog (`offers.toml`): systems, offers, categories, intake fields, texts."""

from __future__ import annotations

import tomllib
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


def read_offers(
    path: Path,
) -> tuple[dict[str, Offer], dict[str, System], dict[str, str], list[Problem]]:
    """Parse offers.toml; problems carry the line of the offer or key they concern."""
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except FileNotFoundError:
        return {}, {}, {}, [Problem(path, 1, "offers catalog not found")]
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        line = toml_error_line(str(exc))
        return {}, {}, {}, [Problem(path, line, f"invalid TOML: {exc}")]
    try:
        catalog = _Catalog.model_validate(raw)
    except ValidationError as exc:
        return {}, {}, {}, [_problem_from(path, text, raw, err) for err in exc.errors()]
    problems: list[Problem] = []
    offers: dict[str, Offer] = {}
    for item in catalog.offers:
        line = _line_of(text, f'id = "{item.id}"')
        if item.id in offers:
            problems.append(Problem(path, line, f"duplicate offer id '{item.id}'"))
            continue
        for f in item.fields:
            if f.kind not in get_args(FieldKind):
                problems.append(
                    Problem(
                        path,
                        _line_of(text, f'id = "{f.id}"', line),
                        f"unknown field kind '{f.kind}'",
                    )
                )
        offers[item.id] = _offer(item, line)
    systems = {
        key: System(id=key, name=s.name, keywords=tuple(s.keywords), offers=tuple(s.offers))
        for key, s in catalog.systems.items()
    }
    return offers, systems, dict(catalog.texts), problems


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
        line=line,
    )


def _problem_from(path: Path, text: str, raw: dict[str, Any], err: Any) -> Problem:
    loc = [str(p) for p in err["loc"]]
    line = 1
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
    return Problem(path, line, f"{'.'.join(loc)}: {reason}")


def _line_of(text: str, needle: str, after: int = 0) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if number > after and line.strip().startswith(needle):
            return number
    return max(after, 1)
