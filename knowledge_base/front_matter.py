"""Split an article file into its YAML front matter and Markdown body, keeping line numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

_FENCE = "---"


class FrontMatterError(ValueError):
    """The front matter is missing or not valid YAML; `line` points at the problem."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Parsed:
    """Front matter as a dict, the body, and where each key and the body start."""

    meta: dict[str, Any]
    body: str
    body_line: int
    key_lines: dict[str, int]


def parse(text: str) -> Parsed:
    """Parse `---\\nyaml\\n---\\nbody`; raises FrontMatterError with a line number."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != _FENCE:
        raise FrontMatterError(1, "missing front matter: the file must start with '---'")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == _FENCE)
    except StopIteration:
        raise FrontMatterError(1, "front matter is not closed with '---'") from None
    block = "\n".join(lines[1:end])
    try:
        meta = yaml.safe_load(block)
    except ValueError as exc:
        # PyYAML raises a bare ValueError for impossible dates such as 2025-13-45.
        for number, row in enumerate(lines[1:end], start=2):
            match = re.match(r"([A-Za-z_][\w-]*)\s*:\s*\d{4}-\d\d?-\d\d?\s*$", row)
            if match:
                try:
                    yaml.safe_load(row)
                except ValueError:
                    raise FrontMatterError(
                        number, f"'{match.group(1)}' is not a valid date: {exc}"
                    ) from None
        raise FrontMatterError(2, f"front matter: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = 2 + (mark.line if mark is not None else 0)
        reason = getattr(exc, "problem", None) or "invalid YAML"
        raise FrontMatterError(line, f"front matter: {reason}") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise FrontMatterError(2, "front matter must be a mapping of keys to values")
    key_lines: dict[str, int] = {}
    for number, row in enumerate(lines[1:end], start=2):
        match = re.match(r"([A-Za-z_][\w-]*)\s*:", row)
        if match and match.group(1) not in key_lines:
            key_lines[match.group(1)] = number
    rest = lines[end + 1 :]
    skipped = next((i for i, line in enumerate(rest) if line.strip()), len(rest))
    body = "\n".join(rest[skipped:]).rstrip()
    body_line = end + 2 + skipped
    return Parsed(meta=meta, body=body, body_line=body_line, key_lines=key_lines)
