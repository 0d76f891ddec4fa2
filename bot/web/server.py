"""The supervisors' web server: routes, limits, and serving it beside the bot."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from typing import Any

from aiohttp import web

from bot.web import pages
from bot.web.auth import LOGIN, sessions
from bot.web.error_pages import plain_errors
from bot.web.login import login, login_form, logout
from bot.web.web_context import WEB, WebContext

log = logging.getLogger(__name__)


class OneLineLogger(logging.Logger):
    """aiohttp's server logger: a malformed request is one warning line, not a traceback."""

    def exception(self, msg: object, *args: object, **kwargs: Any) -> None:
        """Log the error's first line as a warning."""
        error = kwargs.get("exc_info")
        if not isinstance(error, BaseException):
            error = sys.exc_info()[1]
        first = str(error).strip().splitlines()[0] if error is not None and str(error) else ""
        self.warning(f"{msg}: {type(error).__name__}: {first}", *args)


def _http_logger() -> logging.Logger:
    logger = OneLineLogger("bot.web.http")
    logger.parent = log
    return logger


# The largest body the server reads (a login form is a few hundred bytes); larger is a 400.
MAX_BODY = 16 * 1024


def build_web_app(context: WebContext) -> web.Application:
    """The aiohttp application: health, metrics, and the supervisors' pages."""
    app = web.Application(middlewares=[plain_errors, sessions], client_max_size=MAX_BODY)
    app[WEB] = context
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    app.router.add_get(LOGIN, login_form)
    app.router.add_post(LOGIN, login)
    app.router.add_post("/sair", logout)
    app.router.add_get("/", pages.overview_page)
    app.router.add_get("/em-risco", pages.risk_page)
    app.router.add_get("/chamado/{code}", pages.ticket_page)
    app.router.add_get("/agentes", pages.agents_page)
    app.router.add_get("/lacunas", pages.gaps_page)
    return app


async def healthz(request: web.Request) -> web.Response:
    """The process is alive and serving."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """200 when every readiness check passes, else 503 with what failed."""
    readiness = request.app[WEB].readiness
    checks = {} if readiness is None else await readiness.check()
    ready = all(outcome == "ok" for outcome in checks.values())
    body: dict[str, object] = {"ready": ready, "checks": checks}
    if readiness is not None and readiness.knowledge_version is not None:
        body["knowledge_base_version"] = readiness.knowledge_version()
    return web.Response(
        status=200 if ready else 503,
        text=json.dumps(body, ensure_ascii=False),
        content_type="application/json",
    )


async def metrics(request: web.Request) -> web.Response:
    """Prometheus's text exposition format."""
    body = await asyncio.to_thread(request.app[WEB].metrics.exposition)
    return web.Response(body=body, headers={"Content-Type": "text/plain; version=0.0.4"})


async def serve(
    app: web.Application,
    host: str,
    port: int,
    stop: asyncio.Event,
    started: asyncio.Event | None = None,
) -> None:
    """Serve `app` on host:port until `stop` is set; `started` is set once it listens."""
    runner = web.AppRunner(app, access_log=None, logger=_http_logger())
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        if started is not None:
            started.set()
        log.info("supervisors' page, /healthz, /readyz and /metrics on http://%s:%s", host, port)
        await stop.wait()
    finally:
        await runner.cleanup()
