"""sendMessage, edits, deletes, copies and replies, with Telegram's errors."""

from __future__ import annotations

from tests.fake_telegram import FakeTelegramServer, FakeUser
from tests.fake_telegram_tests.conftest import RawApi
from tests.fake_telegram_tests.helpers import NOT_MODIFIED, expect_error, keyboard


async def test_unreachable_chats(
    raw: RawApi, fake_telegram: FakeTelegramServer, user: FakeUser
) -> None:
    await expect_error(
        raw, "sendMessage", {"chat_id": 999, "text": "x"}, 400, "Bad Request: chat not found"
    )
    stranger = fake_telegram.add_user("Nunca falou")
    await expect_error(
        raw,
        "sendMessage",
        {"chat_id": stranger.id, "text": "x"},
        403,
        "Forbidden: bot can't initiate conversation with a user",
    )
    fake_telegram.block_user(user.id)
    await expect_error(
        raw,
        "sendMessage",
        {"chat_id": user.id, "text": "x"},
        403,
        "Forbidden: bot was blocked by the user",
    )
    await expect_error(
        raw,
        "sendChatAction",
        {"chat_id": user.id, "action": "typing"},
        403,
        "Forbidden: bot was blocked by the user",
    )
    blocked = fake_telegram.pending_updates[-1]["my_chat_member"]
    assert blocked["new_chat_member"]["status"] == "kicked"
    fake_telegram.user_sends_text(user, "voltei")  # writing to the bot again unblocks it
    assert (await raw.ok("sendMessage", json={"chat_id": user.id, "text": "oi"}))["text"] == "oi"


async def test_edit_text_not_modified_and_keyboard_removal(
    raw: RawApi, fake_telegram: FakeTelegramServer, user: FakeUser
) -> None:
    sent = await raw.ok(
        "sendMessage",
        json={
            "chat_id": user.id,
            "text": "<b>Fila</b>: 3",
            "parse_mode": "HTML",
            "reply_markup": keyboard("a"),
        },
    )
    ref = {"chat_id": user.id, "message_id": sent["message_id"]}
    await expect_error(
        raw,
        "editMessageText",
        {**ref, "text": "<b>Fila</b>: 3", "parse_mode": "HTML", "reply_markup": keyboard("a")},
        400,
        NOT_MODIFIED,
    )
    edited = await raw.ok(
        "editMessageText", json={**ref, "text": "<b>Fila</b>: 3", "parse_mode": "HTML"}
    )
    assert "reply_markup" not in edited  # omitting reply_markup drops the keyboard
    assert isinstance(edited["edit_date"], int)
    edited = await raw.ok("editMessageText", json={**ref, "text": "Fila: 2"})
    assert edited["text"] == "Fila: 2" and "entities" not in edited
    message = fake_telegram.sent_messages(user)[-1]
    assert message.text == "Fila: 2" and len(message.history) == 2
    await expect_error(raw, "editMessageReplyMarkup", ref, 400, NOT_MODIFIED)
    with_kb = await raw.ok("editMessageReplyMarkup", json={**ref, "reply_markup": keyboard("b")})
    assert with_kb["reply_markup"] == keyboard("b")
    await expect_error(
        raw,
        "editMessageText",
        {**ref, "message_id": 999, "text": "x"},
        400,
        "Bad Request: message to edit not found",
    )
    user_message = fake_telegram.chat_messages(user)[0]
    await expect_error(
        raw,
        "editMessageText",
        {**ref, "message_id": user_message.message_id, "text": "x"},
        400,
        "Bad Request: message can't be edited",
    )


async def test_delete_copy_forward_and_reply(
    raw: RawApi, fake_telegram: FakeTelegramServer, user: FakeUser
) -> None:
    other = fake_telegram.add_user("Bruno")
    fake_telegram.user_sends_text(other, "oi")
    first = await raw.ok("sendMessage", json={"chat_id": user.id, "text": "primeira"})
    copied = await raw.ok(
        "copyMessage",
        json={"chat_id": other.id, "from_chat_id": user.id, "message_id": first["message_id"]},
    )
    assert set(copied) == {"message_id"}
    assert fake_telegram.sent_messages(other)[-1].text == "primeira"
    forwarded = await raw.ok(
        "forwardMessage", json={"chat_id": other.id, "from_chat_id": user.id, "message_id": 1}
    )
    assert forwarded["forward_origin"]["sender_user"]["id"] == user.id
    reply = await raw.ok(
        "sendMessage",
        json={"chat_id": user.id, "text": "resposta", "reply_parameters": {"message_id": 1}},
    )
    assert reply["reply_to_message"]["text"] == "/start"
    await expect_error(
        raw,
        "sendMessage",
        {"chat_id": user.id, "text": "x", "reply_to_message_id": 77},
        400,
        "Bad Request: message to be replied not found",
    )
    assert await raw.ok(
        "deleteMessage", json={"chat_id": user.id, "message_id": first["message_id"]}
    )
    await expect_error(
        raw,
        "deleteMessage",
        {"chat_id": user.id, "message_id": first["message_id"]},
        400,
        "Bad Request: message to delete not found",
    )
    await expect_error(
        raw,
        "copyMessage",
        {"chat_id": other.id, "from_chat_id": user.id, "message_id": first["message_id"]},
        400,
        "Bad Request: message to copy not found",
    )
    assert [m.text for m in fake_telegram.sent_messages(user)] == ["resposta"]
    assert await raw.ok("deleteMessages", json={"chat_id": user.id, "message_ids": [1, 99]})
    assert [m.text for m in fake_telegram.chat_messages(user)] == ["resposta"]


async def test_chat_action_and_commands(
    raw: RawApi, fake_telegram: FakeTelegramServer, user: FakeUser
) -> None:
    assert await raw.ok("sendChatAction", json={"chat_id": user.id, "action": "typing"}) is True
    await expect_error(
        raw,
        "sendChatAction",
        {"chat_id": user.id, "action": "dancing"},
        400,
        "Bad Request: wrong parameter action in request",
    )
    assert fake_telegram.chat_actions(user) == ["typing"]
    commands = [
        {"command": "start", "description": "Começar"},
        {"command": "status", "description": "Meus chamados"},
    ]
    assert await raw.ok("setMyCommands", json={"commands": commands, "language_code": "pt"}) is True
    assert await raw.ok("getMyCommands", json={"language_code": "pt"}) == commands
    assert await raw.ok("getMyCommands") == []
    assert fake_telegram.commands(language_code="pt") == commands
    await expect_error(
        raw,
        "setMyCommands",
        {"commands": [{"command": "Start!", "description": "x"}]},
        400,
        "Bad Request: BOT_COMMAND_INVALID",
    )
