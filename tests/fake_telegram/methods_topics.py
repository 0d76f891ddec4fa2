"""Forum topics: create, edit, close, reopen and delete, with their service messages."""

from __future__ import annotations

from typing import Any

from .errors import bad_request
from .messages import StoredMessage
from .models import FakeChat, Topic
from .outgoing import bot_is_admin, reachable_chat
from .params import Params
from .registry import method_table
from .state import FakeState

ICON_COLORS = frozenset({7322096, 16766590, 13338331, 9367192, 16749490, 16478047})
NOT_MODIFIED = "TOPIC_NOT_MODIFIED"


def _forum(state: FakeState, p: Params) -> FakeChat:
    chat = reachable_chat(state, p)
    if chat.type != "supergroup" or not chat.is_forum:
        raise bad_request("the chat is not a forum")
    if not bot_is_admin(state, chat):
        raise bad_request("not enough rights to manage topics")
    return chat


def _topic(state: FakeState, chat: FakeChat, p: Params) -> Topic:
    topic = state.topic(chat.id, p.integer("message_thread_id", required=True) or 0)
    if topic is None:
        raise bad_request("message thread not found")
    return topic


def _service(state: FakeState, chat: FakeChat, thread_id: int | None, extra: dict[str, Any]) -> int:
    message_id = state.next_message_id(chat.id)
    thread = message_id if thread_id is None else thread_id
    root = state.message(chat.id, thread)
    state.add_message(
        StoredMessage(
            chat=chat,
            message_id=message_id,
            date=state.now(),
            sender=state.bot,
            from_bot=True,
            method="service",
            thread_id=thread,
            is_topic_message=True,
            reply_to=root,
            extra=extra,
            service=True,
        )
    )
    return message_id


def _name(p: Params, *, required: bool) -> str | None:
    name = p.text("name")
    if name is None or not name.strip():
        if required:
            raise bad_request("TOPIC_TITLE_EMPTY")
        return None
    if len(name) > 128:
        raise bad_request("TOPIC_TITLE_INVALID")
    return name


async def create_forum_topic(state: FakeState, p: Params) -> dict[str, Any]:
    """createForumTopic: the thread id is the id of the "topic created" service message."""
    chat = _forum(state, p)
    name = _name(p, required=True) or ""
    color = p.integer("icon_color") or 7322096
    if color not in ICON_COLORS:
        raise bad_request("TOPIC_ICON_COLOR_INVALID")
    emoji = p.text("icon_custom_emoji_id")
    created: dict[str, Any] = {"name": name, "icon_color": color}
    if emoji:
        created["icon_custom_emoji_id"] = emoji
    thread_id = _service(state, chat, None, {"forum_topic_created": created})
    topic = Topic(chat.id, thread_id, name, color, emoji)
    state.topics.setdefault(chat.id, {})[thread_id] = topic
    return topic.to_api()


async def edit_forum_topic(state: FakeState, p: Params) -> bool:
    """editForumTopic."""
    chat = _forum(state, p)
    topic = _topic(state, chat, p)
    name = _name(p, required=False)
    emoji = p.raw("icon_custom_emoji_id")
    changes: dict[str, Any] = {}
    if name is not None and name != topic.name:
        changes["name"] = topic.name = name
    if emoji is not None and (emoji or None) != topic.icon_custom_emoji_id:
        changes["icon_custom_emoji_id"] = emoji
        topic.icon_custom_emoji_id = emoji or None
    if not changes:
        raise bad_request(NOT_MODIFIED)
    _service(state, chat, topic.thread_id, {"forum_topic_edited": changes})
    return True


async def close_forum_topic(state: FakeState, p: Params) -> bool:
    """closeForumTopic."""
    return _set_closed(state, p, closed=True)


async def reopen_forum_topic(state: FakeState, p: Params) -> bool:
    """reopenForumTopic."""
    return _set_closed(state, p, closed=False)


def _set_closed(state: FakeState, p: Params, *, closed: bool) -> bool:
    chat = _forum(state, p)
    topic = _topic(state, chat, p)
    if topic.closed == closed:
        raise bad_request(NOT_MODIFIED)
    topic.closed = closed
    event = "forum_topic_closed" if closed else "forum_topic_reopened"
    _service(state, chat, topic.thread_id, {event: {}})
    return True


async def delete_forum_topic(state: FakeState, p: Params) -> bool:
    """deleteForumTopic: the topic and all its messages go away."""
    chat = _forum(state, p)
    topic = _topic(state, chat, p)
    topic.deleted = True
    for message in state.messages.get(chat.id, {}).values():
        if message.thread_id == topic.thread_id:
            message.deleted = True
    state.changed.fire()
    return True


METHODS = method_table(
    createForumTopic=create_forum_topic,
    editForumTopic=edit_forum_topic,
    closeForumTopic=close_forum_topic,
    reopenForumTopic=reopen_forum_topic,
    deleteForumTopic=delete_forum_topic,
)
