"""Read article files (`articles/<id>.md`) into Article objects, collecting problems."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from .front_matter import FrontMatterError, parse
from .models import Article
from .problems import Problem

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
REQUIRED = ("id", "title", "system")
LIST_KEYS = ("offers", "tags", "synonyms", "questions", "office_hours")
FLAGS = ("no_ticket", "for_problems")
KNOWN_KEYS = {*REQUIRED, *LIST_KEYS, "updated", *FLAGS}


def read_article(path: Path) -> tuple[Article | None, list[Problem]]:
    """Parse one article file; returns None with problems when it cannot be used."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem.of(path, 1, "file_unreadable", detail=exc)]
    try:
        parsed = parse(text, path)
    except FrontMatterError as exc:
        return None, [exc.problem]
    meta, lines = parsed.meta, parsed.key_lines
    problems: list[Problem] = []

    def at(key: str) -> int:
        return lines.get(key, 1)

    for key in sorted(set(meta) - KNOWN_KEYS):
        known = ", ".join(sorted(KNOWN_KEYS))
        problems.append(Problem.of(path, at(key), "key_unknown", key=key, known=known))
    missing = [k for k in REQUIRED if not isinstance(meta.get(k), str) or not meta[k].strip()]
    for key in missing:
        problems.append(Problem.of(path, at(key), "key_required", key=key))
    lists = {
        key: _string_list(meta.get(key, []), key, path, at(key), problems) for key in LIST_KEYS
    }
    article_id = str(meta.get("id") or "").strip()
    if article_id and not ID_PATTERN.match(article_id):
        problems.append(Problem.of(path, at("id"), "id_malformed", value=article_id))
        missing.append("id")
    elif article_id and path.stem != article_id:
        problems.append(Problem.of(path, at("id"), "id_filename", value=article_id))
    updated = _date(meta.get("updated"), path, at("updated"), problems)
    flags = {key: meta.get(key, False) for key in FLAGS}
    for key, value in flags.items():
        if not isinstance(value, bool):
            problems.append(Problem.of(path, at(key), "flag_invalid", key=key, value=value))
    if not parsed.body.strip():
        problems.append(Problem.of(path, parsed.body_line, "body_empty"))
    if missing:
        return None, problems
    article = Article(
        id=article_id,
        title=str(meta["title"]).strip(),
        system=str(meta["system"]).strip(),
        body=parsed.body,
        path=path,
        offers=lists["offers"],
        tags=lists["tags"],
        synonyms=lists["synonyms"],
        questions=lists["questions"],
        updated=updated,
        no_ticket=flags["no_ticket"] is True,
        for_problems=flags["for_problems"] is True,
        office_hours=lists["office_hours"],
        body_line=parsed.body_line,
        key_lines=dict(parsed.key_lines),
    )
    return article, problems


def _string_list(
    value: Any, key: str, path: Path, line: int, problems: list[Problem]
) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        problems.append(Problem.of(path, line, "list_expected", key=key))
        return ()
    return tuple(str(v).strip() for v in value if str(v).strip())


def _date(value: Any, path: Path, line: int, problems: list[Problem]) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        problems.append(Problem.of(path, line, "date_invalid", key="updated", value=value))
        return None
