"""What the web handlers share: the store, the clock, metrics, readiness and the templates."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy import Engine

from bot.metrics import Metrics
from bot.two_factor.policy import SecondFactor
from bot.web.health import Readiness
from knowledge_base.models import KnowledgeBase

SUPERVISORS_ZONE = ZoneInfo("America/Sao_Paulo")
TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "web"


@dataclass(frozen=True)
class WebContext:
    """The parts every page reads; one per web server."""

    engine: Engine
    clock: Callable[[], datetime]
    metrics: Metrics
    readiness: Readiness | None
    templates: Environment
    # The knowledge base in use (a live reload swaps it).
    kb: Callable[[], KnowledgeBase]
    factor: SecondFactor
    session_for: timedelta
    # The supervisors' calendar ("today") and the times shown.
    zone: ZoneInfo = SUPERVISORS_ZONE


WEB = web.AppKey("triagem_web", WebContext)


def template_environment(zone: ZoneInfo = SUPERVISORS_ZONE) -> Environment:
    """Jinja2 for the pages: HTML escaped everywhere, undefined names are errors."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )
    env.filters["duration"] = duration
    env.filters["local"] = lambda moment: f"{moment.astimezone(zone):%d/%m/%Y %H:%M}"
    env.filters["decimal"] = lambda value, places=1: f"{value:.{places}f}".replace(".", ",")
    return env


def duration(span: timedelta) -> str:
    """A span as supervisors read it: "45 min", "3 h 05 min", "2 d 4 h" (negative: "-")."""
    seconds = int(span.total_seconds())
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    days, rest = divmod(seconds, 86_400)
    hours, minutes = rest // 3600, rest % 3600 // 60
    if days:
        return f"{sign}{days} d {hours} h"
    if hours:
        return f"{sign}{hours} h {minutes:02d} min"
    return f"{sign}{minutes} min"


def render(context: WebContext, template: str, params: Mapping[str, object]) -> str:
    """A page as HTML."""
    return context.templates.get_template(template).render(**params)
