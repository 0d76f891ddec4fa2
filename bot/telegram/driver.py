"""What the runtime needs from a Telegram library; aiogram and python-telegram-bot implement it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class Driver(Protocol):
    """Raw Bot API access through one library's HTTP stack.

    Updates come back as Bot API JSON dicts (what the inbox stores); `call` takes a method name
    and Bot API params and returns the JSON result. Failures raise bot.telegram.api_errors types.
    """

    name: str

    async def get_me(self) -> dict[str, Any]:
        """The bot's own User object."""
        ...

    async def get_updates(
        self, *, offset: int | None, timeout: int, limit: int
    ) -> list[dict[str, Any]]:
        """Long-poll for updates; `offset` confirms everything before it."""
        ...

    async def call(self, method: str, params: Mapping[str, Any]) -> Any:
        """Call a Bot API method (sendMessage, editMessageText, createForumTopic, ...)."""
        ...

    async def close(self) -> None:
        """Release the HTTP session."""
        ...
