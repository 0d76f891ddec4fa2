"""Test-side inspection: what the bot sent, answered and called, and async waits for it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any, TypeVar

from .messages import StoredMessage
from .models import CallbackAnswer, CallbackRecord, FakeChat, FakeUser, RequestRecord, Topic
from .state import FakeState

T = TypeVar("T")
ChatRef = FakeChat | FakeUser | int
Predicate = Callable[[StoredMessage], bool]


def _chat_id(ref: ChatRef) -> int:
    return ref if isinstance(ref, int) else ref.id


class Inspection:
    """Mixed into the server: read-only views of the fake world, plus waits."""

    state: FakeState

    def sent_messages(
        self, chat: ChatRef | None = None, *, include_deleted: bool = False
    ) -> list[StoredMessage]:
        """Messages the bot sent (to `chat`, or anywhere), oldest first; edits show through."""
        wanted = None if chat is None else _chat_id(chat)
        return [
            m
            for m in self.state.timeline
            if m.from_bot
            and not m.service
            and (wanted is None or m.chat.id == wanted)
            and (include_deleted or not m.deleted)
        ]

    def chat_messages(self, chat: ChatRef) -> list[StoredMessage]:
        """Every live message in a chat: users', the bot's and service messages."""
        wanted = _chat_id(chat)
        return [m for m in self.state.timeline if m.chat.id == wanted and not m.deleted]

    def last_sent(self, chat: ChatRef) -> StoredMessage | None:
        """The bot's latest message in a chat."""
        sent = self.sent_messages(chat)
        return sent[-1] if sent else None

    async def wait_until(
        self, condition: Callable[[], T | None], timeout: float = 5.0, what: str = "condition"
    ) -> T:
        """Wait until `condition()` is truthy and return it; TimeoutError after `timeout` s."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = condition()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
            await self.state.changed.wait(min(remaining, 0.25))

    async def wait_for_message(
        self, chat: ChatRef, predicate: Predicate | None = None, timeout: float = 5.0
    ) -> StoredMessage:
        """The next bot message in `chat` matching `predicate` that no earlier wait returned."""
        claimed = self.state.claimed

        def find() -> StoredMessage | None:
            for message in self.sent_messages(chat):
                if (message.chat.id, message.message_id) not in claimed and (
                    predicate is None or predicate(message)
                ):
                    return message
            return None

        try:
            found = await self.wait_until(find, timeout, "a message")
        except TimeoutError as exc:
            bodies = [m.body for m in self.sent_messages(chat)]
            raise TimeoutError(
                f"no matching message in chat {_chat_id(chat)}; sent: {bodies}"
            ) from exc
        claimed.add((found.chat.id, found.message_id))
        return found

    async def wait_for_messages(
        self, chat: ChatRef, count: int, timeout: float = 5.0
    ) -> list[StoredMessage]:
        """The next `count` bot messages in `chat` (see wait_for_message)."""
        return [await self.wait_for_message(chat, None, timeout) for _ in range(count)]

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        """Every answerCallbackQuery, in order."""
        return list(self.state.callback_answers)

    def callback(self, query_id: str) -> CallbackRecord:
        """A delivered callback query (its `.answer` is set once the bot answered)."""
        return self.state.callbacks[query_id]

    def topics(self, chat: ChatRef, *, include_deleted: bool = False) -> list[Topic]:
        """Forum topics of a chat, in creation order."""
        found = self.state.topics.get(_chat_id(chat), {}).values()
        return [t for t in found if include_deleted or not t.deleted]

    @property
    def requests(self) -> list[RequestRecord]:
        """Every Bot API call: method, params, HTTP status, error description."""
        return list(self.state.requests)

    def requests_for(self, method: str) -> list[RequestRecord]:
        """The calls of one method (case-insensitive)."""
        return [r for r in self.state.requests if r.method.lower() == method.lower()]

    def chat_actions(self, chat: ChatRef) -> list[str]:
        """sendChatAction actions sent to a chat."""
        wanted = _chat_id(chat)
        return [action for chat_id, action, _ in self.state.chat_actions if chat_id == wanted]

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        """The command menu set with setMyCommands for a scope and language."""
        key = (json.dumps(scope or {"type": "default"}, sort_keys=True), language_code)
        return list(self.state.commands.get(key, []))

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by the bot."""
        return list(self.state.updates.pending)
