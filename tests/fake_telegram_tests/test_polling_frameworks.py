"""Whole frameworks polling the fake server unchanged: aiogram Dispatcher and PTB Application."""

from __future__ import annotations

import asyncio

import pytest
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.filters import CommandStart
from aiogram.types import Message
from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from tests.fake_telegram import FakeTelegramServer


async def test_aiogram_dispatcher_polls_and_replies(fake_telegram: FakeTelegramServer) -> None:
    dispatcher = Dispatcher()

    @dispatcher.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer("<b>Bem-vindo</b>", parse_mode="HTML")

    api = TelegramAPIServer.from_base(fake_telegram.base_url)
    bot = Bot(fake_telegram.token, session=AiohttpSession(api=api))
    polling = asyncio.create_task(
        dispatcher.start_polling(
            bot, handle_signals=False, close_bot_session=True, polling_timeout=1
        )
    )
    try:
        user = fake_telegram.add_user()
        fake_telegram.user_sends_text(user, "/start")
        reply = await fake_telegram.wait_for_message(user, timeout=10)
        assert reply.text == "Bem-vindo" and reply.entities[0]["type"] == "bold"
    finally:
        await dispatcher.stop_polling()
        await asyncio.wait_for(polling, 10)
    await fake_telegram.wait_until(lambda: not fake_telegram.pending_updates, 5, "confirmation")


async def test_ptb_application_polls_and_replies(
    fake_telegram: FakeTelegramServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, "Bem-vindo")

    base = fake_telegram.base_url
    app = (
        Application.builder()
        .token(fake_telegram.token)
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            user = fake_telegram.add_user()
            fake_telegram.user_sends_text(user, "/start")
            reply = await fake_telegram.wait_for_message(user, timeout=10)
            assert reply.text == "Bem-vindo"
        finally:
            await app.updater.stop()
            await app.stop()
