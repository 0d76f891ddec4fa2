"""Build the bot's parts from the config: knowledge base, triage, renderer, store, desk."""

from __future__ import annotations

import gc
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from bot.config import Config
from bot.database import open_store
from bot.desk import Desk
from bot.rendering import Renderer
from knowledge_base.loader import load_knowledge_base
from knowledge_base.models import KnowledgeBase
from knowledge_base.triage import Triage


def utc_now() -> datetime:
    """The real clock (injected everywhere else, so tests can use their own)."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class App:
    """Everything a front end (terminal or Telegram) needs."""

    config: Config
    kb: KnowledgeBase
    engine: Engine
    desk: Desk
    renderer: Renderer


def build_app(config: Config) -> App:
    """Load and check the knowledge base, open (and migrate) the store, wire the desk."""
    kb = load_knowledge_base(config.knowledge_base.path)
    renderer = Renderer(kb)
    engine = open_store(config)
    desk = Desk(kb, Triage(kb), renderer, utc_now)
    # The index is built once and lives as long as the process: keep the garbage collector
    # from walking its hundreds of thousands of objects again and again (tail latency).
    gc.freeze()
    return App(config=config, kb=kb, engine=engine, desk=desk, renderer=renderer)
