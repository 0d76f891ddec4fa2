"""Turn a text/caption parameter plus parse_mode into what Telegram stores, with its errors."""

from __future__ import annotations

from typing import Any

from .errors import bad_request
from .html_check import parse_html
from .html_entities import HtmlError
from .params import Params
from .text_entities import checked_entities, trim, utf16_len, with_auto_entities

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024


def compose(source: str, parse_mode: str | None, entities: Any) -> tuple[str, list[dict[str, Any]]]:
    """Parse, trim and decorate a text; raises Telegram's 400 for malformed markup."""
    mode = (parse_mode or "").strip().lower()
    if mode == "html":
        try:
            text, found = parse_html(source)
        except HtmlError as exc:
            raise bad_request(f"can't parse entities: {exc}") from exc
    elif mode in ("markdown", "markdownv2"):
        # Markdown is not parsed by the fake server: the text is kept as sent.
        text, found = source, []
    elif mode == "":
        text, found = source, checked_entities(entities)
    else:
        raise bad_request("unsupported parse_mode")
    text, found = trim(text, found)
    return text, with_auto_entities(text, found) if text else []


def message_text(p: Params, *, required: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """The `text` of sendMessage/editMessageText: non-empty and at most 4096 UTF-16 units."""
    source = p.text("text") or ""
    text, entities = compose(
        source, p.text("parse_mode"), p.json_value("entities", error="can't parse entities")
    )
    if not text and required:
        raise bad_request("message text is empty")
    if utf16_len(text) > TEXT_LIMIT:
        raise bad_request("message is too long")
    return text, entities


def caption(p: Params) -> tuple[str | None, list[dict[str, Any]]]:
    """The optional `caption` of media: at most 1024 UTF-16 units."""
    source = p.text("caption")
    if source is None:
        return None, []
    text, entities = compose(
        source,
        p.text("parse_mode"),
        p.json_value("caption_entities", error="can't parse entities"),
    )
    if utf16_len(text) > CAPTION_LIMIT:
        raise bad_request("message caption is too long")
    return (text or None), entities
