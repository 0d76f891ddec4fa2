"""Shared rules for messages the bot sends: reachability, topics, replies, storage."""

from __future__ import annotations

from typing import Any

from .errors import bad_request, forbidden
from .keyboards import reply_markup
from .messages import StoredMessage
from .models import FakeChat
from .params import Params
from .state import FakeState

ADMIN_STATUSES = frozenset({"creator", "administrator"})


def bot_is_admin(state: FakeState, chat: FakeChat) -> bool:
    """Whether the bot has admin rights in a group."""
    return chat.members.get(state.bot.id) in ADMIN_STATUSES


def ensure_reachable(state: FakeState, chat: FakeChat) -> None:
    """403 when the bot cannot write to the chat (blocked, kicked, never started)."""
    kind = "supergroup chat" if chat.type == "supergroup" else "group chat"
    if chat.is_private:
        if chat.blocked:
            raise forbidden("bot was blocked by the user")
        if not chat.bot_started:
            raise forbidden("bot can't initiate conversation with a user")
        return
    status = chat.members.get(state.bot.id, "left")
    if chat.blocked or status == "kicked":
        raise forbidden(f"bot was kicked from the {kind}")
    if status == "left":
        raise forbidden(f"bot is not a member of the {kind}")


def reachable_chat(state: FakeState, p: Params, name: str = "chat_id") -> FakeChat:
    """The target chat of a send or edit."""
    chat = state.chat(p.raw(name))
    ensure_reachable(state, chat)
    return chat


def reply_target(state: FakeState, chat: FakeChat, p: Params) -> StoredMessage | None:
    """The message replied to (reply_parameters or the older reply_to_message_id)."""
    params = p.json_value("reply_parameters")
    if isinstance(params, dict):
        message_id = params.get("message_id")
        allow = bool(params.get("allow_sending_without_reply"))
    else:
        message_id = p.integer("reply_to_message_id")
        allow = p.flag("allow_sending_without_reply")
    if message_id is None:
        return None
    found = state.message(chat.id, int(message_id))
    if found is None and not allow:
        raise bad_request("message to be replied not found")
    return found


def placement(
    state: FakeState, chat: FakeChat, p: Params
) -> tuple[int | None, bool, StoredMessage | None]:
    """(message_thread_id, is_topic_message, reply_to) for a new message in `chat`."""
    reply = reply_target(state, chat, p)
    thread = p.integer("message_thread_id")
    if thread is None and reply is not None:
        thread = reply.thread_id
    if thread is None or chat.is_private:
        return None, False, reply
    if chat.is_forum:
        topic = state.topic(chat.id, thread)
        if topic is None:
            raise bad_request("message thread not found")
        if topic.closed and not bot_is_admin(state, chat):
            raise bad_request("TOPIC_CLOSED")
        return thread, True, reply or state.message(chat.id, thread)
    if state.message(chat.id, thread) is None:
        raise bad_request("message thread not found")
    return thread, False, reply


def bot_message(
    state: FakeState, chat: FakeChat, method: str, p: Params, **content: Any
) -> StoredMessage:
    """Validate placement and markup, then store a new message from the bot."""
    markup = reply_markup(p)
    thread, is_topic, reply = placement(state, chat, p)
    message = StoredMessage(
        chat=chat,
        message_id=state.next_message_id(chat.id),
        date=state.now(),
        sender=state.bot,
        from_bot=True,
        method=method,
        reply_markup=markup,
        thread_id=thread,
        is_topic_message=is_topic,
        reply_to=reply,
        **content,
    )
    return state.add_message(message)


def source_message(state: FakeState, p: Params, what: str) -> StoredMessage:
    """The message named by from_chat_id/message_id (copy and forward)."""
    chat = state.chat(p.raw("from_chat_id"))
    found = state.message(chat.id, p.integer("message_id", required=True))
    if found is None:
        raise bad_request(f"message to {what} not found")
    if found.service:
        raise bad_request(f"message can't be {'forwarded' if what == 'forward' else 'copied'}")
    return found
