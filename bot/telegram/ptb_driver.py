"""The Driver over python-telegram-bot 22: its HTTPX requests and exceptions."""

from __future__ import annotations

import os

# PTB 22 gives RetryAfter.retry_after as a timedelta only when opted in; otherwise it is an int
# and reading it raises a deprecation warning.
os.environ.setdefault("PTB_TIMEDELTA", "true")

import datetime as dtm
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import telegram
from telegram import error as ptb
from telegram.request import HTTPXRequest

from bot.telegram.errors import (
    BadRequest,
    RetryAfter,
    TelegramError,
    Transient,
    Unreachable,
    bad_request_error,
)
from bot.telegram.uploads import uploads

REQUEST_TIMEOUT = 30.0
# PTB's getUpdates request gets its own connection; the read timeout must outlast a long poll.
POLL_MARGIN = 10.0


def seconds(value: dtm.timedelta | int) -> float:
    """retry_after as seconds, whichever type PTB produced."""
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


@asynccontextmanager
async def translated_errors() -> AsyncIterator[None]:
    """Re-raise PTB failures as bot.telegram.errors types."""
    try:
        yield
    except ptb.RetryAfter as exc:
        raise RetryAfter(exc.message, seconds(exc.retry_after)) from exc
    except ptb.Forbidden as exc:
        raise Unreachable(exc.message) from exc
    except ptb.BadRequest as exc:  # before NetworkError: PTB's BadRequest subclasses it
        raise bad_request_error(exc.message) from exc
    except ptb.ChatMigrated as exc:
        raise BadRequest(f"{exc.message} (migrate_to_chat_id {exc.new_chat_id})") from exc
    except (ptb.NetworkError, ptb.Conflict) as exc:  # 5xx, timeouts, connection errors, 409
        raise Transient(exc.message) from exc
    except ptb.TelegramError as exc:  # InvalidToken (401/404) and the rest
        raise TelegramError(exc.message) from exc


class PtbDriver:
    """Raw Bot API access through python-telegram-bot's Bot and HTTPX requests."""

    name = "python-telegram-bot"

    def __init__(self, token: str, api_base_url: str) -> None:
        self._requests = HTTPXRequest(
            connection_pool_size=64,
            connect_timeout=10.0,
            read_timeout=REQUEST_TIMEOUT,
            write_timeout=REQUEST_TIMEOUT,
            pool_timeout=10.0,
        )
        self._polling = HTTPXRequest(
            connection_pool_size=1, connect_timeout=10.0, read_timeout=POLL_MARGIN
        )
        self.bot = telegram.Bot(
            token,
            base_url=f"{api_base_url}/bot",
            base_file_url=f"{api_base_url}/file/bot",
            request=self._requests,
            get_updates_request=self._polling,
        )

    async def _raw(
        self, method: str, params: dict[str, Any], read_timeout: float = REQUEST_TIMEOUT
    ) -> Any:
        # Bot.do_api_request warns (an error under our test settings) for every method Bot
        # already wraps, and Bot.get_updates parses into objects whose to_dict() is not Bot API
        # JSON; _post is the request path both use underneath and returns the JSON result.
        async with translated_errors():
            return await self.bot._post(method, params, read_timeout=read_timeout)

    async def get_me(self) -> dict[str, Any]:
        """The bot's own User object."""
        return dict(await self._raw("getMe", {}))

    async def get_updates(
        self, *, offset: int | None, timeout: int, limit: int
    ) -> list[dict[str, Any]]:
        """Long-poll for updates; `offset` confirms everything before it."""
        params = {"offset": offset, "timeout": timeout, "limit": limit}
        updates = await self._raw("getUpdates", params, read_timeout=POLL_MARGIN + timeout)
        return [dict(update) for update in updates]

    async def call(self, method: str, params: Mapping[str, Any]) -> Any:
        """Call a Bot API method by name with Bot API params; returns the JSON result."""
        files = {
            k: telegram.InputFile(data, filename=name)
            for k, (data, name) in uploads(params).items()
        }
        return await self._raw(method, {**params, **files})

    async def close(self) -> None:
        """Release the HTTP connections."""
        await self._polling.shutdown()
        await self._requests.shutdown()
