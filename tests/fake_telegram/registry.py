"""The shape of a Bot API method handler."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from .params import Params
from .state import FakeState

Handler = Callable[[FakeState, Params], Awaitable[Any]]


@dataclass(frozen=True)
class Described:
    """A result that Telegram sends with a `description` (setWebhook, deleteWebhook)."""

    result: Any
    description: str


def method_table(**handlers: Handler) -> dict[str, Handler]:
    """Handlers keyed by lower-case method name (Telegram ignores the case of method names)."""
    return {name.lower(): handler for name, handler in handlers.items()}
