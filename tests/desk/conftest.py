"""The desk on a real store: every test runs on a SQLite file (WAL) and on PostgreSQL.

The knowledge base, triage engine and renderer are the real ones, built once per session. The
store is opened the way the bot opens it (`bot.database.open_store`, which runs the Alembic
migrations). PostgreSQL tests get a schema of their own, reached through `search_path`, as in
tests/storage/conftest.py; an unreachable server skips them, except under CI=true, where they
fail.
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from bot.config import Config, StorageConfig
from bot.database import open_store
from bot.desk import Desk
from bot.rendering import Renderer
from knowledge_base.loader import load_knowledge_base
from knowledge_base.models import KnowledgeBase
from knowledge_base.triage import Triage

from .driver import KB_DIR, Chat, Clock

POSTGRES_URL = os.environ.get(
    "TRIAGEM_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@dataclass
class PostgresServer:
    """A reachable PostgreSQL server and the schema-name prefix of this test session."""

    conninfo: str
    tag: str
    counter: itertools.count[int]

    def admin(self) -> psycopg.Connection[Any]:
        """An autocommit connection for creating and dropping schemas."""
        return psycopg.connect(self.conninfo, autocommit=True, connect_timeout=3)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The PostgreSQL server for this session; skip (or fail under CI) when unreachable."""
    conninfo = make_url(POSTGRES_URL).set(drivername="postgresql").render_as_string(False)
    server = PostgresServer(conninfo, f"d_{secrets.token_hex(4)}", itertools.count())
    try:
        server.admin().close()
    except psycopg.OperationalError as error:
        reason = f"PostgreSQL at {POSTGRES_URL} is unreachable: {error}".strip()
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI requires the PostgreSQL run", pytrace=False)
        pytest.skip(reason)
    yield server
    with server.admin() as admin:
        leftovers = admin.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", (f"{server.tag}\\_%",)
        ).fetchall()
        for (name,) in leftovers:
            admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an empty database: a SQLite file, or a fresh schema on the PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'triagem.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    schema = f"{server.tag}_{next(server.counter)}"
    with server.admin() as admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with server.admin() as admin:
        admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


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
def desk(kb: KnowledgeBase, triage: Triage, renderer: Renderer, clock: Clock) -> Desk:
    """The real desk with the test's clock."""
    return Desk(kb, triage, renderer, clock)


@pytest.fixture
def new_chat(desk: Desk, engine: Engine) -> Callable[..., Chat]:
    """Factory of users talking to the desk: new_chat(telegram_user_id, name=...)."""

    def make(telegram_user_id: int = 1001, name: str = "Maria Souza") -> Chat:
        return Chat(desk, engine, telegram_user_id, name)

    return make


@pytest.fixture
def chat(new_chat: Callable[..., Chat]) -> Chat:
    """One user talking to the desk."""
    return new_chat()
