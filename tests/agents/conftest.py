"""Fixtures: the fake Telegram server, and the bot with its agent desk on each driver.

Every end-to-end test runs once per Telegram library; the store is a SQLite file (the storage
tests in tests/storage/test_agents*.py cover PostgreSQL).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.telegram.drivers import LIBRARIES
from tests.fake_telegram import FakeTelegramServer
from tests.fake_telegram.fixtures import fake_telegram

from .harness import DeskBot, make_desk_bot

__all__ = ["fake_telegram"]

StartDesk = Callable[..., Awaitable[DeskBot]]


@pytest.fixture(params=LIBRARIES)
def library(request: pytest.FixtureRequest) -> str:
    """The Telegram library the bot runs on."""
    return str(request.param)


@pytest_asyncio.fixture
async def start_desk(
    fake_telegram: FakeTelegramServer, library: str, tmp_path: Path
) -> AsyncIterator[StartDesk]:
    """Start the bot with an agents' group (options: forum, desk, level2)."""
    started: list[DeskBot] = []
    fake_telegram.limits.enabled = False

    async def start(**options: Any) -> DeskBot:
        url = f"sqlite:///{tmp_path / 'data' / 'triagem.db'}"
        running = make_desk_bot(
            fake_telegram, tmp_path=tmp_path, library=library, database_url=url, **options
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
async def desk(start_desk: StartDesk) -> DeskBot:
    """The bot with an agents' forum supergroup."""
    return await start_desk()
