"""Message text as Telegram stores it: trimming, UTF-16 offsets, auto-detected entities."""

from __future__ import annotations

import re
from typing import Any

from .errors import bad_request

TRIM = " \t\r\n\x0b\x0c"
# Spans Telegram never re-scans for urls, mentions and commands.
_OPAQUE = frozenset({"code", "pre", "text_link", "text_mention", "custom_emoji"})
_AUTO = (
    ("email", re.compile(r"(?<![\w.+@-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")),
    ("url", re.compile(r"(?<![\w@/])(?:https?://|www\.)[^\s<>\"]+[^\s<>\".,;:!?)\]'}]")),
    ("bot_command", re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?!\w)")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z0-9_]{3,32}(?!\w)")),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d_]\w*")),
)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of entity offsets and of the length limits."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Strip surrounding whitespace as Telegram does, shifting and clipping entities."""
    stripped = text.strip(TRIM)
    if not stripped:
        return "", []
    lead = utf16_len(text[: len(text) - len(text.lstrip(TRIM))])
    total = utf16_len(stripped)
    out: list[dict[str, Any]] = []
    for entity in entities:
        start = max(0, int(entity["offset"]) - lead)
        end = min(total, int(entity["offset"]) + int(entity["length"]) - lead)
        if end > start:
            out.append({**entity, "offset": start, "length": end - start})
    return stripped, out


def with_auto_entities(text: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add url/email/mention/hashtag/bot_command entities outside code and links, sorted."""
    taken = [(e["offset"], e["offset"] + e["length"]) for e in entities if e["type"] in _OPAQUE]
    found: list[dict[str, Any]] = []
    for kind, pattern in _AUTO:
        for match in pattern.finditer(text):
            start = utf16_len(text[: match.start()])
            end = start + utf16_len(match.group())
            if any(start < b and a < end for a, b in taken):
                continue
            taken.append((start, end))
            found.append({"type": kind, "offset": start, "length": end - start})
    return sorted(entities + found, key=lambda e: (e["offset"], -e["length"]))


def checked_entities(value: Any) -> list[dict[str, Any]]:
    """Validate an explicit `entities` parameter (already JSON-decoded)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise bad_request("can't parse entities JSON object")
    out: list[dict[str, Any]] = []
    for item in value:
        if not isinstance(item, dict) or not {"type", "offset", "length"} <= item.keys():
            raise bad_request("can't parse MessageEntity JSON object")
        out.append({k: v for k, v in item.items() if v is not None})
    return out
