"""End-to-end fixtures: the fake Telegram server, the bot on each driver, and its store.

Every test runs once per Telegram library ("aiogram", "python-telegram-bot"). The store is a
SQLite file by default; a test that parametrizes `backend` with "postgresql" also runs on a
fresh schema of the PostgreSQL server (see tests/stores.py), skipped when the server is
unreachable, except under CI=true, where it fails.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest_asyncio

from tests.fake_telegram import FakeTelegramServer
from tests.fake_telegram.fixtures import fake_telegram
from tests.in_process_bot import BotSite, bot_site, library, started_bots
from tests.stores import backend, database_url, postgres_server

from .harness import BotProcess, RunningBot, at_pace, make_running_bot

__all__ = ["backend", "bot_site", "database_url", "fake_telegram", "library", "postgres_server"]

# start(environ=..., pace=...): the bot with TRIAGEM_* settings of the test, at a pace (below).
StartBot = Callable[..., Awaitable[RunningBot]]


def paced_bot(site: BotSite, *, pace: str = "quick", **options: Any) -> RunningBot:
    """make_running_bot at a pace: "quick" (the default) or "telegram" (see `at_pace`)."""
    settings = at_pace(site.server, pace)
    return make_running_bot(site, environ={**settings, **options.pop("environ", {})}, **options)


@pytest_asyncio.fixture
async def start_bot(bot_site: BotSite) -> AsyncIterator[StartBot]:
    """Start the bot in this process (once per test); stopped and checked afterwards."""
    async with started_bots(partial(paced_bot, bot_site)) as start:
        yield start


@pytest_asyncio.fixture
async def bot(start_bot: StartBot) -> RunningBot:
    """The bot, running against the fake server at the quick pace (above)."""
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
        # What `triagem run` wrote to its log, the libraries' lines included, holds no token.
        secret = fake_telegram.token.partition(":")[2]
        leaks = [log.name for log in process.logs if secret in log.read_text(errors="replace")]
        assert not leaks, f"the bot token is in {leaks}"
    finally:
        process.engine.dispose()
