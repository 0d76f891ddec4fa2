"""Fixtures: the fake Telegram server, and the bot with its agent desk on each driver.

Every end-to-end test runs once per Telegram library. The store is a SQLite file by default; the
main journeys (marked `ALSO_ON_POSTGRESQL`, from tests/in_process_bot.py) also run on a fresh
schema of the PostgreSQL server (see tests/stores.py), skipped when the server is unreachable,
except under CI=true, where they fail.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial

import pytest_asyncio

from tests.fake_telegram.fixtures import fake_telegram
from tests.in_process_bot import BotSite, bot_site, library, started_bots
from tests.stores import backend, database_url, postgres_server

from .harness import DeskBot, make_desk_bot

__all__ = ["backend", "bot_site", "database_url", "fake_telegram", "library", "postgres_server"]

# start(forum=..., desk=..., level2=...): the bot with options of `make_desk_bot`.
StartDesk = Callable[..., Awaitable[DeskBot]]


@pytest_asyncio.fixture
async def start_desk(bot_site: BotSite) -> AsyncIterator[StartDesk]:
    """Start the bot with an agents' group (options: forum, desk, level2)."""
    bot_site.server.limits.enabled = False
    async with started_bots(partial(make_desk_bot, bot_site)) as start:
        yield start


@pytest_asyncio.fixture
async def desk(start_desk: StartDesk) -> DeskBot:
    """The bot with an agents' forum supergroup."""
    return await start_desk()
