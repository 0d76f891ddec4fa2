"""The supervisors' web page, /healthz, /readyz and /metrics, served by `triagem run`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from aiohttp import web

from bot.app import App
from bot.metrics import Metrics
from bot.telegram.driver import Driver
from bot.two_factor.policy import SecondFactor
from bot.web.health import Readiness
from bot.web.server import build_web_app
from bot.web.web_context import WebContext, template_environment
from knowledge_base.models import KnowledgeBase


def supervisor_site(
    app: App,
    driver: Driver,
    metrics: Metrics,
    clock: Callable[[], datetime],
    factor: SecondFactor,
    kb: Callable[[], KnowledgeBase],
    kb_version: Callable[[], str] | None = None,
) -> web.Application:
    """The web application of a running bot, on its store, driver, clock and the desk's
    second factor (the same TOTP codes, lockout and replay refusal); `kb` gives the knowledge
    base in use (it may be reloaded)."""
    config = app.config.web
    readiness = Readiness(
        app.engine,
        driver,
        clock,
        outbox_stuck=timedelta(seconds=config.outbox_stuck_seconds),
        webhook_error=timedelta(seconds=config.webhook_error_seconds),
        knowledge_version=kb_version,
    )
    context = WebContext(
        app.engine,
        clock,
        metrics,
        readiness,
        template_environment(),
        kb,
        factor,
        timedelta(hours=config.session_hours),
    )
    return build_web_app(context)
