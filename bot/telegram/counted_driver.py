"""A driver that counts every Bot API call by method and outcome for /metrics."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from bot.telegram.api_errors import (
    BadRequest,
    NotModified,
    RetryAfter,
    TelegramError,
    ThreadNotFound,
    Transient,
    Unreachable,
)
from bot.telegram.driver import Driver

T = TypeVar("T")
# Count(method, code): called once per call.
Count = Callable[[str, str], None]
# Unreachable also covers a 400 "chat not found": both mean the chat cannot be written to.
_CODES: tuple[tuple[type[TelegramError], str], ...] = (
    (RetryAfter, "429"),
    (Unreachable, "403"),
    (NotModified, "400"),
    (ThreadNotFound, "400"),
    (BadRequest, "400"),
    (Transient, "5xx"),
)


def outcome_code(exc: TelegramError) -> str:
    """The label of a failed call: Telegram's status where the error kind says it."""
    return next((code for kind, code in _CODES if isinstance(exc, kind)), "error")


class CountedDriver:
    """Wraps a driver; every call goes through and is counted."""

    def __init__(self, inner: Driver, count: Count) -> None:
        self.inner = inner
        self.count = count
        self.name = inner.name

    async def _counted(self, method: str, call: Callable[[], Awaitable[T]]) -> T:
        try:
            result = await call()
        except TelegramError as exc:
            self.count(method, outcome_code(exc))
            raise
        self.count(method, "200")
        return result

    async def get_me(self) -> dict[str, Any]:
        """getMe, counted."""
        return await self._counted("getMe", self.inner.get_me)

    async def get_updates(
        self, *, offset: int | None, timeout: int, limit: int
    ) -> list[dict[str, Any]]:
        """getUpdates, counted."""
        return await self._counted(
            "getUpdates",
            lambda: self.inner.get_updates(offset=offset, timeout=timeout, limit=limit),
        )

    async def call(self, method: str, params: Mapping[str, Any]) -> Any:
        """Any method, counted."""
        return await self._counted(method, lambda: self.inner.call(method, params))

    async def close(self) -> None:
        """Release the inner driver's HTTP session."""
        await self.inner.close()
