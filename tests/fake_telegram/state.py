"""Everything the fake Telegram knows: users, chats, messages, topics, files, logs."""

from __future__ import annotations

import hashlib
from typing import Any

from .clock import Clock
from .errors import bad_request
from .messages import StoredMessage
from .models import (
    CallbackAnswer,
    CallbackRecord,
    FakeChat,
    FakeUser,
    FileRecord,
    RequestRecord,
    Topic,
    WebhookConfig,
)
from .signals import Pulse
from .updates import UpdateQueue


class FakeState:
    """The world behind the fake Bot API; handlers and the test-side API both change it."""

    def __init__(
        self,
        clock: Clock,
        bot: FakeUser,
        *,
        privacy_mode: bool = True,
        callback_query_ttl: float = 15.0,
    ) -> None:
        self.clock = clock
        self.bot = bot
        self.privacy_mode = privacy_mode
        self.callback_query_ttl = callback_query_ttl
        self.webhook = WebhookConfig()
        self.users: dict[int, FakeUser] = {}
        self.chats: dict[int, FakeChat] = {}
        self.messages: dict[int, dict[int, StoredMessage]] = {}
        self.timeline: list[StoredMessage] = []
        self.topics: dict[int, dict[int, Topic]] = {}
        self.files: dict[str, FileRecord] = {}
        self.files_by_path: dict[str, FileRecord] = {}
        self.photo_sets: dict[str, list[dict[str, Any]]] = {}
        self.callbacks: dict[str, CallbackRecord] = {}
        self.callback_answers: list[CallbackAnswer] = []
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.chat_actions: list[tuple[int, str, int | None]] = []
        self.requests: list[RequestRecord] = []
        self.updates = UpdateQueue()
        self.changed = Pulse()
        self.claimed: set[tuple[int, int]] = set()
        self._next_message_id: dict[int, int] = {}
        self._counter = 0

    def now(self) -> int:
        """Current Unix time in whole seconds, as Telegram dates are."""
        return int(self.clock.now())

    def serial(self) -> int:
        """A server-wide increasing number for ids."""
        self._counter += 1
        return self._counter

    def chat(self, chat_id: Any) -> FakeChat:
        """Resolve a chat_id parameter (integer or @username) or fail with "chat not found"."""
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for chat in self.chats.values():
                name = (chat.username or "").lower()
                if name and name == chat_id[1:].lower() and not chat.is_private:
                    return chat
            raise bad_request("chat not found")
        try:
            key = int(chat_id)
        except (TypeError, ValueError) as exc:
            raise bad_request("chat not found") from exc
        found = self.chats.get(key)
        if found is None:
            raise bad_request("chat not found")
        return found

    def add_message(self, message: StoredMessage) -> StoredMessage:
        """Store a new message and wake anyone waiting for changes."""
        self.messages.setdefault(message.chat.id, {})[message.message_id] = message
        self.timeline.append(message)
        self.changed.fire()
        return message

    def next_message_id(self, chat_id: int) -> int:
        """Message ids count up per chat, starting at 1."""
        value = self._next_message_id.get(chat_id, 0) + 1
        self._next_message_id[chat_id] = value
        return value

    def message(self, chat_id: int, message_id: int | None) -> StoredMessage | None:
        """A message that exists and was not deleted."""
        if message_id is None:
            return None
        found = self.messages.get(chat_id, {}).get(message_id)
        return None if found is None or found.deleted else found

    def topic(self, chat_id: int, thread_id: int) -> Topic | None:
        """A live (not deleted) forum topic."""
        found = self.topics.get(chat_id, {}).get(thread_id)
        return None if found is None or found.deleted else found

    def new_file_ids(self, kind: str) -> tuple[str, str]:
        """A (file_id, file_unique_id) pair shaped like Telegram's."""
        n = self.serial()
        digest = hashlib.sha256(f"{kind}:{n}".encode()).hexdigest()
        prefix = {"document": "BQACAgEAAxk", "photo": "AgACAgEAAxk"}.get(kind, "CAACAgEAAxk")
        return f"{prefix}{digest[:40]}", f"AQAD{digest[40:52]}"

    def store_file(self, record: FileRecord) -> FileRecord:
        """Keep a file by id and by path."""
        self.files[record.file_id] = record
        self.files_by_path[record.file_path] = record
        return record

    def chat_instance(self, chat_id: int) -> str:
        """The stable `chat_instance` string of callback queries from a chat."""
        return str(int(hashlib.sha256(str(chat_id).encode()).hexdigest()[:15], 16))
