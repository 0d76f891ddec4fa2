"""sendMessage, copyMessage, forwardMessage and sendChatAction."""

from __future__ import annotations

from typing import Any

from . import formatting
from .errors import bad_request
from .outgoing import bot_message, reachable_chat, source_message
from .params import Params
from .registry import method_table
from .state import FakeState

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


async def send_message(state: FakeState, p: Params) -> dict[str, Any]:
    """sendMessage."""
    chat = reachable_chat(state, p)
    text, entities = formatting.message_text(p)
    message = bot_message(
        state,
        chat,
        "sendMessage",
        p,
        text=text,
        entities=entities,
        source_text=p.text("text"),
        parse_mode=p.text("parse_mode"),
    )
    return message.to_api()


async def copy_message(state: FakeState, p: Params) -> dict[str, Any]:
    """copyMessage: same content, no link to the original; returns a MessageId."""
    chat = reachable_chat(state, p)
    original = source_message(state, p, "copy")
    content: dict[str, Any] = {
        "text": original.text,
        "entities": list(original.entities),
        "document": original.document,
        "photo": original.photo,
        "caption": original.caption,
        "caption_entities": list(original.caption_entities),
        "source_text": original.source_text,
        "parse_mode": original.parse_mode,
    }
    if p.raw("caption") is not None and original.text is None:
        content["caption"], content["caption_entities"] = formatting.caption(p)
        content["source_text"], content["parse_mode"] = p.text("caption"), p.text("parse_mode")
    if p.raw("reply_markup") is None and original.inline_keyboard:
        # Telegram keeps the inline keyboard of the original unless a new one is given.
        p.values["reply_markup"] = {"inline_keyboard": original.inline_keyboard}
    copy = bot_message(state, chat, "copyMessage", p, **content)
    return {"message_id": copy.message_id}


async def forward_message(state: FakeState, p: Params) -> dict[str, Any]:
    """forwardMessage: the copy carries forward_origin."""
    chat = reachable_chat(state, p)
    original = source_message(state, p, "forward")
    origin = {"type": "user", "sender_user": original.sender.to_api(), "date": original.date}
    p.values.pop("reply_markup", None)
    message = bot_message(
        state,
        chat,
        "forwardMessage",
        p,
        text=original.text,
        entities=list(original.entities),
        document=original.document,
        photo=original.photo,
        caption=original.caption,
        caption_entities=list(original.caption_entities),
        extra={"forward_origin": origin},
    )
    return message.to_api()


async def send_chat_action(state: FakeState, p: Params) -> bool:
    """sendChatAction."""
    chat = reachable_chat(state, p)
    action = p.text("action", required=True)
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    state.chat_actions.append((chat.id, str(action), p.integer("message_thread_id")))
    state.changed.fire()
    return True


METHODS = method_table(
    sendMessage=send_message,
    copyMessage=copy_message,
    forwardMessage=forward_message,
    sendChatAction=send_chat_action,
)
