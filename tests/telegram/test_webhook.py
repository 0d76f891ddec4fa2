"""Webhook intake: Telegram's deliveries stored before the 200, refused without the secret."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web

from bot.telegram.webhook import SECRET_HEADER, make_webhook_app
from tests.fake_telegram import FakeTelegramServer
from tests.telegram.conftest import RawApi

SECRET = "s3cret-token_for-tests"
PATH = "/telegram/webhook"


class Inbox:
    """Stands in for the inbox table; `failures` store attempts fail first."""

    def __init__(self) -> None:
        self.stored: list[dict[str, Any]] = []
        self.failures = 0

    async def store(self, updates: list[dict[str, Any]]) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise RuntimeError("database is locked")
        self.stored.extend(updates)


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest_asyncio.fixture
async def hook_url(inbox: Inbox) -> AsyncIterator[str]:
    """The webhook app listening on 127.0.0.1 with an ephemeral port."""
    app = make_webhook_app(path=PATH, secret=SECRET, store_updates=inbox.store)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}{PATH}"
    await runner.cleanup()


Post = Callable[..., Awaitable[int]]


@pytest_asyncio.fixture
async def post(hook_url: str) -> AsyncIterator[Post]:
    """POST straight to the webhook; returns the HTTP status."""
    async with aiohttp.ClientSession() as session:

        async def send(body: bytes, secret: str | None = SECRET) -> int:
            headers = {"Content-Type": "application/json"}
            if secret is not None:
                headers[SECRET_HEADER] = secret
            async with session.post(hook_url, data=body, headers=headers) as response:
                return response.status

        yield send


async def test_deliveries_are_stored_in_order(
    fake_telegram: FakeTelegramServer, raw: RawApi, hook_url: str, inbox: Inbox
) -> None:
    user = fake_telegram.add_user()
    await raw.call("setWebhook", url=hook_url, secret_token=SECRET)
    for text in ("um", "dois", "três"):
        fake_telegram.user_sends_text(user, text)
    await fake_telegram.wait_until(lambda: len(inbox.stored) == 3, what="three stored")
    assert [u["message"]["text"] for u in inbox.stored] == ["um", "dois", "três"]
    await fake_telegram.wait_until(lambda: not fake_telegram.pending_updates, what="confirmed")
    assert {d.status for d in fake_telegram.webhook.deliveries} == {200}


async def test_a_wrong_secret_is_refused_and_nothing_stored(
    fake_telegram: FakeTelegramServer, raw: RawApi, hook_url: str, inbox: Inbox
) -> None:
    user = fake_telegram.add_user()
    await raw.call("setWebhook", url=hook_url, secret_token="someone-else")
    fake_telegram.user_sends_text(user, "oi")
    await fake_telegram.wait_until(lambda: fake_telegram.webhook.deliveries, what="a delivery")
    assert fake_telegram.webhook.deliveries[0].status == 403 and inbox.stored == []
    await raw.call("setWebhook", url=hook_url, secret_token=SECRET)
    await fake_telegram.wait_until(lambda: inbox.stored, what="the update")
    assert [u["message"]["text"] for u in inbox.stored] == ["oi"]


async def test_a_failed_store_answers_500_and_telegram_delivers_again(
    fake_telegram: FakeTelegramServer, raw: RawApi, hook_url: str, inbox: Inbox
) -> None:
    inbox.failures = 2
    user = fake_telegram.add_user()
    await raw.call("setWebhook", url=hook_url, secret_token=SECRET)
    fake_telegram.user_sends_text(user, "oi")
    await fake_telegram.wait_until(lambda: inbox.stored, what="the update")
    assert [d.status for d in fake_telegram.webhook.deliveries] == [500, 500, 200]
    assert [u["message"]["text"] for u in inbox.stored] == ["oi"]


@pytest.mark.parametrize(
    ("body", "secret", "status"),
    [
        (b'{"update_id": 5, "message": {}}', None, 403),
        (b'{"update_id": 5, "message": {}}', "", 403),
        (b"not json at all", SECRET, 400),
        (b'["update_id", 5]', SECRET, 400),
        (b'{"message": {}}', SECRET, 400),
        (b'{"update_id": "5"}', SECRET, 400),
        (b'{"update_id": 5, "message": {}}', SECRET, 200),
    ],
)
async def test_requests_are_checked_before_storing(
    post: Post, inbox: Inbox, body: bytes, secret: str | None, status: int
) -> None:
    assert await post(body, secret) == status
    assert len(inbox.stored) == (1 if status == 200 else 0)


def test_a_webhook_without_secret_is_refused(inbox: Inbox) -> None:
    with pytest.raises(ValueError, match="secret"):
        make_webhook_app(path=PATH, secret="", store_updates=inbox.store)
