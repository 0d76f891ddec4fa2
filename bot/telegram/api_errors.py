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


# Telegram's 400 descriptions are the only way to tell these cases apart; libraries reword the
# prefix ("Bad Request: ..." vs "Message is ..."), so match lower-cased fragments.
_BAD_REQUEST_KINDS: tuple[tuple[str, type[TelegramError]], ...] = (
    ("message is not modified", NotModified),
    ("message thread not found", ThreadNotFound),
    ("topic_deleted", ThreadNotFound),
    ("chat not found", Unreachable),
    ("query is too old", QueryTooOld),
)


def bad_request_error(description: str) -> TelegramError:
    """The runtime's error for a 400 with this description."""
    lowered = description.lower()
    for fragment, kind in _BAD_REQUEST_KINDS:
        if fragment in lowered:
            return kind(description)
    return BadRequest(description)
