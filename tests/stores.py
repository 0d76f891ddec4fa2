"""Empty stores for the tests: a SQLite file under tmp_path, or a schema of its own on PostgreSQL.

Each PostgreSQL test gets a fresh schema (`t_<session tag>_<n>`) reached through `search_path`,
so parallel runs on the same server never see each other's rows; it is dropped after the test,
and whatever a session leaves behind is dropped when the session ends. The server is
`TRIAGEM_TEST_POSTGRES_URL` (default: the local `test` database). When it is unreachable the
PostgreSQL cases are skipped with the reason, except under CI=true, where they fail.

Import `postgres_server` into a conftest (and list it in `__all__`), and build that suite's
`database_url` fixture on `empty_database`, which asks for `postgres_server` only for
PostgreSQL, so SQLite cases never skip. A suite on SQLite by default imports `backend` and
`database_url` as well; a test parametrizes `backend` with "postgresql" to run there too.
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

import storage.tables  # noqa: F401  (registers the tables)
from storage import make_engine
from storage.sender_lease import ADVISORY_CLASS, schema_key

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

    def create_schema(self) -> str:
        """Create the next schema of this session; its name."""
        schema = f"{self.tag}_{next(self.counter)}"
        with self.admin() as admin:
            admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        return schema

    def drop_schemas(self, *schemas: str) -> None:
        """Drop the schemas and everything in them."""
        with self.admin() as admin:
            for schema in schemas:
                admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))

    def leftover_schemas(self) -> list[str]:
        """The schemas of this session still on the server."""
        with self.admin() as admin:
            rows = admin.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", (f"{self.tag}\\_%",)
            ).fetchall()
        return [name for (name,) in rows]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The PostgreSQL server for this session; skip (or fail under CI) when unreachable.

    Drops the session's leftover schemas at the end.
    """
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
    server.drop_schemas(*server.leftover_schemas())


def empty_database(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Body of a `database_url` fixture: the URL of an empty database on `backend`.

    "sqlite" is a file under tmp_path; anything else is a fresh schema on the server of the
    `postgres_server` fixture, requested only then, and dropped after the test.
    """
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'triagem.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    schema = server.create_schema()
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    server.drop_schemas(schema)


@pytest.fixture
def backend() -> str:
    """The store's backend; parametrize `backend` to run a test on PostgreSQL too."""
    return "sqlite"


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """An empty database: a SQLite file under tmp_path, or a fresh PostgreSQL schema."""
    yield from empty_database(backend, request, tmp_path)


def store_engine(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """Body of an `engine` fixture: an engine on an empty store holding every table."""
    for url in empty_database(backend, request, tmp_path):
        made = make_engine(url)
        try:
            SQLModel.metadata.create_all(made)
            yield made
        finally:
            made.dispose()


def end_lock_sessions(engine: Engine) -> list[bool]:
    """End the PostgreSQL sessions holding the store's sender lock, as a lost network would;
    whether each was ended."""
    with engine.connect() as connection:
        schema = connection.execute(text("SELECT current_schema()")).scalar_one()
        ended = connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                " AND classid::bigint = :classid AND objid::bigint = :objid"
            ),
            {"classid": ADVISORY_CLASS, "objid": schema_key(schema) & 0xFFFFFFFF},
        ).scalars()
        return list(ended)
