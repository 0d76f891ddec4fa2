"""Every storage test runs twice: on a SQLite file in WAL mode and on PostgreSQL.

PostgreSQL tests get a schema of their own (`t_<session tag>_<n>`, reached through
`search_path`), so parallel runs on the same server never see each other's rows. When the
server is unreachable the PostgreSQL cases are skipped, except under CI=true, where they fail.
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

import storage.tables  # noqa: F401  (registers the tables)
from storage.engine import make_engine
from storage.tables import Ticket, User
from storage.tickets import open_ticket
from storage.users import get_or_create_user

POSTGRES_URL = os.environ.get(
    "TRIAGEM_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


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
    server = PostgresServer(conninfo, f"t_{secrets.token_hex(4)}", itertools.count())
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
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """URL of an empty database on each backend."""
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


@pytest.fixture
def empty_engine(database_url: str) -> Iterator[Engine]:
    """An engine on a database with no tables at all."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(empty_engine: Engine) -> Engine:
    """An engine on a database holding every table (the migration tests prove them equal)."""
    SQLModel.metadata.create_all(empty_engine)
    return empty_engine


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the fresh database."""
    with Session(engine) as session:
        yield session


@pytest.fixture
def make_user(session: Session) -> Callable[..., User]:
    """Factory of stored users: make_user(telegram_user_id, name=...)."""

    def make(telegram_user_id: int, name: str = "Maria Souza", username: str | None = None) -> User:
        return get_or_create_user(
            session,
            telegram_user_id=telegram_user_id,
            chat_id=telegram_user_id,
            name=name,
            username=username,
            now=NOW,
        )

    return make


@pytest.fixture
def make_ticket(session: Session) -> Callable[..., Ticket]:
    """Factory of `novo` tickets with sensible defaults; override any open_ticket argument."""

    def make(**overrides: Any) -> Ticket:
        arguments: dict[str, Any] = {
            "offer_id": "suporte-tecnico",
            "code_prefix": "SUP",
            "category": "consulta-tecnica",
            "priority": 3,
            "requester_id": None,
            "fields": {"descricao": "O portal não abre"},
            "attachments": (),
            "target_hours": None,
            "now": NOW,
        }
        arguments.update(overrides)
        return open_ticket(session, **arguments)

    return make
