"""The aiogram driver keeps the response models aiogram builds for each call alive."""

from __future__ import annotations

import gc
import weakref

from aiogram import methods
from aiogram.methods.base import Response

from bot.telegram.aiogram_driver import AiogramDriver
from tests.fake_telegram import FakeTelegramServer


async def test_response_models_outlive_garbage_collection(
    fake_telegram: FakeTelegramServer,
) -> None:
    """pydantic caches `Response[T]` weakly; rebuilding one after each collection costs ms."""
    fake_telegram.limits.enabled = False
    ana = fake_telegram.add_user("Ana")
    fake_telegram.user_sends_text(ana, "/start")
    driver = AiogramDriver(fake_telegram.token, fake_telegram.base_url)
    try:
        await driver.get_updates(offset=None, timeout=0, limit=10)
        await driver.call("sendMessage", {"chat_id": ana.id, "text": "Oi"})
        sent = weakref.ref(Response[methods.SendMessage.__returning__])
        polled = weakref.ref(Response[methods.GetUpdates.__returning__])
        gc.collect()

        assert sent() is not None and polled() is not None
        await driver.call("sendMessage", {"chat_id": ana.id, "text": "De novo"})
        assert Response[methods.SendMessage.__returning__] is sent()
    finally:
        await driver.close()
