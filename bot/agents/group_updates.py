"""Bot API updates from the agents' side as small records: group messages, edits, buttons."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

# Internal notes: a message starting with "!" or the command /nota never reaches the user.
NOTE_PREFIX = "!"
NOTE_COMMAND = "nota"


@dataclass(frozen=True)
class Person:
    """Who sent something, as Telegram reports it."""

    id: int
    name: str
    username: str | None = None
    is_bot: bool = False


@dataclass(frozen=True)
class GroupMessage:
    """A message (or an edit) in a group, or an edit in a private chat."""

    chat_id: int
    chat_type: str
    message_id: int
    sender: Person
    edited: bool
    # The forum topic, only for messages inside one (not the General topic).
    thread_id: int | None = None
    reply_to_id: int | None = None
    text: str | None = None
    caption: str | None = None
    media: Literal["document", "photo"] | None = None
    service: bool = False

    @property
    def body(self) -> str:
        """Text or caption ("" for none)."""
        return self.text if self.text is not None else (self.caption or "")

    @property
    def command(self) -> tuple[str, str] | None:
        """(name, args) for a `/name@bot args` text; None otherwise."""
        if self.text is None or not self.text.startswith("/") or len(self.text) < 2:
            return None
        head, _, args = self.text[1:].partition(" ")
        return head.split("@", 1)[0].lower(), args.strip()

    @property
    def note(self) -> str | None:
        """The text of an internal note (`!text` or `/nota text`); None when not a note."""
        command = self.command
        if command is not None:
            return command[1] if command[0] == NOTE_COMMAND else None
        body = self.body.lstrip()
        return body[len(NOTE_PREFIX) :].strip() if body.startswith(NOTE_PREFIX) else None


@dataclass(frozen=True)
class GroupButton:
    """A press on an inline button of a message in a group (a ticket card)."""

    query_id: str
    chat_id: int
    message_id: int
    thread_id: int | None
    sender: Person
    data: str


def person(raw: Mapping[str, Any]) -> Person:
    """The `User` object as a Person."""
    name = " ".join(p for p in (raw.get("first_name"), raw.get("last_name")) if p)
    return Person(
        id=int(raw["id"]),
        name=name or str(raw["id"]),
        username=raw.get("username"),
        is_bot=bool(raw.get("is_bot")),
    )


def group_message(update: Mapping[str, Any]) -> GroupMessage | None:
    """The message or edit an update carries, if it has a sender; None for anything else."""
    for key, edited in (("message", False), ("edited_message", True)):
        raw = update.get(key)
        if isinstance(raw, Mapping) and isinstance(raw.get("from"), Mapping):
            return _message(raw, edited)
    return None


def group_button(update: Mapping[str, Any]) -> GroupButton | None:
    """A button press on a group message; None for anything else."""
    query = update.get("callback_query")
    if not isinstance(query, Mapping) or not isinstance(query.get("data"), str):
        return None
    message = query.get("message")
    if not isinstance(message, Mapping) or message.get("chat", {}).get("type") == "private":
        return None
    return GroupButton(
        query_id=str(query["id"]),
        chat_id=int(message["chat"]["id"]),
        message_id=int(message["message_id"]),
        thread_id=_thread(message),
        sender=person(query["from"]),
        data=query["data"],
    )


def _message(raw: Mapping[str, Any], edited: bool) -> GroupMessage:
    media: Literal["document", "photo"] | None = None
    if isinstance(raw.get("document"), Mapping):
        media = "document"
    elif isinstance(raw.get("photo"), list) and raw["photo"]:
        media = "photo"
    reply = raw.get("reply_to_message")
    service_keys = ("forum_topic_created", "forum_topic_edited", "new_chat_members")
    return GroupMessage(
        chat_id=int(raw["chat"]["id"]),
        chat_type=str(raw["chat"].get("type", "")),
        message_id=int(raw["message_id"]),
        sender=person(raw["from"]),
        edited=edited,
        thread_id=_thread(raw),
        reply_to_id=int(reply["message_id"]) if isinstance(reply, Mapping) else None,
        text=raw.get("text") if isinstance(raw.get("text"), str) else None,
        caption=raw.get("caption") if isinstance(raw.get("caption"), str) else None,
        media=media,
        service=any(key in raw for key in service_keys),
    )


def _thread(raw: Mapping[str, Any]) -> int | None:
    # Outside forums message_thread_id marks reply threads; only topics count here.
    if raw.get("is_topic_message") and raw.get("message_thread_id") is not None:
        return int(raw["message_thread_id"])
    return None
