"""setWebhook: delivery by POST, retries until 200, 409 for getUpdates, info and secret."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio
from aiohttp import web

from tests.fake_telegram import FakeTelegramServer
from tests.fake_telegram_tests.conftest import RawApi


class Receiver:
    """A local webhook endpoint that fails the first `failures` requests."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.secrets: list[str | None] = []
        self.failures = 0
        self.reply: dict[str, Any] | None = None
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        update = await request.json()
        self.secrets.append(request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        if self.failures > 0:
            self.failures -= 1
            return web.Response(status=500, text="boom")
        self.received.append(update)
        if self.reply is not None:
            return web.json_response(self.reply)
        return web.Response(text="ok")


@pytest_asyncio.fixture
async def receiver() -> AsyncIterator[Receiver]:
    hook = Receiver()
    app = web.Application()
    app.router.add_post("/hook", hook.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    hook.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    yield hook
    await runner.cleanup()


async def test_updates_are_posted_and_get_updates_conflicts(
    raw: RawApi, fake_telegram: FakeTelegramServer, receiver: Receiver
) -> None:
    status, body = await raw.call(
        "setWebhook", json={"url": receiver.url, "secret_token": "s3cr3t"}
    )
    assert status == 200 and body["description"] == "Webhook was set"
    status, body = await raw.call("getUpdates")
    assert status == 409
    assert body["description"] == (
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
        "delete the webhook first"
    )
    user = fake_telegram.add_user()
    fake_telegram.user_sends_text(user, "um")
    fake_telegram.user_sends_text(user, "dois")
    await fake_telegram.wait_until(lambda: len(receiver.received) == 2, 5, "two deliveries")
    assert [u["message"]["text"] for u in receiver.received] == ["um", "dois"]
    assert set(receiver.secrets) == {"s3cr3t"}
    info = await raw.ok("getWebhookInfo")
    assert info["url"] == receiver.url and info["pending_update_count"] == 0
    status, body = await raw.call("deleteWebhook")
    assert body["description"] == "Webhook was deleted"
    assert await raw.ok("getUpdates") == []


async def test_non_200_answers_are_retried_in_order(
    raw: RawApi, fake_telegram: FakeTelegramServer, receiver: Receiver
) -> None:
    receiver.failures = 3
    await raw.ok("setWebhook", json={"url": receiver.url})
    user = fake_telegram.add_user()
    fake_telegram.user_sends_text(user, "primeira")
    fake_telegram.user_sends_text(user, "segunda")
    await fake_telegram.wait_until(lambda: len(receiver.received) == 2, 10, "redelivery")
    assert [u["message"]["text"] for u in receiver.received] == ["primeira", "segunda"]
    statuses = [d.status for d in fake_telegram.webhook.deliveries]
    assert statuses == [500, 500, 500, 200, 200]
    info = await raw.ok("getWebhookInfo")
    assert (
        info["last_error_message"] == "Wrong response from the webhook: 500 Internal Server Error"
    )
    assert isinstance(info["last_error_date"], int)


async def test_method_in_webhook_answer_is_executed(
    raw: RawApi, fake_telegram: FakeTelegramServer, receiver: Receiver
) -> None:
    user = fake_telegram.add_user()
    receiver.reply = {"method": "sendMessage", "chat_id": user.id, "text": "resposta direta"}
    await raw.ok("setWebhook", json={"url": receiver.url})
    fake_telegram.user_sends_text(user, "oi")
    reply = await fake_telegram.wait_for_message(user)
    assert reply.text == "resposta direta"


async def test_webhook_must_stay_on_this_machine(raw: RawApi) -> None:
    status, body = await raw.call("setWebhook", json={"url": "https://example.com/hook"})
    assert status == 400
    assert body["description"].startswith("Bad Request: bad webhook:")
