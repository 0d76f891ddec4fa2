"""One log line per failed Bot API call: handled faults as a WARNING, surprises as an ERROR.

A handled fault (5xx, timeout, network error, 429) is logged by whoever decides what happens
next, once it knows the delay: the outbox sender (`handled` below: method, status, "retry in
N s"), the poller, the start-up. The driver itself logs only what nobody expected.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from http import HTTPStatus
from typing import Any

from bot.telegram.api_errors import TelegramError

log = logging.getLogger(__name__)
_LONGEST = 200


def server_error(status: int, body: str | bytes) -> str:
    """The description of a 5xx: status, phrase, and Telegram's text or what the body was."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Server Error"
    try:
        answer = json.loads(body)
    except ValueError:
        # A proxy's error page (nginx's 502 in HTML): no Bot API answer to read.
        return f"{status} {phrase} (not a Bot API answer)"
    text = answer.get("description") if isinstance(answer, dict) else None
    return f"{status} {phrase}" if not text or text == phrase else f"{status} {phrase}: {text}"


def one_line(text: str) -> str:
    """`text` on one short line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= _LONGEST else flat[: _LONGEST - 1] + "…"


def handled(method: str, chat: object, fault: str, retry_in: float | None) -> None:
    """One WARNING line for a handled fault: method, status, and when the call goes again."""
    where = f"{method} to chat {chat}" if chat is not None else method
    extra = {"chat_id": chat} if isinstance(chat, int) else {}
    then = "given up" if retry_in is None else f"retry in {retry_in:g} s"
    log.warning("%s failed: %s; %s", where, one_line(fault), then, extra=extra)


@asynccontextmanager
async def reported(method: str, params: Mapping[str, Any]) -> AsyncIterator[None]:
    """Log an unexpected failure of the call inside with its traceback, and let it go on."""
    try:
        yield
    except TelegramError:
        # Handled faults and refusals: the caller decides, and says what it did (see above).
        raise
    except Exception:
        log.exception("%s failed unexpectedly", method)
        raise
