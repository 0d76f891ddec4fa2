"""The real bot in this test's event loop, against the fake Bot API server.

Shared by tests/e2e and tests/agents: the settings that point the bot at the fake server and the
test's store, the wiring (`load_config`, `build_app(config, clock)` on a clock the test
moves, `Runtime(app, make_driver(...))`), the task that runs `runtime.run(stop)`, and the body of
a fixture that starts bots and, after the test, stops them and checks what they did.

Import `bot_site` and the fixtures it builds on (`library` from here, `fake_telegram` from
tests/fake_telegram/fixtures.py, `backend` and `database_url` from tests/stores.py) into a
conftest and list them in `__all__`: each test then runs on every driver, on SQLite unless it
asks for PostgreSQL too (`ALSO_ON_POSTGRESQL`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol, TypeVar

import pytest

from bot.app import App, build_app, utc_now
from bot.config import load_config
from bot.telegram.drivers import LIBRARIES, make_driver
from bot.telegram.rate_limits import RateLimiter
from bot.telegram.runner import Runtime
from tests.fake_telegram import FakeTelegramServer


def also_on_postgresql(*postgresql_marks: pytest.MarkDecorator) -> pytest.MarkDecorator:
    """Run a test on each driver on SQLite, under its usual id ("aiogram"), and on PostgreSQL
    ("aiogram-postgresql", with `postgresql_marks`)."""
    return pytest.mark.parametrize(
        ("library", "backend"),
        [
            case
            for driver in LIBRARIES
            for case in (
                pytest.param(driver, "sqlite", id=driver),
                pytest.param(
                    driver, "postgresql", id=f"{driver}-postgresql", marks=postgresql_marks
                ),
            )
        ],
    )


ALSO_ON_POSTGRESQL = also_on_postgresql()


@pytest.fixture(params=LIBRARIES)
def library(request: pytest.FixtureRequest) -> str:
    """The Telegram library the bot runs on."""
    return str(request.param)


class OffsetClock:
    """The bot's clock: real time plus an offset the test moves forward (coalescing, trust)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return utc_now() + self.offset

    def advance(self, **delta: float) -> None:
        """Jump forward (timedelta keywords)."""
        self.offset += timedelta(**delta)


def fake_server_settings(
    server: FakeTelegramServer, *, library: str, database_url: str, poll_timeout: int = 5
) -> dict[str, str]:
    """The TRIAGEM_* settings that point the bot at the fake server and the test's store."""
    return {
        "TRIAGEM_TELEGRAM__TOKEN": server.token,
        "TRIAGEM_TELEGRAM__API_BASE_URL": server.base_url,
        "TRIAGEM_TELEGRAM__LIBRARY": library,
        "TRIAGEM_TELEGRAM__POLL_TIMEOUT": str(poll_timeout),
        "TRIAGEM_STORAGE__URL": database_url,
    }


@dataclass(frozen=True)
class BotSite:
    """Where a test's bot runs: the fake server, the Telegram library, the store, a work dir."""

    server: FakeTelegramServer
    library: str
    database_url: str
    tmp_path: Path


@pytest.fixture
def bot_site(
    fake_telegram: FakeTelegramServer, library: str, database_url: str, tmp_path: Path
) -> BotSite:
    """The fake server, driver, store and directory of this test's bot."""
    return BotSite(fake_telegram, library, database_url, tmp_path)


def wire_bot(
    site: BotSite,
    config_file: Path,
    *,
    environ: Mapping[str, str] | None = None,
    limiter: RateLimiter | None = None,
) -> tuple[App, Runtime, OffsetClock]:
    """Load the config file plus the settings of the site (and `environ`); build the app and
    its runtime on an OffsetClock (not started yet)."""
    settings = fake_server_settings(
        site.server, library=site.library, database_url=site.database_url
    )
    config = load_config(config_file, {**settings, **(environ or {})})
    clock = OffsetClock()
    app = build_app(config, clock)
    telegram = config.telegram
    driver = make_driver(telegram.library, telegram.token.get_secret_value(), telegram.api_base_url)
    return app, Runtime(app, driver, limiter=limiter), clock


class InProcessBot:
    """The bot's runtime as a task in this event loop: started, watched for a crash, closed.

    A base for a test's view of the bot, which sets these attributes.
    """

    server: FakeTelegramServer
    app: App
    runtime: Runtime
    stop: asyncio.Event
    task: asyncio.Task[None] | None

    async def start(self) -> None:
        """Run the bot; returns once it takes updates (getMe and setMyCommands done)."""
        # Polling: deleteWebhook is the last call before it (getUpdates is only logged once its
        # long poll ends). Webhook: setWebhook, once the bot's server listens. Counted, so a bot
        # restarted on the same server waits for its own call.
        last = "setWebhook" if self.app.config.telegram.mode == "webhook" else "deleteWebhook"
        before = len(self.server.requests_for(last))
        self.task = asyncio.create_task(self.runtime.run(self.stop))
        await self.server.wait_until(
            lambda: len(self.server.requests_for(last)) > before or self._crashed(),
            timeout=15,
            what="the bot to start taking updates",
        )

    async def close(self) -> None:
        """Stop the bot and release its connections."""
        self.stop.set()
        try:
            if self.task is not None:
                await asyncio.wait_for(self.task, 15)
        finally:
            await self.runtime.driver.close()
            self.app.engine.dispose()

    def _crashed(self) -> bool:
        """Raise if the bot stopped by itself."""
        if self.task is not None and self.task.done():
            self.task.result()  # raises what stopped the bot
            raise AssertionError("the bot stopped by itself")
        return False


class Checked(Protocol):
    """A bot a fixture starts, stops and then checks."""

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    def check_delivery(self) -> None: ...


BotT = TypeVar("BotT", bound=Checked)


@asynccontextmanager
async def started_bots(
    make: Callable[..., BotT],
) -> AsyncIterator[Callable[..., Awaitable[BotT]]]:
    """Body of a start-the-bot fixture: `start(**options)` makes a bot with `make` and starts it.

    Every bot started is stopped when the block ends, then checked (`check_delivery`).
    """
    started: list[BotT] = []

    async def start(**options: object) -> BotT:
        running = make(**options)
        started.append(running)
        await running.start()
        return running

    yield start
    for running in started:
        await running.close()
    for running in started:
        running.check_delivery()
