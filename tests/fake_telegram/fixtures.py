"""pytest fixtures: a started fake Telegram server on 127.0.0.1 with an ephemeral port.

Import into a conftest: `from tests.fake_telegram.fixtures import fake_telegram`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest_asyncio

from .server import FakeTelegramServer

ServerFactory = Callable[..., Awaitable[FakeTelegramServer]]


@pytest_asyncio.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegramServer]:
    """A running FakeTelegramServer with default settings (real clock, limits on)."""
    async with FakeTelegramServer() as server:
        yield server


@pytest_asyncio.fixture
async def fake_telegram_factory() -> AsyncIterator[ServerFactory]:
    """Start servers with custom options, e.g. `await make(clock=ManualClock())`."""
    started: list[FakeTelegramServer] = []

    async def make(**options: Any) -> FakeTelegramServer:
        server = FakeTelegramServer(**options)
        await server.start()
        started.append(server)
        return server

    yield make
    for server in reversed(started):
        await server.close()
