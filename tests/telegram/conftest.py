"""Fixtures: the fake Telegram server, each driver pointed at it, and a raw Bot API client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from bot.telegram.driver import Driver
from bot.telegram.drivers import LIBRARIES, make_driver
from tests.fake_telegram import FakeTelegramServer
from tests.fake_telegram.fixtures import fake_telegram, fake_telegram_factory

__all__ = ["fake_telegram", "fake_telegram_factory"]


@pytest_asyncio.fixture(params=LIBRARIES)
async def driver(
    request: pytest.FixtureRequest, fake_telegram: FakeTelegramServer
) -> AsyncIterator[Driver]:
    """Each driver in turn, talking to the fake server."""
    made = make_driver(request.param, fake_telegram.token, fake_telegram.base_url)
    yield made
    await made.close()


class RawApi:
    """Bot API calls with plain aiohttp: what Telegram itself answers, for comparison."""

    def __init__(self, session: aiohttp.ClientSession, server: FakeTelegramServer) -> None:
        self.session = session
        self.server = server

    async def call(self, method: str, **params: Any) -> Any:
        url = f"{self.server.base_url}/bot{self.server.token}/{method}"
        async with self.session.post(url, json=params) as response:
            body = await response.json()
        assert body["ok"], body
        return body["result"]


@pytest_asyncio.fixture
async def raw(fake_telegram: FakeTelegramServer) -> AsyncIterator[RawApi]:
    async with aiohttp.ClientSession() as session:
        yield RawApi(session, fake_telegram)
