"""The Driver over python-telegram-bot 22: its HTTPX requests and exceptions."""

from __future__ import annotations

import os

# PTB 22 gives RetryAfter.retry_after as a timedelta only when opted in; otherwise it is an int
# and reading it raises a deprecation warning.
os.environ.setdefault("PTB_TIMEDELTA", "true")

import datetime as dtm
import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from http import HTTPStatus
from typing import Any

import telegram
from telegram import error as ptb
from telegram.request import HTTPXRequest

from bot.telegram.api_errors import (
    BadRequest,
    RetryAfter,
    TelegramError,
    Transient,
    Unreachable,
    bad_request_error,
)
from bot.telegram.fault_log import reported, server_error
from bot.telegram.uploads import uploads

REQUEST_TIMEOUT = 30.0
# PTB's getUpdates request gets its own connection; the read timeout must outlast a long poll.
POLL_MARGIN = 10.0


def seconds(value: dtm.timedelta | int) -> float:
    """retry_after as seconds, whichever type PTB produced."""
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


@asynccontextmanager
async def translated_errors() -> AsyncIterator[None]:
    """Re-raise PTB failures as bot.telegram.api_errors types."""
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


class Requests(HTTPXRequest):
    """PTB's HTTPX requests, with a 5xx's status kept and no traceback logged for a bad body."""

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """PTB's request; a 5xx body (JSON or a proxy's HTML page) becomes one description."""
        status, payload = await super().do_request(*args, **kwargs)
        if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
            answer = {
                "ok": False,
                "error_code": status,
                "description": server_error(status, payload),
            }
            payload = json.dumps(answer).encode()
        return status, payload

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        """PTB's parsing, without its ERROR log and traceback: the caller reports the failure."""
        try:
            parsed: dict[str, Any] = json.loads(payload.decode("utf-8", "replace"))
        except ValueError as exc:
            raise ptb.TelegramError("Invalid server response (not JSON)") from exc
        return parsed


class PtbDriver:
    """Raw Bot API access through python-telegram-bot's Bot and HTTPX requests."""

    name = "python-telegram-bot"

    def __init__(self, token: str, api_base_url: str, timeout: float = REQUEST_TIMEOUT) -> None:
        self.timeout = timeout
        self._requests = Requests(
            connection_pool_size=64,
            connect_timeout=10.0,
            read_timeout=timeout,
            write_timeout=timeout,
            pool_timeout=10.0,
        )
        self._polling = Requests(
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
        self, method: str, params: dict[str, Any], read_timeout: float | None = None
    ) -> Any:
        # Bot.do_api_request warns (an error under our test settings) for every method Bot
        # already wraps, and Bot.get_updates parses into objects whose to_dict() is not Bot API
        # JSON; _post is the request path both use underneath and returns the JSON result.
        async with reported(method, params), translated_errors():
            timeout = self.timeout if read_timeout is None else read_timeout
            return await self.bot._post(method, params, read_timeout=timeout)

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
