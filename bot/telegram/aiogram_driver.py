"""The Driver over aiogram 3: its HTTP session, method models and exceptions."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from http import HTTPStatus
from typing import Any

import aiohttp
from aiogram import Bot, methods
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods.base import Response, TelegramMethod
from aiogram.types import BufferedInputFile
from pydantic import BaseModel, ValidationError

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

REQUEST_TIMEOUT = 30
# aiogram parses every answer with `Response[method.__returning__]`. pydantic caches such generic
# models by weak reference only, so after a garbage collection the next call rebuilds the model
# (about 6 ms of CPU; at 50 updates/s a fifth of the bot's CPU, bench/runtime.py (c)). Holding
# one reference per result type here keeps pydantic's cache warm.
_RESPONSE_MODELS: dict[Any, Any] = {}
# getUpdates holds the connection for up to `timeout` seconds; the request may take that long.
POLL_MARGIN = 10


def to_json(value: Any) -> Any:
    """aiogram's result objects back as Bot API JSON (`from`, dates in seconds, no nulls)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True, by_alias=True)
    if isinstance(value, list):
        return [to_json(item) for item in value]
    return value


@asynccontextmanager
async def translated_errors() -> AsyncIterator[None]:
    """Re-raise aiogram and aiohttp failures as bot.telegram.api_errors types."""
    try:
        yield
    except TelegramRetryAfter as exc:
        raise RetryAfter(exc.message, float(exc.retry_after)) from exc
    except TelegramForbiddenError as exc:
        raise Unreachable(exc.message) from exc
    except TelegramBadRequest as exc:
        raise bad_request_error(exc.message) from exc
    except (TelegramEntityTooLarge, TelegramMigrateToChat) as exc:
        raise BadRequest(exc.message) from exc
    except (TelegramServerError, TelegramNetworkError, TelegramConflictError) as exc:
        raise Transient(exc.message) from exc
    except TelegramAPIError as exc:  # 401, 404 and statuses Telegram does not document
        raise TelegramError(exc.message) from exc
    except ClientDecodeError as exc:
        # An unparsable body is a proxy's error page; an unexpected shape after a 200 means the
        # call took effect, so retrying it could send twice.
        if isinstance(exc.original, ValidationError):
            raise BadRequest(f"{exc.message}: {exc.original}") from exc
        raise Transient(f"{exc.message}: {exc.data!r}"[:500]) from exc
    except (TimeoutError, aiohttp.ClientError) as exc:
        raise Transient(f"{type(exc).__name__}: {exc}") from exc


class Session(AiohttpSession):
    """aiogram's session, with the status of a 5xx kept in its description."""

    def check_response(
        self, bot: Bot, method: TelegramMethod[Any], status_code: int, content: str
    ) -> Response[Any]:
        """aiogram's check; a 5xx (JSON or a proxy's HTML page) is a server error."""
        if status_code >= HTTPStatus.INTERNAL_SERVER_ERROR:
            raise TelegramServerError(method=method, message=server_error(status_code, content))
        return super().check_response(bot, method, status_code, content)


def method_model(method: str, params: Mapping[str, Any]) -> TelegramMethod[Any]:
    """aiogram's model of a Bot API call, e.g. `sendMessage` → `methods.SendMessage`."""
    kind = getattr(methods, method[:1].upper() + method[1:], None)
    if not (isinstance(kind, type) and issubclass(kind, TelegramMethod)):
        raise BadRequest(f"aiogram does not know the Bot API method {method!r}")
    try:
        return kind.model_validate(dict(params))
    except ValidationError as exc:
        raise BadRequest(f"invalid parameters for {method}: {exc}") from exc


def keep_response_model(method: type[TelegramMethod[Any]]) -> None:
    """Hold aiogram's response model for `method` so that it is built once."""
    returning = method.__returning__
    if returning not in _RESPONSE_MODELS:
        _RESPONSE_MODELS[returning] = Response[returning]  # type: ignore[valid-type]


class AiogramDriver:
    """Raw Bot API access through aiogram's Bot and aiohttp session."""

    name = "aiogram"

    def __init__(self, token: str, api_base_url: str, timeout: float = REQUEST_TIMEOUT) -> None:
        api = TelegramAPIServer.from_base(api_base_url)
        self.bot = Bot(token, session=Session(api=api, timeout=timeout))

    async def get_me(self) -> dict[str, Any]:
        """The bot's own User object."""
        keep_response_model(methods.GetMe)
        async with reported("getMe", {}), translated_errors():
            me = await self.bot.get_me()
        return dict(to_json(me))

    async def get_updates(
        self, *, offset: int | None, timeout: int, limit: int
    ) -> list[dict[str, Any]]:
        """Long-poll for updates; `offset` confirms everything before it."""
        keep_response_model(methods.GetUpdates)
        async with reported("getUpdates", {}), translated_errors():
            updates = await self.bot.get_updates(
                offset=offset, limit=limit, timeout=timeout, request_timeout=timeout + POLL_MARGIN
            )
        return [dict(to_json(update)) for update in updates]

    async def call(self, method: str, params: Mapping[str, Any]) -> Any:
        """Call a Bot API method by name with Bot API params; returns the JSON result."""
        files = {k: BufferedInputFile(data, name) for k, (data, name) in uploads(params).items()}
        model = method_model(method, {**params, **files})
        keep_response_model(type(model))
        async with reported(method, params), translated_errors():
            result = await self.bot(model)
        return to_json(result)

    async def close(self) -> None:
        """Release the HTTP session."""
        await self.bot.session.close()
