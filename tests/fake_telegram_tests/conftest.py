"""Fixtures for the fake Telegram server's own tests: the server and real client stacks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
import telegram
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from tests.fake_telegram import FakeTelegramServer, FakeUser
from tests.fake_telegram.fixtures import fake_telegram, fake_telegram_factory

__all__ = ["fake_telegram", "fake_telegram_factory"]


class RawApi:
    """Plain aiohttp calls to the fake server, returning (status, decoded JSON body)."""

    def __init__(self, session: aiohttp.ClientSession, server: FakeTelegramServer) -> None:
        self.session = session
        self.server = server

    def url(self, method: str, token: str | None = None) -> str:
        return f"{self.server.base_url}/bot{token or self.server.token}/{method}"

    async def call(
        self, method: str, *, token: str | None = None, http: str = "POST", **kwargs: Any
    ) -> tuple[int, dict[str, Any]]:
        async with self.session.request(http, self.url(method, token), **kwargs) as response:
            return response.status, await response.json()

    async def ok(self, method: str, **kwargs: Any) -> Any:
        status, body = await self.call(method, **kwargs)
        assert status == 200 and body["ok"] is True, body
        return body["result"]


@pytest_asyncio.fixture
async def raw(fake_telegram: FakeTelegramServer) -> AsyncIterator[RawApi]:
    async with aiohttp.ClientSession() as session:
        yield RawApi(session, fake_telegram)


@pytest_asyncio.fixture
async def aiogram_bot(fake_telegram: FakeTelegramServer) -> AsyncIterator[Bot]:
    api = TelegramAPIServer.from_base(fake_telegram.base_url)
    bot = Bot(fake_telegram.token, session=AiohttpSession(api=api))
    yield bot
    await bot.session.close()


@pytest_asyncio.fixture
async def ptb_bot(
    fake_telegram: FakeTelegramServer, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[telegram.Bot]:
    # PTB 22 warns (an error under our filterwarnings) on int-typed durations unless opted in.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    base = fake_telegram.base_url
    bot = telegram.Bot(
        fake_telegram.token, base_url=f"{base}/bot", base_file_url=f"{base}/file/bot"
    )
    async with bot:
        yield bot


@pytest.fixture
def user(fake_telegram: FakeTelegramServer) -> FakeUser:
    """A user who already started the bot, with rate limits off for functional tests."""
    fake_telegram.limits.enabled = False
    person = fake_telegram.add_user("Ana")
    fake_telegram.user_sends_text(person, "/start")
    return person
