"""Test-side API: users, groups, memberships and blocking."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .models import FakeChat, FakeUser
from .state import FakeState

ChatRef = FakeChat | FakeUser | int


class People:
    """Mixed into the server: who exists, who is in which group, who blocked the bot."""

    state: FakeState

    def add_user(
        self,
        first_name: str = "Maria",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "pt-br",
        user_id: int | None = None,
    ) -> FakeUser:
        """A new user with a private chat (id = user id) the bot may write to once started."""
        uid = user_id if user_id is not None else 700_000_000 + self.state.serial()
        user = FakeUser(uid, first_name, last_name, username, language_code)
        self.state.users[uid] = user
        self.state.chats[uid] = FakeChat(uid, "private", user=user)
        return user

    def add_group(
        self,
        title: str = "Agentes",
        *,
        forum: bool = True,
        supergroup: bool = True,
        bot_status: str = "administrator",
        members: Iterable[FakeUser] = (),
        admins: Iterable[FakeUser] = (),
        username: str | None = None,
    ) -> FakeChat:
        """A (super)group with the bot as `bot_status`, plus members and administrators."""
        n = self.state.serial()
        chat_id = -(1_000_000_000_000 + n) if supergroup else -(400_000_000 + n)
        kind = "supergroup" if supergroup else "group"
        chat = FakeChat(
            chat_id, kind, title=title, username=username, is_forum=forum and supergroup
        )
        chat.members[self.state.bot.id] = bot_status
        for user in members:
            chat.members[user.id] = "member"
        for user in admins:
            chat.members[user.id] = "administrator"
        self.state.chats[chat_id] = chat
        return chat

    def set_member(self, chat: ChatRef, user: FakeUser, status: str = "member") -> None:
        """Change a user's (or the bot's) status in a group: member, administrator, left..."""
        self.chat_of(chat).members[user.id] = status

    def chat_of(self, ref: ChatRef) -> FakeChat:
        """The chat for a FakeChat, a FakeUser (their private chat) or a chat id."""
        if isinstance(ref, FakeChat):
            return ref
        return self.state.chats[ref.id if isinstance(ref, FakeUser) else ref]

    def block_user(self, chat: ChatRef, *, notify: bool = True) -> None:
        """The user blocks the bot (sends get 403); in a group: the bot is kicked."""
        self._set_blocked(self.chat_of(chat), True, notify)

    def unblock_user(self, chat: ChatRef, *, notify: bool = True) -> None:
        """The user restarts the bot."""
        self._set_blocked(self.chat_of(chat), False, notify)

    def _set_blocked(self, chat: FakeChat, blocked: bool, notify: bool) -> None:
        if chat.blocked == blocked:
            return
        chat.blocked = blocked
        if notify and chat.user is not None:
            statuses = ("member", "kicked") if blocked else ("kicked", "member")
            old, new = (self._bot_member(status) for status in statuses)
            payload = {
                "chat": chat.to_api(),
                "from": chat.user.to_api(),
                "date": self.state.now(),
                "old_chat_member": old,
                "new_chat_member": new,
            }
            self.state.updates.push("my_chat_member", payload)

    def _bot_member(self, status: str) -> dict[str, Any]:
        member: dict[str, Any] = {"status": status, "user": self.state.bot.to_api()}
        if status == "kicked":
            member["until_date"] = 0
        return member
