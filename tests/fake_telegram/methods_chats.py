"""getChat, getChatMember, getChatAdministrators and getChatMemberCount."""

from __future__ import annotations

from typing import Any

from .errors import bad_request
from .models import FakeChat, FakeUser
from .params import Params
from .registry import method_table
from .state import FakeState

_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
)
_NOT_GRANTED = (
    "can_promote_members",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_send_welcome_messages",
)


def member_api(user: FakeUser, status: str) -> dict[str, Any]:
    """A `ChatMember` object of the given status (admins get every usual right)."""
    out: dict[str, Any] = {"status": status, "user": user.to_api()}
    if status == "creator":
        out["is_anonymous"] = False
    elif status == "administrator":
        out.update(can_be_edited=False, is_anonymous=False)
        out.update({right: True for right in _ADMIN_RIGHTS})
        out.update({right: False for right in _NOT_GRANTED})
    elif status == "kicked":
        out["until_date"] = 0
    return out


def status_of(state: FakeState, chat: FakeChat, user_id: int) -> str:
    """Membership status of a user (or the bot) in a chat."""
    if chat.is_private:
        return "member" if user_id in (chat.id, state.bot.id) else "left"
    return chat.members.get(user_id, "left")


def _user(state: FakeState, user_id: int) -> FakeUser:
    if user_id == state.bot.id:
        return state.bot
    found = state.users.get(user_id)
    if found is None:
        raise bad_request("user not found")
    return found


async def get_chat(state: FakeState, p: Params) -> dict[str, Any]:
    """getChat: the ChatFullInfo of a chat the bot knows."""
    return state.chat(p.raw("chat_id")).to_full_api()


async def get_chat_member(state: FakeState, p: Params) -> dict[str, Any]:
    """getChatMember: lets a bot check its own admin rights or a user's status."""
    chat = state.chat(p.raw("chat_id"))
    user = _user(state, p.integer("user_id", required=True) or 0)
    return member_api(user, status_of(state, chat, user.id))


async def get_chat_administrators(state: FakeState, p: Params) -> list[dict[str, Any]]:
    """getChatAdministrators."""
    chat = state.chat(p.raw("chat_id"))
    if chat.is_private:
        raise bad_request("there are no administrators in the private chat")
    return [
        member_api(_user(state, user_id), status)
        for user_id, status in chat.members.items()
        if status in ("creator", "administrator")
    ]


async def get_chat_member_count(state: FakeState, p: Params) -> int:
    """getChatMemberCount."""
    chat = state.chat(p.raw("chat_id"))
    if chat.is_private:
        return 2
    return sum(1 for s in chat.members.values() if s not in ("left", "kicked"))


async def pin_chat_message(state: FakeState, p: Params) -> bool:
    """pinChatMessage (pins are not modelled beyond the existence check)."""
    chat = state.chat(p.raw("chat_id"))
    if state.message(chat.id, p.integer("message_id", required=True)) is None:
        raise bad_request("message to pin not found")
    return True


async def unpin_chat_message(state: FakeState, p: Params) -> bool:
    """unpinChatMessage."""
    state.chat(p.raw("chat_id"))
    return True


METHODS = method_table(
    getChat=get_chat,
    getChatMember=get_chat_member,
    getChatAdministrators=get_chat_administrators,
    getChatMemberCount=get_chat_member_count,
    pinChatMessage=pin_chat_message,
    unpinChatMessage=unpin_chat_message,
)
