"""Read `language.toml`: abbreviations, stopwords and the phrase lists of the triage engine."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from .field_errors import field_problem
from .models import Language
from .normalize import fold, plain
from .problems import Problem
from .syntax_errors import toml_problem


class _LanguageFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    abbreviations: dict[str, str] = {}
    stopwords: list[str] = []
    grau_1: list[str] = []
    grau_2: list[str] = []
    problem: list[str] = []
    question: list[str] = []
    request: list[str] = []
    support: list[str] = []
    elsewhere: list[str] = []
    office_generic: list[str] = []
    own_names: list[str] = []
    generic: list[str] = []
    vague: list[str] = []
    greeting: list[str] = []
    thanks: list[str] = []
    goodbye: list[str] = []
    filler: list[str] = []
    person: list[str] = []
    dont_know: list[str] = []
    switch: list[str] = []
    frustration: list[str] = []
    negations: list[str] = []
    joins: list[str] = []
    weak_joins: list[str] = []
    ambiguous: dict[str, list[str]] = {}


def read_language(path: Path) -> tuple[Language, list[Problem]]:
    """Parse language.toml; phrases are normalized here once, patterns compiled to check them."""
    if not path.exists():
        return Language(), []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return Language(), [Problem.of(path, 1, "file_unreadable", detail=exc)]
    try:
        raw = tomllib.loads(text)
        data = _LanguageFile.model_validate(raw)
    except tomllib.TOMLDecodeError as exc:
        return Language(), [toml_problem(path, text, exc)]
    except ValidationError as exc:
        return Language(), [
            field_problem(path, text, raw, e, model=_LanguageFile) for e in exc.errors()
        ]
    problems = []
    for pattern in [*data.grau_1, *data.grau_2]:
        try:
            re.compile(pattern)
        except re.error as exc:
            line = next((n for n, row in enumerate(text.splitlines(), 1) if pattern in row), 1)
            problems.append(Problem.of(path, line, "language_pattern", value=pattern, detail=exc))
    abbreviations = {fold(k).strip(): fold(v).strip() for k, v in data.abbreviations.items()}

    def phrases(items: list[str]) -> tuple[str, ...]:
        return tuple(p for p in (plain(i, abbreviations) for i in items) if p)

    language = Language(
        abbreviations=abbreviations,
        stopwords=frozenset(fold(w).strip() for w in data.stopwords),
        grau_1=tuple(data.grau_1),
        grau_2=tuple(data.grau_2),
        problem=phrases(data.problem),
        question=phrases(data.question),
        request=phrases(data.request),
        support=phrases(data.support),
        elsewhere=phrases(data.elsewhere),
        office_generic=frozenset(w for p in phrases(data.office_generic) for w in p.split()),
        own_names=phrases(data.own_names),
        generic=phrases(data.generic),
        vague=phrases(data.vague),
        greeting=phrases(data.greeting),
        thanks=phrases(data.thanks),
        goodbye=phrases(data.goodbye),
        filler=phrases(data.filler),
        person=phrases(data.person),
        dont_know=phrases(data.dont_know),
        switch=phrases(data.switch),
        frustration=phrases(data.frustration),
        negations=phrases(data.negations),
        joins=tuple(j.strip() for j in data.joins if j.strip()),
        weak_joins=tuple(j.strip() for j in data.weak_joins if j.strip()),
        ambiguous={
            plain(word, abbreviations): frozenset(phrases(before))
            for word, before in data.ambiguous.items()
        },
    )
    return language, problems
