"""What the web handlers share: the store, the clock, metrics, readiness and the templates."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy import Engine

from bot.metrics import Metrics
from bot.web.health import Readiness

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "web"


@dataclass(frozen=True)
class WebContext:
    """The parts every page reads; one per web server."""

    engine: Engine
    clock: Callable[[], datetime]
    metrics: Metrics
    readiness: Readiness | None
    templates: Environment


WEB = web.AppKey("triagem_web", WebContext)


def template_environment() -> Environment:
    """Jinja2 for the pages: HTML escaped everywhere, undefined names are errors."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )


def render(context: WebContext, template: str, params: Mapping[str, object]) -> str:
    """A page as HTML."""
    return context.templates.get_template(template).render(**params)
