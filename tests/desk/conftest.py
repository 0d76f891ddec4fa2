"""The desk on a real store: every test runs on a SQLite file (WAL) and on PostgreSQL.

The knowledge base, triage engine and renderer are the real ones, built once per session. The
store is opened the way the bot opens it (`bot.database.open_store`, which runs the Alembic
migrations). PostgreSQL tests get a schema of their own, reached through `search_path` (see
tests/stores.py); an unreachable server skips them, except under CI=true, where they fail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.config import Config, StorageConfig
from bot.database import open_store
from bot.rendering import Renderer
from bot.user_turn import UserTurn
from knowledge_base.loader import load_knowledge_base
from knowledge_base.models import KnowledgeBase
from knowledge_base.triage import Triage
from tests.stores import empty_database, postgres_server

from .driver import KB_DIR, Chat, Clock

__all__ = ["postgres_server"]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an empty database: a SQLite file, or a fresh schema on the PostgreSQL server."""
    yield from empty_database(request.param, request, tmp_path)


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """The bundled knowledge base."""
    return load_knowledge_base(KB_DIR)


@pytest.fixture(scope="session")
def triage(kb: KnowledgeBase) -> Triage:
    """The real triage engine on the bundled knowledge base."""
    return Triage(kb)


@pytest.fixture(scope="session")
def renderer(kb: KnowledgeBase) -> Renderer:
    """The real templates."""
    return Renderer(kb)


@pytest.fixture
def config(database_url: str) -> Config:
    """The bot's configuration for this test's database."""
    return Config(storage=StorageConfig(url=database_url))


@pytest.fixture
def engine(config: Config) -> Iterator[Engine]:
    """The store, opened and migrated the way the bot does at start."""
    engine = open_store(config)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> Clock:
    """A clock the test moves by hand."""
    return Clock()


@pytest.fixture
def desk(kb: KnowledgeBase, triage: Triage, renderer: Renderer, clock: Clock) -> UserTurn:
    """The real desk with the test's clock."""
    return UserTurn(kb, triage, renderer, clock)


@pytest.fixture
def new_chat(desk: UserTurn, engine: Engine) -> Callable[..., Chat]:
    """Factory of users talking to the desk: new_chat(telegram_user_id, name=...)."""

    def make(telegram_user_id: int = 1001, name: str = "Maria Souza") -> Chat:
        return Chat(desk, engine, telegram_user_id, name)

    return make


@pytest.fixture
def chat(new_chat: Callable[..., Chat]) -> Chat:
    """One user talking to the desk."""
    return new_chat()
