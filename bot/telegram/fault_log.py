"""One log line per failed Bot API call: handled faults as a WARNING, surprises as an ERROR."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from http import HTTPStatus
from typing import Any

from bot.telegram.errors import TelegramError, Transient

log = logging.getLogger(__name__)
# Calls whose callers log a failure themselves, with what they do next: the poller (when it
# polls again) and the start-up (a failed getMe or setWebhook stops the bot, the others are
# skipped). Every other call comes from the outbox sender, which retries it.
CALLERS_LOG = frozenset({"getUpdates", "getMe", "setWebhook", "deleteWebhook", "setMyCommands"})
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


@asynccontextmanager
async def reported(method: str, params: Mapping[str, Any]) -> AsyncIterator[None]:
    """Log a failure of the call inside (as bot.telegram.errors types) and let it go on."""
    try:
        yield
    except Transient as exc:
        if method not in CALLERS_LOG:
            chat = params.get("chat_id")
            where = f"{method} to chat {chat}" if chat is not None else method
            extra = {"chat_id": chat} if isinstance(chat, int) else {}
            what = one_line(exc.description)
            log.warning("%s failed: %s; retried with backoff", where, what, extra=extra)
        raise
    except TelegramError:
        # 429 (the sender logs the scope it pauses and for how long) and refusals (400, 403):
        # the caller decides, and says what it did.
        raise
    except Exception:
        log.exception("%s failed unexpectedly", method)
        raise
