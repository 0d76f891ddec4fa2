"""editMessageText/Caption/ReplyMarkup, deleteMessage and answerCallbackQuery."""

from __future__ import annotations

from typing import Any

from . import formatting
from .errors import NOT_MODIFIED, bad_request
from .keyboards import reply_markup
from .messages import StoredMessage
from .models import CallbackAnswer
from .outgoing import bot_is_admin, reachable_chat
from .params import Params
from .registry import method_table
from .state import FakeState

QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


def _editable(state: FakeState, p: Params) -> StoredMessage:
    if p.has("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    chat = reachable_chat(state, p)
    message = state.message(chat.id, p.integer("message_id", required=True))
    if message is None:
        raise bad_request("message to edit not found")
    if not message.from_bot or message.service:
        raise bad_request("message can't be edited")
    return message


def _keyboard(markup: dict[str, Any] | None) -> list[Any]:
    rows = (markup or {}).get("inline_keyboard")
    return rows if isinstance(rows, list) else []


def _apply(state: FakeState, message: StoredMessage, **changes: Any) -> dict[str, Any]:
    message.history.append(message.to_api())
    for key, value in changes.items():
        setattr(message, key, value)
    message.edit_date = state.now()
    state.changed.fire()
    return message.to_api()


async def edit_message_text(state: FakeState, p: Params) -> dict[str, Any]:
    """editMessageText; omitting reply_markup removes the inline keyboard, as in Telegram."""
    message = _editable(state, p)
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    text, entities = formatting.message_text(p)
    markup = reply_markup(p)
    same_keyboard = _keyboard(markup) == message.inline_keyboard
    if text == message.text and entities == message.entities and same_keyboard:
        raise bad_request(NOT_MODIFIED)
    return _apply(
        state,
        message,
        text=text,
        entities=entities,
        source_text=p.text("text"),
        parse_mode=p.text("parse_mode"),
        reply_markup=markup,
    )


async def edit_message_caption(state: FakeState, p: Params) -> dict[str, Any]:
    """editMessageCaption."""
    message = _editable(state, p)
    if message.text is not None:
        raise bad_request("there is no caption in the message to edit")
    caption, entities = formatting.caption(p)
    markup = reply_markup(p)
    same_keyboard = _keyboard(markup) == message.inline_keyboard
    if caption == message.caption and entities == message.caption_entities and same_keyboard:
        raise bad_request(NOT_MODIFIED)
    return _apply(state, message, caption=caption, caption_entities=entities, reply_markup=markup)


async def edit_message_reply_markup(state: FakeState, p: Params) -> dict[str, Any]:
    """editMessageReplyMarkup; no reply_markup removes the keyboard."""
    message = _editable(state, p)
    markup = reply_markup(p)
    if _keyboard(markup) == message.inline_keyboard:
        raise bad_request(NOT_MODIFIED)
    return _apply(state, message, reply_markup=markup)


async def delete_message(state: FakeState, p: Params) -> bool:
    """deleteMessage: own messages, anything in private chats, others' only as admin."""
    chat = state.chat(p.raw("chat_id"))
    message = state.message(chat.id, p.integer("message_id", required=True))
    if message is None:
        raise bad_request("message to delete not found")
    own = message.from_bot and not message.service
    if not (own or chat.is_private or bot_is_admin(state, chat)):
        raise bad_request("message can't be deleted")
    message.deleted = True
    state.changed.fire()
    return True


async def delete_messages(state: FakeState, p: Params) -> bool:
    """deleteMessages: deletes what it can, silently skipping the rest."""
    chat = state.chat(p.raw("chat_id"))
    ids = p.json_value("message_ids")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
        raise bad_request("message_ids is invalid")
    for message_id in ids:
        message = state.message(chat.id, int(message_id))
        if message is not None and (
            message.from_bot or chat.is_private or bot_is_admin(state, chat)
        ):
            message.deleted = True
    state.changed.fire()
    return True


async def answer_callback_query(state: FakeState, p: Params) -> bool:
    """answerCallbackQuery: once per query, within the query's lifetime."""
    query_id = p.text("callback_query_id", required=True) or ""
    record = state.callbacks.get(query_id)
    now = state.clock.now()
    if record is None or record.answer is not None:
        raise bad_request(QUERY_TOO_OLD)
    if now - record.created_at > state.callback_query_ttl:
        raise bad_request(QUERY_TOO_OLD)
    answer = CallbackAnswer(
        callback_query_id=query_id,
        text=p.text("text"),
        show_alert=p.flag("show_alert"),
        url=p.text("url"),
        cache_time=p.integer("cache_time") or 0,
        at=now,
    )
    record.answer = answer
    state.callback_answers.append(answer)
    state.changed.fire()
    return True


METHODS = method_table(
    editMessageText=edit_message_text,
    editMessageCaption=edit_message_caption,
    editMessageReplyMarkup=edit_message_reply_markup,
    deleteMessage=delete_message,
    deleteMessages=delete_messages,
    answerCallbackQuery=answer_callback_query,
)
