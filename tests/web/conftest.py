"""Web fixtures: the bot with its web server on a free loopback port, on each driver."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial

import pytest_asyncio

from tests.e2e.harness import RunningBot, make_running_bot
from tests.fake_telegram.fixtures import fake_telegram
from tests.in_process_bot import BotSite, bot_site, library, started_bots
from tests.stores import backend, database_url, postgres_server

__all__ = ["backend", "bot_site", "database_url", "fake_telegram", "library", "postgres_server"]


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class WebBot:
    """A running bot and the base URL of its web server."""

    def __init__(self, bot: RunningBot, port: int) -> None:
        self.bot = bot
        self.base = f"http://127.0.0.1:{port}"


@pytest_asyncio.fixture
async def web_bot(bot_site: BotSite) -> AsyncIterator[WebBot]:
    """The bot with `[web] enabled` on a free port; stopped and checked afterwards."""
    port = free_port()
    environ = {"TRIAGEM_WEB__ENABLED": "true", "TRIAGEM_WEB__PORT": str(port)}
    start: Callable[..., Awaitable[RunningBot]]
    async with started_bots(partial(make_running_bot, bot_site)) as start:
        bot = await start(environ=environ)
        await asyncio.wait_for(bot.runtime.web_started.wait(), 15)
        yield WebBot(bot, port)
