"""Bot API failures as the runtime cares about them, whichever library reported them."""

from __future__ import annotations


class TelegramError(Exception):
    """A Bot API call failed; `description` is Telegram's text."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class RetryAfter(TelegramError):
    """429 Too Many Requests: wait `retry_after` seconds before calling again."""

    def __init__(self, description: str, retry_after: float) -> None:
        super().__init__(description)
        self.retry_after = retry_after


class Unreachable(TelegramError):
    """403 (blocked, kicked, deactivated) or chat not found: stop sending to this chat."""


class NotModified(TelegramError):
    """400 message is not modified: the edit is already in place."""


class ThreadNotFound(TelegramError):
    """400 message thread not found: the forum topic was deleted."""


class QueryTooOld(TelegramError):
    """400 query is too old: the button's callback can no longer be answered."""


class BadRequest(TelegramError):
    """Any other 400: retrying the same call cannot succeed."""


class Transient(TelegramError):
    """5xx, timeouts and network errors: retry with backoff."""
