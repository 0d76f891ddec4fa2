"""End-to-end fixtures: the fake Telegram server, the bot on each driver, and its store.

Every test runs once per Telegram library ("aiogram", "python-telegram-bot"). The store is a
SQLite file by default; a test that parametrizes `backend` with "postgresql" also runs on a
fresh schema of the PostgreSQL server (as tests/storage/conftest.py does), skipped when the
server is unreachable, except under CI=true, where it fails.
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
import pytest_asyncio
from psycopg import sql
from sqlalchemy.engine import make_url

from bot.telegram.drivers import LIBRARIES
from bot.telegram.rate_limits import RateLimiter
from tests.fake_telegram import FakeTelegramServer
from tests.fake_telegram.fixtures import fake_telegram

from .harness import BotProcess, RunningBot, make_running_bot

__all__ = ["fake_telegram"]

POSTGRES_URL = os.environ.get(
    "TRIAGEM_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
StartBot = Callable[..., Awaitable[RunningBot]]


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
    server = PostgresServer(conninfo, f"e_{secrets.token_hex(4)}", itertools.count())
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


@pytest.fixture(params=LIBRARIES)
def library(request: pytest.FixtureRequest) -> str:
    """The Telegram library the bot runs on."""
    return str(request.param)


@pytest.fixture
def backend() -> str:
    """The store's backend; parametrize `backend` to run a test on PostgreSQL too."""
    return "sqlite"


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """An empty database: a SQLite file under tmp_path, or a fresh PostgreSQL schema."""
    if backend == "sqlite":
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


@pytest_asyncio.fixture
async def start_bot(
    fake_telegram: FakeTelegramServer, library: str, database_url: str, tmp_path: Path
) -> AsyncIterator[StartBot]:
    """Start the bot in this process (once per test); stopped and checked afterwards."""
    started: list[RunningBot] = []

    async def start(
        *, limiter: RateLimiter | None = None, environ: dict[str, str] | None = None
    ) -> RunningBot:
        running = make_running_bot(
            fake_telegram,
            tmp_path=tmp_path,
            library=library,
            database_url=database_url,
            limiter=limiter,
            environ=environ,
        )
        started.append(running)
        await running.start()
        return running

    yield start
    for running in started:
        await running.close()
    for running in started:
        running.check_delivery()


@pytest_asyncio.fixture
async def bot(start_bot: StartBot) -> RunningBot:
    """The bot, running against the fake server with Telegram's real limits."""
    return await start_bot()


@pytest_asyncio.fixture
async def bot_process(
    fake_telegram: FakeTelegramServer, library: str, tmp_path: Path
) -> AsyncIterator[BotProcess]:
    """`python -m bot run` in a child process (not started); always killed at the end."""
    process = BotProcess(fake_telegram, library=library, workdir=tmp_path)
    try:
        yield process
    finally:
        await process.kill()
    try:
        process.check_delivery()
    finally:
        process.engine.dispose()
