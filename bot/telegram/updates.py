"""Bot API update JSON -> the desk's Incoming event (private chats) and the chat it belongs to."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from bot.user_turn import Incoming
from flows.events import Attachment, Button, Event, Text, from_text


def update_chat_id(update: Mapping[str, Any]) -> int | None:
    """The chat an update belongs to, for the inbox's per-chat ordering."""
    for key in ("message", "edited_message", "channel_post", "my_chat_member"):
        if isinstance(update.get(key), Mapping):
            return int(update[key]["chat"]["id"])
    query = update.get("callback_query")
    if isinstance(query, Mapping):
        message = query.get("message")
        if isinstance(message, Mapping):
            return int(message["chat"]["id"])
        return int(query["from"]["id"])
    return None


def callback_query_id(update: Mapping[str, Any]) -> str | None:
    """The id of a pressed button's query, which must be answered to stop the spinner."""
    query = update.get("callback_query")
    return str(query["id"]) if isinstance(query, Mapping) else None


def to_incoming(update: Mapping[str, Any]) -> Incoming | None:
    """A user's event in a private chat; None for anything the user flows do not handle."""
    message = update.get("message")
    if isinstance(message, Mapping):
        if message.get("chat", {}).get("type") != "private" or "from" not in message:
            return None
        event = _message_event(message)
        return _incoming(message["chat"]["id"], message["from"], event) if event else None
    query = update.get("callback_query")
    if isinstance(query, Mapping) and isinstance(query.get("data"), str):
        chat = query.get("message", {}).get("chat", {})
        if chat and chat.get("type") != "private":
            return None
        chat_id = chat.get("id", query["from"]["id"])
        return _incoming(chat_id, query["from"], Button(query["data"]))
    return None


def _message_event(message: Mapping[str, Any]) -> Event | None:
    if isinstance(message.get("text"), str):
        event = from_text(message["text"])
        # The id lets a relay to the agents follow later edits of the message.
        return (
            replace(event, message_id=int(message["message_id"]))
            if isinstance(event, Text)
            else event
        )
    document = message.get("document")
    if isinstance(document, Mapping):
        return Attachment(
            file_id=str(document["file_id"]),
            file_name=str(document.get("file_name", "")),
            size=int(document.get("file_size", 0)),
            mime_type=str(document.get("mime_type", "")),
            kind="document",
        )
    photos = message.get("photo")
    if isinstance(photos, list) and photos:
        # Telegram lists the sizes smallest first; the last one is the original.
        photo = photos[-1]
        return Attachment(
            file_id=str(photo["file_id"]),
            file_name="",
            size=int(photo.get("file_size", 0)),
            mime_type="image/jpeg",
            kind="photo",
        )
    return None


def _incoming(chat_id: int, sender: Mapping[str, Any], event: Event) -> Incoming:
    name = " ".join(p for p in (sender.get("first_name"), sender.get("last_name")) if p)
    return Incoming(
        chat_id=int(chat_id),
        telegram_user_id=int(sender["id"]),
        name=name or str(sender["id"]),
        event=event,
        username=sender.get("username"),
    )
