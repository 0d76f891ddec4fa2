"""The fake Bot API over HTTP: routing, auth, faults, rate limits and the request log."""

from __future__ import annotations

import asyncio
import contextlib
from types import TracebackType
from typing import Any

from aiohttp import web

from . import (
    methods_chats,
    methods_edit,
    methods_files,
    methods_send,
    methods_topics,
    methods_updates,
)
from .clock import Clock, RealClock
from .errors import ApiError, not_found, unauthorized
from .faults import Faults
from .inspection import Inspection
from .limits import LimitConfig, RateLimiter
from .models import FakeChat, FakeUser, RequestRecord
from .params import Params, read_params
from .players import UserActions
from .registry import Described, Handler
from .state import FakeState
from .stats import Stats
from .webhook import WebhookDeliverer

DEFAULT_TOKEN = "123456789:AAHfakeTokenForTestsOnly-0123456789ab"
ALL_METHODS: dict[str, Handler] = {
    **methods_updates.METHODS,
    **methods_send.METHODS,
    **methods_edit.METHODS,
    **methods_files.METHODS,
    **methods_topics.METHODS,
    **methods_chats.METHODS,
}


class FakeTelegramServer(UserActions, Inspection):
    """A local stand-in for api.telegram.org; point a bot's `api_base_url` at `base_url`."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        clock: Clock | None = None,
        bot_username: str = "triagem_teste_bot",
        bot_name: str = "Triagem",
        limits: LimitConfig | None = None,
        privacy_mode: bool = True,
        callback_query_ttl: float = 15.0,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.token = token
        self.clock: Clock = clock or RealClock()
        bot = FakeUser(int(token.split(":", 1)[0]), bot_name, username=bot_username, is_bot=True)
        self.state = FakeState(
            self.clock, bot, privacy_mode=privacy_mode, callback_query_ttl=callback_query_ttl
        )
        self.limiter = RateLimiter(limits or LimitConfig(), self.clock)
        self.faults = Faults(self.clock)
        self.stats = Stats()
        self.webhook = WebhookDeliverer(self.state, self._execute_inline)
        self.host = host
        self.port = port
        self.app = web.Application(client_max_size=64 * 1024 * 1024)
        self.app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        self.app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner: web.AppRunner | None = None
        self._webhook_task: asyncio.Task[None] | None = None

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>`: what a bot uses as `api_base_url`."""
        return f"http://{self.host}:{self.port}"

    @property
    def limits(self) -> LimitConfig:
        """The live rate-limit settings (e.g. `server.limits.enabled = False`)."""
        return self.limiter.config

    @property
    def bot_user(self) -> FakeUser:
        """The bot's own user (what getMe returns)."""
        return self.state.bot

    async def start(self) -> None:
        """Listen on host:port (port 0 picks a free one)."""
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self._webhook_task = asyncio.create_task(self.webhook.run())

    async def close(self) -> None:
        """Release long polls, stop webhook delivery and the HTTP server."""
        self.state.updates.close()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeTelegramServer:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def _handle_method(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            params = await read_params(request)
        except ApiError as error:
            return self._respond(method, Params({}), error)
        if request.match_info["token"] != self.token:
            return self._respond(method, params, unauthorized())
        return self._respond(method, params, await self.call(method, params))

    async def call(self, method: str, params: Params) -> Any:
        """Run a method through faults, rate limits and its handler; returns result or error."""
        handler = ALL_METHODS.get(method.lower())
        if handler is None:
            return not_found()
        delay = self.faults.delay_for(method)
        if delay > 0:
            await asyncio.sleep(delay)
        fault = self.faults.decide(method)
        if fault is not None:
            self.stats.faults_injected += 1
            if not fault.after_effect:
                return fault.error
        try:
            limited = self._limited_chat(method, params)
            if limited is not None:
                self._admit(limited)
            result = await handler(self.state, params)
        except ApiError as error:
            return error
        if limited is not None:
            self.limiter.spend(limited)
        return fault.error if fault is not None else result

    def _limited_chat(self, method: str, params: Params) -> FakeChat | None:
        if not self.limiter.applies_to(method):
            return None
        try:
            return self.state.chat(params.raw("chat_id"))
        except ApiError:
            return None

    def _admit(self, chat: FakeChat) -> None:
        try:
            self.limiter.admit(chat)
        except ApiError:
            self.stats.rate_limited += 1
            raise

    def _respond(self, method: str, params: Params, outcome: Any) -> web.Response:
        if isinstance(outcome, ApiError):
            status, body = outcome.code, outcome.payload()
        elif isinstance(outcome, Described):
            status = 200
            body = {"ok": True, "result": outcome.result, "description": outcome.description}
        else:
            status, body = 200, {"ok": True, "result": outcome}
        description = body.get("description") if status != 200 else None
        self.state.requests.append(
            RequestRecord(method, params.loggable(), status, description, self.clock.now())
        )
        self.stats.record(method, status)
        self.state.changed.fire()
        if isinstance(outcome, ApiError) and outcome.html is not None:
            return web.Response(text=outcome.html, status=status, content_type="text/html")
        return web.json_response(body, status=status)

    async def _execute_inline(self, reply: dict[str, Any]) -> None:
        """A method given in a webhook response body, which Telegram executes too."""
        values = dict(reply)
        method = str(values.pop("method"))
        params = Params(values)
        self._respond(method, params, await self.call(method, params))

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(unauthorized().payload(), status=401)
        record = self.state.files_by_path.get(request.match_info["path"])
        if record is None:
            return web.json_response(not_found().payload(), status=404)
        content_type = record.mime_type or "application/octet-stream"
        return web.Response(body=record.data, content_type=content_type)
