"""Rendered replies as Bot API calls: what the outbox stores and a driver sends."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from bot.rendering import Renderer
from flows.actions import Reply
from knowledge_base.render import TELEGRAM_LIMIT

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*>")


@dataclass(frozen=True)
class Outbound:
    """One Bot API call for one chat: method and params (chat_id is added when sending)."""

    chat_id: int
    method: str
    params: dict[str, Any] = field(default_factory=dict)
    kind: str = "reply"
    ticket_id: int | None = None

    @property
    def text(self) -> str:
        """The message text (a file's caption), for the terminal and for tests."""
        return str(self.params.get("text", self.params.get("caption", "")))

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback data) of every inline button, row by row."""
        rows = self.params.get("reply_markup", {}).get("inline_keyboard", [])
        return [(b["text"], b["callback_data"]) for row in rows for b in row]


def reply_calls(renderer: Renderer, chat_id: int, reply: Reply, **extra: Any) -> list[Outbound]:
    """sendMessage calls for a reply; its buttons go on the last message."""
    texts = [
        part
        for text in renderer.render_messages(reply.template, reply.params)
        for part in split_text(text)
    ]
    keyboard = renderer.keyboard(reply)
    calls = []
    for number, text in enumerate(texts, start=1):
        params: dict[str, Any] = {"text": text, "parse_mode": "HTML", **extra}
        if keyboard and number == len(texts):
            params["reply_markup"] = {
                "inline_keyboard": [
                    [{"text": label, "callback_data": data} for label, data in row]
                    for row in keyboard
                ]
            }
        calls.append(Outbound(chat_id, "sendMessage", params))
    return calls


def telegram_length(html_text: str) -> int:
    """Length as Telegram counts it: UTF-16 units of the text once the HTML is parsed."""
    visible = html.unescape(_TAG.sub("", html_text))
    return len(visible.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Cut HTML text over Telegram's limit at paragraph, line or word boundaries.

    Tags open at a cut are closed at the end of one piece and reopened at the start of the next,
    so every piece is valid HTML on its own.
    """
    # Removing tags and unescaping entities never lengthens a text, so a text whose raw UTF-16
    # length is within the limit needs no cut (a code point is at most two UTF-16 units).
    if len(text) * 2 <= limit or len(text.encode("utf-16-le")) // 2 <= limit:
        return [text] if text.strip() else []
    pieces: list[str] = []
    rest = text
    while telegram_length(rest) > limit:
        room = limit
        while telegram_length(rest[:room]) > limit - 100:
            room = int(room * 0.9)
        cut = max(rest.rfind("\n\n", 0, room), rest.rfind("\n", 0, room), rest.rfind(" ", 0, room))
        cut = cut if cut > room // 2 else room
        if (lt := rest.rfind("<", 0, cut)) > rest.rfind(">", 0, cut):
            cut = lt  # never inside a tag
        head, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        opened = _open_tags(head)
        pieces.append(head + "".join(f"</{name}>" for name, _ in reversed(opened)))
        rest = "".join(tag for _, tag in opened) + rest
    return [*pieces, rest] if rest.strip() else pieces


def _open_tags(html: str) -> list[tuple[str, str]]:
    stack: list[tuple[str, str]] = []
    for match in _TAG.finditer(html):
        closing, name = match.group(1), match.group(2).lower()
        if not closing:
            stack.append((name, match.group(0)))
        elif stack and stack[-1][0] == name:
            stack.pop()
    return stack
