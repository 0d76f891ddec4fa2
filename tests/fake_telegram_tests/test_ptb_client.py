"""python-telegram-bot 22 over real HTTP: shapes it parses, and the exceptions it raises."""

from __future__ import annotations

import datetime as dtm

import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter

from tests.fake_telegram import FakeTelegramServer, tiny_png


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d) for d in data]])


async def test_conversation_round_trip(
    ptb_bot: telegram.Bot, fake_telegram: FakeTelegramServer
) -> None:
    assert ptb_bot.id == fake_telegram.bot_user.id  # initialize() called getMe
    user = fake_telegram.add_user("Ana")
    fake_telegram.user_sends_text(user, "/start")
    updates = await ptb_bot.get_updates(timeout=1)
    message = updates[0].message
    assert message is not None and message.text == "/start"
    assert message.entities[0].type == "bot_command"  # what CommandHandler needs

    sent = await ptb_bot.send_message(
        user.id, "<b>Olá</b>!", parse_mode="HTML", reply_markup=keyboard("sim")
    )
    assert sent.text == "Olá!" and sent.reply_markup == keyboard("sim")
    stored = await fake_telegram.wait_for_message(user)
    press = fake_telegram.user_presses_button(user, stored, "sim")
    updates = await ptb_bot.get_updates(offset=updates[-1].update_id + 1, timeout=1)
    query = updates[0].callback_query
    assert query is not None and query.data == "sim" and query.id == press.id
    assert query.message is not None and query.message.message_id == sent.message_id
    assert await ptb_bot.answer_callback_query(query.id, text="Ok")

    edited = await ptb_bot.edit_message_text("Feito", chat_id=user.id, message_id=sent.message_id)
    assert isinstance(edited, telegram.Message) and edited.edit_date is not None
    with pytest.raises(BadRequest, match="Message is not modified"):
        await ptb_bot.edit_message_text("Feito", chat_id=user.id, message_id=sent.message_id)


async def test_errors_map_to_ptb_exceptions(
    ptb_bot: telegram.Bot, fake_telegram: FakeTelegramServer
) -> None:
    user = fake_telegram.add_user()
    fake_telegram.user_sends_text(user, "oi")
    with pytest.raises(BadRequest, match="Message is too long"):
        await ptb_bot.send_message(user.id, "a" * 4097)
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await ptb_bot.send_message(user.id, "x", reply_markup=keyboard("d" * 65))
    with pytest.raises(BadRequest, match="Chat not found"):
        await ptb_bot.send_message(123, "x")
    fake_telegram.faults.fail_next("sendMessage", status=429, retry_after=4)
    with pytest.raises(RetryAfter) as retry:
        await ptb_bot.send_message(user.id, "x")
    assert retry.value.retry_after == dtm.timedelta(seconds=4)
    fake_telegram.faults.fail_next("sendMessage", status=502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await ptb_bot.send_message(user.id, "x")
    fake_telegram.block_user(user)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await ptb_bot.send_message(user.id, "x")


async def test_rate_limit_and_conflict(
    ptb_bot: telegram.Bot, fake_telegram: FakeTelegramServer
) -> None:
    user = fake_telegram.add_user()
    fake_telegram.user_sends_text(user, "oi")
    with pytest.raises(RetryAfter):
        for _ in range(10):
            await ptb_bot.send_message(user.id, "rápido demais")
    assert fake_telegram.stats.rate_limited == 1
    assert await ptb_bot.set_webhook("http://127.0.0.1:9/hook")
    with pytest.raises(Conflict, match="webhook is active"):
        await ptb_bot.get_updates()
    assert await ptb_bot.delete_webhook()


async def test_files_topics_and_members(
    ptb_bot: telegram.Bot, fake_telegram: FakeTelegramServer
) -> None:
    fake_telegram.limits.enabled = False
    agent = fake_telegram.add_user("Agente")
    group = fake_telegram.add_group("Agentes", admins=[agent])
    topic = await ptb_bot.create_forum_topic(group.id, "Chamado 9")
    document = await ptb_bot.send_document(
        group.id,
        b"%PDF-1.4 anexo",
        filename="anexo.pdf",
        caption="Anexo",
        message_thread_id=topic.message_thread_id,
    )
    assert document.document is not None and document.document.mime_type == "application/pdf"
    assert document.is_topic_message and document.message_thread_id == topic.message_thread_id
    photo = await ptb_bot.send_photo(group.id, tiny_png(100, 50))
    assert photo.photo[-1].width == 100 and len(photo.photo) == 2
    new_file = await ptb_bot.get_file(document.document.file_id)
    assert new_file.file_path is not None
    assert new_file.file_path.startswith(f"{fake_telegram.base_url}/file/bot")
    assert bytes(await new_file.download_as_bytearray()) == b"%PDF-1.4 anexo"
    await ptb_bot.close_forum_topic(group.id, topic.message_thread_id)
    await ptb_bot.delete_forum_topic(group.id, topic.message_thread_id)
    with pytest.raises(BadRequest, match="Message thread not found"):
        await ptb_bot.send_message(group.id, "x", message_thread_id=topic.message_thread_id)
    admin = await ptb_bot.get_chat_member(group.id, agent.id)
    assert isinstance(admin, telegram.ChatMemberAdministrator) and admin.can_manage_topics
    chat = await ptb_bot.get_chat(group.id)
    assert chat.is_forum


async def test_wrong_token_is_invalid_token(fake_telegram: FakeTelegramServer) -> None:
    base = fake_telegram.base_url
    bot = telegram.Bot("42:NOPE", base_url=f"{base}/bot", base_file_url=f"{base}/file/bot")
    with pytest.raises(InvalidToken):
        await bot.initialize()
    await bot.shutdown()
