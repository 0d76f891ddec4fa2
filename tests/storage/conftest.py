"""Every storage test runs twice: on a SQLite file in WAL mode and on PostgreSQL.

PostgreSQL tests get a schema of their own (`t_<session tag>_<n>`, reached through
`search_path`; see tests/stores.py), so parallel runs on the same server never see each other's
rows. When the server is unreachable the PostgreSQL cases are skipped, except under CI=true,
where they fail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel

import storage.tables  # noqa: F401  (registers the tables)
from storage.engine import make_engine
from storage.tables import Ticket, User
from storage.tickets import open_ticket
from storage.users import get_or_create_user
from tests.stores import empty_database, postgres_server

__all__ = ["postgres_server"]

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an empty database on each backend."""
    yield from empty_database(request.param, request, tmp_path)


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
