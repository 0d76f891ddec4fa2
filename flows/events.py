"""What reaches a conversation: user input from a driver and ticket news from the desk."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Text:
    """A message the user typed; `message_id` (when the chat has one) lets a relay follow it."""

    text: str
    message_id: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Command:
    """A slash command, e.g. `/chamado SEI-7KX3QF` is Command("chamado", "SEI-7KX3QF")."""

    name: str
    args: str = ""


@dataclass(frozen=True)
class Button:
    """A press on an inline button: its callback data."""

    data: str


@dataclass(frozen=True)
class Attachment:
    """A document or photo the user sent, by Telegram file reference (never the bytes)."""

    file_id: str
    file_name: str = ""
    size: int = 0
    mime_type: str = ""
    kind: Literal["document", "photo"] = "document"


@dataclass(frozen=True)
class TicketStatusChanged:
    """The desk changed the status of one of this user's tickets."""

    code: str
    status: str


Event = Text | Command | Button | Attachment | TicketStatusChanged


def from_text(text: str) -> Text | Command:
    """A typed line as an event: `/name args` (with an optional @bot suffix) is a Command."""
    stripped = text.strip()
    if not stripped.startswith("/") or len(stripped) == 1:
        return Text(text)
    head, _, args = stripped[1:].partition(" ")
    return Command(head.split("@", 1)[0].lower(), args.strip())
