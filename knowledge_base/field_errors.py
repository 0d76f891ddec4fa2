"""Pydantic's validation errors of offers.toml and language.toml as editors' problems.

Each error names the key, the place ("oferta 'sei', campo 'email'") and what to write; field
patterns are explained ("hora inválida '25:00': use HH:MM") instead of quoted as regexes.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel

from .lint_messages import where
from .problems import Problem

# List keys whose items have an id, and how a place of that kind is called.
_ITEM_PLACES = {
    "offers": "offer",
    "fields": "field",
    "categories": "category",
    "offices": "office",
    "choices": "choice",
}
# Mapping keys whose entries are places of their own.
_KEY_PLACES = {"systems": "system"}
# Keys with a pattern, and the message that explains the pattern.
_PATTERNS = {
    "start": "hour_invalid",
    "end": "hour_invalid",
    "code_prefix": "code_prefix_invalid",
    "kind": "offer_kind_invalid",
    "grau": "grau_invalid",
}
_TYPES = {
    "int_parsing": "type_int",
    "int_type": "type_int",
    "int_from_float": "type_int",
    "float_parsing": "type_number",
    "float_type": "type_number",
    "string_type": "type_text",
    "list_type": "type_list",
    "bool_parsing": "type_bool",
    "bool_type": "type_bool",
    "dict_type": "type_table",
    "model_type": "type_table",
    "model_attributes_type": "type_table",
}
_LIMITS = {
    "greater_than": "gt",
    "greater_than_equal": "ge",
    "less_than_equal": "le",
}


def field_problem(
    path: Path,
    text: str,
    raw: Any,
    err: Any,
    start: int = 1,
    within: list[tuple[str, str]] | None = None,
    model: type[BaseModel] | None = None,
) -> Problem:
    """The problem for one pydantic error `err` about `raw` (parsed from `text`), which is
    found from line `start` on, in the place `within` (e.g. [("offer", "sei")]). With the
    `model` that read `raw`, a misspelt key gets the key it most resembles."""
    loc = [str(p) for p in err["loc"]]
    line, node, parent = start, raw, ""
    places: list[tuple[str, str]] = list(within or [])
    for part in loc:
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
            kind = _ITEM_PLACES.get(parent)
            if isinstance(node, dict) and isinstance(node.get("id"), str):
                line = line_of(text, f'id = "{node["id"]}"', line)
                if kind:
                    places.append((kind, node["id"]))
            elif kind:
                places.append((kind, f"#{int(part) + 1}"))
        elif isinstance(node, dict) and part in node:
            if parent in _KEY_PLACES:
                line = line_of(text, f"[{parent}.{part}]", line - 1)
                places.append((_KEY_PLACES[parent], part))
            else:
                line = _key_line(text, part, line)
            node = node[part]
        parent = part
    key = next((p for p in reversed(loc) if not p.isdigit()), "")
    if not places and len(loc) > 1 and not loc[0].isdigit():
        places.append(("table", loc[0]))  # a key inside a top-level table: [abbreviations]
    value = err.get("input")
    params = {
        "key": key,
        "where": where(*places),
        "value": value if isinstance(value, str) else _shown(value),
        "shown": _shown(value),
    }
    code = _code(err, key, places)
    near = _nearest(model, loc, key) if code == "field_unknown" else None
    if near:
        return Problem.of(path, line, "field_unknown_near", **params, near=near)
    return Problem.of(path, line, code, **params, **_extra(err))


def _nearest(model: type[BaseModel] | None, loc: list[str], key: str) -> str | None:
    """The known key of the (nested) model at `loc` closest to the unknown `key`, if close."""
    for part in loc[:-1]:
        if model is None or part.isdigit():
            continue
        field = model.model_fields.get(part)
        model = _model_in(field.annotation) if field is not None else None
    if model is None:
        return None
    close = difflib.get_close_matches(key, list(model.model_fields), n=1, cutoff=0.6)
    return close[0] if close else None


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds, directly or as list/dict items (list[_Field] -> _Field)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def line_of(text: str, needle: str, after: int = 0) -> int:
    """First line after `after` starting with `needle` (else `after`, at least 1)."""
    for number, row in enumerate(text.splitlines(), start=1):
        if number > after and row.strip().startswith(needle):
            return number
    return max(after, 1)


def _key_line(text: str, key: str, after: int) -> int:
    """Line of `key = ...` or of the table `[key]` / `[key.x]` after line `after`."""
    starts = (f"{key} =", f"{key}=", f"[{key}]", f"[{key}.", f"[[{key}]]", f"[[{key}.")
    for number, row in enumerate(text.splitlines(), start=1):
        if number >= after and row.strip().startswith(starts):
            return number
    return max(after, 1)


def _code(err: Any, key: str, places: list[tuple[str, str]]) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return "field_unknown"
    if kind == "missing":
        return "field_missing"
    if kind == "string_pattern_mismatch":
        if key == "id":
            return "field_id_pattern" if places and places[-1][0] == "field" else "id_pattern"
        return _PATTERNS.get(key, "field_invalid")
    if kind == "string_too_short":
        return "text_empty"
    if kind == "too_short":
        return "list_empty"
    if kind in _LIMITS:
        return f"number_{_LIMITS[kind]}"
    return _TYPES.get(kind, "field_invalid")


def _extra(err: Any) -> dict[str, str]:
    ctx = err.get("ctx") or {}
    limit = next((ctx[k] for k in _LIMITS.values() if k in ctx), "")
    return {"limit": str(limit), "detail": str(err.get("msg", ""))}


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, dict | list):
        return "{...}" if isinstance(value, dict) else "[...]"
    return str(value)
