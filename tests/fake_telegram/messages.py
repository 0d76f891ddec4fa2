"""Messages as the fake server stores them, and their Bot API `Message` shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .models import FakeChat, FakeUser


@dataclass
class StoredMessage:
    """One message in a chat; bot-sent ones are what `sent_messages` returns.

    `text`/`caption` hold the text after entity parsing (what the user sees); `source_text`
    and `parse_mode` hold what the bot passed in.
    """

    chat: FakeChat
    message_id: int
    date: int
    sender: FakeUser
    from_bot: bool
    method: str
    text: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    source_text: str | None = None
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    thread_id: int | None = None
    is_topic_message: bool = False
    reply_to: StoredMessage | None = None
    document: dict[str, Any] | None = None
    photo: list[dict[str, Any]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    service: bool = False
    edit_date: int | None = None
    deleted: bool = False
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def chat_id(self) -> int:
        """The id of the chat the message is in."""
        return self.chat.id

    @property
    def body(self) -> str:
        """Text or caption, whichever the message has ("" for none)."""
        return self.text if self.text is not None else (self.caption or "")

    @property
    def inline_keyboard(self) -> list[list[dict[str, Any]]]:
        """The rows of the attached inline keyboard (empty when none)."""
        if self.reply_markup is None:
            return []
        rows = self.reply_markup.get("inline_keyboard")
        return rows if isinstance(rows, list) else []

    def button_data(self) -> list[str]:
        """Every callback_data of the inline keyboard, row by row."""
        return [
            b["callback_data"] for row in self.inline_keyboard for b in row if "callback_data" in b
        ]

    def to_api(self, *, with_reply: bool = True) -> dict[str, Any]:
        """The `Message` object (replies nest one level, as in Telegram)."""
        out: dict[str, Any] = {
            "message_id": self.message_id,
            "from": self.sender.to_api(),
            "chat": self.chat.to_api(),
            "date": self.date,
        }
        if self.thread_id is not None:
            out["message_thread_id"] = self.thread_id
        if self.is_topic_message:
            out["is_topic_message"] = True
        if with_reply and self.reply_to is not None:
            out["reply_to_message"] = self.reply_to.to_api(with_reply=False)
        if self.edit_date is not None:
            out["edit_date"] = self.edit_date
        if self.text is not None:
            out["text"] = self.text
            if self.entities:
                out["entities"] = self.entities
        if self.document is not None:
            out["document"] = self.document
        if self.photo is not None:
            out["photo"] = self.photo
        if self.caption is not None:
            out["caption"] = self.caption
            if self.caption_entities:
                out["caption_entities"] = self.caption_entities
        out.update(self.extra)
        if self.inline_keyboard:
            out["reply_markup"] = {"inline_keyboard": self.inline_keyboard}
        return out
