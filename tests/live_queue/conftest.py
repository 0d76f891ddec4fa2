"""Fixtures: the fake Telegram server and the bot with Balcão Virtual offices, on each driver."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial

import pytest_asyncio

from tests.fake_telegram.fixtures import fake_telegram
from tests.in_process_bot import BotSite, bot_site, library, started_bots
from tests.stores import backend, database_url, postgres_server

from .harness import QueueBot, make_queue_bot

__all__ = ["backend", "bot_site", "database_url", "fake_telegram", "library", "postgres_server"]

StartQueue = Callable[..., Awaitable[QueueBot]]


@pytest_asyncio.fixture
async def start_queue(bot_site: BotSite) -> AsyncIterator[StartQueue]:
    """Start the bot (option `at`: the clock's instant); every bot started is stopped after."""
    bot_site.server.limits.enabled = False
    async with started_bots(partial(make_queue_bot, bot_site)) as start:
        yield start


@pytest_asyncio.fixture
async def queue(start_queue: StartQueue) -> QueueBot:
    """The bot on Monday 10:00 in Brasília."""
    return await start_queue()
