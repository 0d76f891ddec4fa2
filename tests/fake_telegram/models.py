"""Users, chats, topics, files and records the fake server keeps, with their Bot API shapes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FakeUser:
    """A Telegram user (or the bot itself when `is_bot`)."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def to_api(self) -> dict[str, Any]:
        """The `User` object."""
        out: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


@dataclass
class FakeChat:
    """A private chat, basic group or supergroup, with member statuses by user id."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    is_forum: bool = False
    user: FakeUser | None = None
    members: dict[int, str] = field(default_factory=dict)
    bot_started: bool = False
    blocked: bool = False

    @property
    def is_private(self) -> bool:
        """True for a one-to-one chat with a user."""
        return self.type == "private"

    def to_api(self) -> dict[str, Any]:
        """The short `Chat` object embedded in messages."""
        out: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.user is not None:
            out.update({k: v for k, v in self.user.to_api().items() if k in _PRIVATE_CHAT_KEYS})
        if self.title is not None:
            out["title"] = self.title
        if self.username is not None:
            out["username"] = self.username
        if self.is_forum:
            out["is_forum"] = True
        return out

    def to_full_api(self) -> dict[str, Any]:
        """The `ChatFullInfo` object returned by getChat."""
        out = self.to_api()
        out.update(
            accent_color_id=abs(self.id) % 7,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        return out


_PRIVATE_CHAT_KEYS = ("first_name", "last_name", "username")


@dataclass
class Topic:
    """A forum topic of a supergroup."""

    chat_id: int
    thread_id: int
    name: str
    icon_color: int
    icon_custom_emoji_id: str | None = None
    closed: bool = False
    deleted: bool = False

    def to_api(self) -> dict[str, Any]:
        """The `ForumTopic` object."""
        out: dict[str, Any] = {
            "message_thread_id": self.thread_id,
            "name": self.name,
            "icon_color": self.icon_color,
        }
        if self.icon_custom_emoji_id:
            out["icon_custom_emoji_id"] = self.icon_custom_emoji_id
        return out


@dataclass
class FileRecord:
    """A stored file, addressable by file_id and downloadable by file_path."""

    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    kind: str = "document"
    width: int = 0
    height: int = 0

    def to_api(self) -> dict[str, Any]:
        """The `File` object returned by getFile."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


@dataclass
class CallbackAnswer:
    """What the bot said in answerCallbackQuery."""

    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int
    at: float


@dataclass
class CallbackRecord:
    """A button press the fake server delivered, and its answer once given."""

    id: str
    user: FakeUser
    chat_id: int
    message_id: int
    data: str
    created_at: float
    answer: CallbackAnswer | None = None


@dataclass
class RequestRecord:
    """One HTTP call to a Bot API method and its outcome."""

    method: str
    params: dict[str, Any]
    status: int
    description: str | None
    at: float


@dataclass
class WebhookConfig:
    """The webhook set by setWebhook (empty url: none, getUpdates allowed)."""

    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class WebhookDelivery:
    """One POST of an update to the webhook and how it went."""

    update_id: int
    status: int | None
    error: str | None
    at: float
