"""The words of lint messages: templates in `lint_messages.toml`, one table per language."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

CATALOG = Path(__file__).with_name("lint_messages.toml")
DEFAULT_LANGUAGE = "pt"
LANGUAGES = ("pt", "en")
# Parameters named where* hold a location like "offer:sei/field:email", phrased per language.
WHERE = "where"
# Quoted source lines are cut to this many characters, so one problem stays one line.
QUOTE_WIDTH = 70


@cache
def catalog() -> dict[str, dict[str, Any]]:
    """Every language's templates, read once."""
    with CATALOG.open("rb") as fh:
        return tomllib.load(fh)


def message(code: str, params: Mapping[str, str], language: str = DEFAULT_LANGUAGE) -> str:
    """The template `code` of `language` filled with `params` (unknown language: Portuguese).

    A code that is no template is a message already written out (`Problem(path, line, "...")`
    from a check that keeps its words elsewhere): it is returned as it is.
    """
    table = catalog().get(language) or catalog()[DEFAULT_LANGUAGE]
    template = table["messages"].get(code) or catalog()[DEFAULT_LANGUAGE]["messages"].get(code)
    if template is None:
        return code
    filled = {k: _where(v, table) if k.startswith(WHERE) else v for k, v in params.items()}
    return str(template).format(**filled)


def quote(line: str) -> str:
    """A source line as it appears in a message: trimmed, cut to QUOTE_WIDTH characters."""
    text = line.strip()
    return text if len(text) <= QUOTE_WIDTH else text[: QUOTE_WIDTH - 1] + "…"


def where(*parts: tuple[str, object]) -> str:
    """A location parameter: ("offer", "sei"), ("field", "email") -> "offer:sei/field:email"."""
    return "/".join(f"{kind}:{name}" for kind, name in parts)


def _where(value: str, table: Mapping[str, Any]) -> str:
    places = table["places"]
    out = []
    for part in value.split("/") if value else []:
        kind, _, name = part.partition(":")
        out.append(str(places.get(kind, "{name}")).format(name=name))
    return ", ".join(out) if out else str(places["file"])
