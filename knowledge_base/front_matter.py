"""Split an article file into its YAML front matter and Markdown body, keeping line numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .problems import Problem
from .syntax_errors import yaml_problem

_FENCE = "---"
_DATE_ROW = re.compile(r"([A-Za-z_][\w-]*)\s*:\s*(\d{4}-\d\d?-\d\d?)\s*$")


class FrontMatterError(ValueError):
    """The front matter is missing or not valid YAML; carries the problem to report."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True)
class Parsed:
    """Front matter as a dict, the body, and where each key and the body start."""

    meta: dict[str, Any]
    body: str
    body_line: int
    key_lines: dict[str, int]


def parse(text: str, path: Path = Path("article.md")) -> Parsed:
    """Parse `---\\nyaml\\n---\\nbody`; raises FrontMatterError with a line number."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != _FENCE:
        raise FrontMatterError(Problem.of(path, 1, "fm_missing"))
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == _FENCE)
    except StopIteration:
        raise FrontMatterError(Problem.of(path, 1, "fm_unclosed")) from None
    rows = lines[1:end]
    try:
        meta = yaml.safe_load("\n".join(rows))
    except ValueError as exc:
        # PyYAML raises a bare ValueError for impossible dates such as 2025-13-45.
        for number, row in enumerate(rows, start=2):
            match = _DATE_ROW.match(row)
            if match and _bad_date(row):
                problem = Problem.of(
                    path, number, "date_invalid", key=match.group(1), value=match.group(2)
                )
                raise FrontMatterError(problem) from None
        raise FrontMatterError(Problem.of(path, 2, "yaml_syntax", quoted="", detail=exc)) from None
    except yaml.YAMLError as exc:
        raise FrontMatterError(yaml_problem(path, rows, 2, exc)) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise FrontMatterError(Problem.of(path, 2, "fm_not_mapping"))
    key_lines: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        match = re.match(r"([A-Za-z_][\w-]*)\s*:", row)
        if match and match.group(1) not in key_lines:
            key_lines[match.group(1)] = number
    rest = lines[end + 1 :]
    skipped = next((i for i, line in enumerate(rest) if line.strip()), len(rest))
    body = "\n".join(rest[skipped:]).rstrip()
    body_line = end + 2 + skipped
    return Parsed(meta=meta, body=body, body_line=body_line, key_lines=key_lines)


def _bad_date(row: str) -> bool:
    try:
        yaml.safe_load(row)
    except ValueError:
        return True
    return False
