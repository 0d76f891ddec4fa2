"""End-to-end fixtures: the fake Telegram server, the bot on each driver, and its store.

Every test runs once per Telegram library ("aiogram", "python-telegram-bot"). The store is a
SQLite file by default; a test that parametrizes `backend` with "postgresql" also runs on a
fresh schema of the PostgreSQL server (see tests/stores.py), skipped when the server is
unreachable, except under CI=true, where it fails.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.telegram.drivers import LIBRARIES
from bot.telegram.rate_limits import RateLimiter
from tests.fake_telegram import FakeTelegramServer
from tests.fake_telegram.fixtures import fake_telegram
from tests.stores import empty_database, postgres_server

from .harness import BotProcess, RunningBot, make_running_bot

__all__ = ["fake_telegram", "postgres_server"]

StartBot = Callable[..., Awaitable[RunningBot]]


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
    yield from empty_database(backend, request, tmp_path)


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
