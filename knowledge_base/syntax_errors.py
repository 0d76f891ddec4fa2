"""YAML and TOML syntax errors in an editor's words, at the line where the mistake is.

Parsers report where they gave up, which is often lines after the mistake (an unclosed quote
on line 3 surfaces as "expected <block end>" on line 6). The common mistakes are found by
looking at the lines themselves first; the parser's position is the fallback.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

from .lint_messages import quote
from .problems import Problem, toml_error_line

_YAML_VALUE = re.compile(r"^\s*[A-Za-z_][\w-]*\s*:\s*(?P<value>.*)$")
# A bare key may only hold A-Z a-z 0-9 _ -; "tá = ..." needs quotes.
_BAD_BARE_KEY = re.compile(
    r"^\s*(?![\"'\[])[^=\s]*[^A-Za-z0-9_\s=.\"'-][^=]*=|^\s*[A-Za-z0-9_-]+ +[A-Za-z0-9_-]+\s*="
)
_TOML_VALUE = re.compile(r"^\s*[\w.\"'-]+\s*=\s*(?P<value>.*)$")


def yaml_problem(path: Path, rows: list[str], first: int, exc: yaml.YAMLError) -> Problem:
    """The problem of a front matter block `rows` whose first row is line `first`."""
    for number, row in enumerate(rows, start=first):
        mark = _open_quote(row)
        if mark:
            return Problem.of(path, number, "yaml_unclosed_quote", quoted=quote(row), mark=mark)
    for number, row in enumerate(rows, start=first):
        match = _YAML_VALUE.match(row)
        value = match.group("value").strip() if match else ""
        if value.startswith("[") and value.count("[") > value.count("]"):
            return Problem.of(path, number, "yaml_unclosed_list", quoted=quote(row))
    problem_mark = getattr(exc, "problem_mark", None)
    index = problem_mark.line if problem_mark is not None else 0
    row = rows[index] if 0 <= index < len(rows) else ""
    reason = str(getattr(exc, "problem", None) or "invalid YAML")
    if reason.startswith("mapping values are not allowed"):
        return Problem.of(path, first + index, "yaml_colon", quoted=quote(row))
    return Problem.of(path, first + index, "yaml_syntax", quoted=quote(row), detail=reason)


def toml_problem(path: Path, text: str, exc: tomllib.TOMLDecodeError) -> Problem:
    """The problem of a TOML file that does not parse."""
    rows = text.splitlines()
    for number, row in enumerate(rows, start=1):
        if _toml_open_string(row):
            return Problem.of(path, number, "toml_unclosed_string", quoted=quote(row))
    detail = str(exc)
    line = toml_error_line(detail) if "line" in detail else _last_line(rows)
    row = rows[line - 1] if 0 < line <= len(rows) else ""
    reason = detail.split(" (at ")[0]
    codes = {
        "Expected '=' after a key": "toml_missing_equals",
        "Unclosed array": "toml_unclosed_array",
        "Invalid value": "toml_bad_value",
        "Cannot declare": "toml_duplicate",
        "Cannot overwrite": "toml_duplicate",
        "Cannot mutate immutable namespace": "toml_duplicate",
        "Expected ']' at the end of a table": "toml_table_header",
        "Expected ']]' at the end of an array": "toml_table_header",
    }
    code = next((c for start, c in codes.items() if reason.startswith(start)), "toml_syntax")
    if code in ("toml_missing_equals", "toml_syntax") and _BAD_BARE_KEY.match(row):
        code = "toml_key_chars"
    if code == "toml_unclosed_array":
        line = _array_start(rows, line) or line
        row = rows[line - 1] if 0 < line <= len(rows) else ""
    if code == "toml_duplicate" and "line" not in detail:
        line = _repeated_key(rows) or line
        row = rows[line - 1] if 0 < line <= len(rows) else ""
    return Problem.of(path, line, code, quoted=quote(row), detail=reason)


def _open_quote(row: str) -> str:
    """The quote character a YAML `key: "value` line opens and never closes ('' if none)."""
    match = _YAML_VALUE.match(row)
    value = match.group("value").rstrip() if match else ""
    if value[:1] == '"':
        closed = re.match(r'"(?:[^"\\]|\\.)*"', value)
        return "" if closed else '"'
    if value[:1] == "'":
        closed = re.match(r"'(?:[^']|'')*'", value)
        return "" if closed else "'"
    return ""


def _toml_open_string(row: str) -> bool:
    match = _TOML_VALUE.match(row)
    value = match.group("value").strip() if match else ""
    if not value.startswith('"') or value.startswith('"""'):
        return False
    return re.match(r'"(?:[^"\\]|\\.)*"', value) is None


def _repeated_key(rows: list[str]) -> int:
    """Line of the first `key =` repeated within one table (tomllib gives no line for it)."""
    seen: set[str] = set()
    for number, row in enumerate(rows, start=1):
        stripped = row.strip()
        if stripped.startswith("["):
            seen = set()
            continue
        key = stripped.split("=", 1)[0].strip() if "=" in stripped else ""
        if key and not stripped.startswith("#"):
            if key in seen:
                return number
            seen.add(key)
    return 0


def _array_start(rows: list[str], before: int) -> int:
    """Line of the `key = [` that opened the array tomllib found unclosed at `before`."""
    for number in range(min(before, len(rows)), 0, -1):
        row = rows[number - 1].split("#", 1)[0]
        if "=" in row and row.count("[") > row.count("]"):
            return number
    return 0


def _last_line(rows: list[str]) -> int:
    return max(len(rows), 1)
