"""aiogram 3 over real HTTP: shapes it validates, and the exceptions it raises."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from tests.fake_telegram import FakeTelegramServer, tiny_png


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=d, callback_data=d) for d in data]]
    )


async def test_conversation_round_trip(aiogram_bot: Bot, fake_telegram: FakeTelegramServer) -> None:
    me = await aiogram_bot.get_me()
    assert me.is_bot and me.id == fake_telegram.bot_user.id
    user = fake_telegram.add_user("Ana", username="ana")
    fake_telegram.user_sends_text(user, "/start")
    updates = await aiogram_bot.get_updates(timeout=1)
    assert updates[0].message is not None and updates[0].message.text == "/start"
    assert updates[0].message.from_user is not None and updates[0].message.from_user.id == user.id

    sent = await aiogram_bot.send_message(
        user.id, "<b>Olá</b>, Ana!", parse_mode="HTML", reply_markup=keyboard("sim", "nao")
    )
    assert sent.text == "Olá, Ana!" and sent.entities and sent.entities[0].type == "bold"
    stored = await fake_telegram.wait_for_message(user)
    assert stored.parse_mode == "HTML" and stored.source_text == "<b>Olá</b>, Ana!"
    assert stored.button_data() == ["sim", "nao"]

    press = fake_telegram.user_presses_button(user, stored, "sim")
    updates = await aiogram_bot.get_updates(offset=updates[-1].update_id + 1, timeout=1)
    query = updates[0].callback_query
    assert query is not None and query.data == "sim" and query.id == press.id
    assert await aiogram_bot.answer_callback_query(query.id, text="Anotado")
    assert fake_telegram.callback(press.id).answer is not None

    edited = await aiogram_bot.edit_message_text(
        "Obrigado!", chat_id=user.id, message_id=sent.message_id
    )
    assert not isinstance(edited, bool) and edited.edit_date is not None
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await aiogram_bot.edit_message_text(
            "Obrigado!", chat_id=user.id, message_id=sent.message_id
        )


async def test_errors_map_to_aiogram_exceptions(
    aiogram_bot: Bot, fake_telegram: FakeTelegramServer
) -> None:
    user = fake_telegram.add_user()
    fake_telegram.user_sends_text(user, "oi")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await aiogram_bot.send_message(user.id, "a" * 4097)
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await aiogram_bot.send_message(user.id, "x", reply_markup=keyboard("d" * 65))
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await aiogram_bot.send_message(user.id, "<b>x", parse_mode="HTML")
    fake_telegram.faults.fail_next("sendMessage", status=429, retry_after=7)
    with pytest.raises(TelegramRetryAfter) as retry:
        await aiogram_bot.send_message(user.id, "x")
    assert retry.value.retry_after == 7
    fake_telegram.faults.fail_next("sendMessage", status=502)
    with pytest.raises(TelegramServerError, match="Bad Gateway"):
        await aiogram_bot.send_message(user.id, "x")
    fake_telegram.block_user(user)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await aiogram_bot.send_message(user.id, "x")


async def test_rate_limit_surfaces_as_retry_after(
    aiogram_bot: Bot, fake_telegram: FakeTelegramServer
) -> None:
    user = fake_telegram.add_user()
    fake_telegram.user_sends_text(user, "oi")
    with pytest.raises(TelegramRetryAfter) as retry:
        for _ in range(10):
            await aiogram_bot.send_message(user.id, "rápido demais")
    assert retry.value.retry_after >= 1
    assert fake_telegram.stats.rate_limited == 1


async def test_files_and_topics(aiogram_bot: Bot, fake_telegram: FakeTelegramServer) -> None:
    fake_telegram.limits.enabled = False
    group = fake_telegram.add_group("Agentes")
    topic = await aiogram_bot.create_forum_topic(group.id, "Chamado 7")
    document = await aiogram_bot.send_document(
        group.id,
        BufferedInputFile(b"relatorio", filename="relatorio.txt"),
        caption="<i>anexo</i>",
        parse_mode="HTML",
        message_thread_id=topic.message_thread_id,
    )
    assert document.document is not None and document.document.file_name == "relatorio.txt"
    assert document.document.mime_type == "text/plain" and document.caption == "anexo"
    assert document.message_thread_id == topic.message_thread_id
    again = await aiogram_bot.send_document(group.id, document.document.file_id)
    assert (
        again.document is not None
        and again.document.file_unique_id == document.document.file_unique_id
    )
    photo = await aiogram_bot.send_photo(group.id, BufferedInputFile(tiny_png(200, 100), "p.png"))
    assert photo.photo is not None and (photo.photo[-1].width, photo.photo[-1].height) == (200, 100)
    info = await aiogram_bot.get_file(document.document.file_id)
    assert info.file_path is not None
    downloaded = await aiogram_bot.download_file(info.file_path)
    assert downloaded is not None and downloaded.read() == b"relatorio"
    await aiogram_bot.delete_forum_topic(group.id, topic.message_thread_id)
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await aiogram_bot.send_message(group.id, "x", message_thread_id=topic.message_thread_id)
    member = await aiogram_bot.get_chat_member(group.id, fake_telegram.bot_user.id)
    assert member.status == "administrator"
    chat = await aiogram_bot.get_chat(group.id)
    assert chat.is_forum is True


async def test_conflict_and_unauthorized(
    aiogram_bot: Bot, fake_telegram: FakeTelegramServer
) -> None:
    assert await aiogram_bot.set_webhook("http://127.0.0.1:9/hook")
    with pytest.raises(TelegramConflictError):
        await aiogram_bot.get_updates()
    assert await aiogram_bot.delete_webhook()
    api = TelegramAPIServer.from_base(fake_telegram.base_url)
    stranger = Bot("42:OTHER-TOKEN", session=AiohttpSession(api=api))
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await stranger.get_me()
    finally:
        await stranger.session.close()
