"""Inline keyboards (validation) and callback queries (delivery and answers)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fake_telegram import FakeTelegramServer, FakeUser
from tests.fake_telegram_tests.conftest import RawApi
from tests.fake_telegram_tests.helpers import expect_error, keyboard


@pytest.mark.parametrize(
    ("markup", "error"),
    [
        (keyboard("x" * 65), "Bad Request: BUTTON_DATA_INVALID"),
        (keyboard("ç" * 33), "Bad Request: BUTTON_DATA_INVALID"),
        (
            {"inline_keyboard": [[{"text": "só texto"}]]},
            "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the "
            "inline keyboard",
        ),
        (
            {"inline_keyboard": [{"text": "a", "callback_data": "a"}]},
            'Bad Request: Field "inline_keyboard" of the InlineKeyboardMarkup should be an '
            "Array of Arrays",
        ),
        (
            {"inline_keyboard": [[{"text": "a", "url": "javascript:alert(1)"}]]},
            "Bad Request: BUTTON_URL_INVALID",
        ),
        (
            {"inline_keyboard": [[{"text": "a", "callback_data": str(i)} for i in range(101)]]},
            "Bad Request: reply markup is too long",
        ),
        ({"nothing": True}, "Bad Request: can't parse reply keyboard markup JSON object"),
    ],
)
async def test_reply_markup_validation(
    raw: RawApi, user: FakeUser, markup: dict[str, Any], error: str
) -> None:
    await expect_error(
        raw, "sendMessage", {"chat_id": user.id, "text": "x", "reply_markup": markup}, 400, error
    )


async def test_callback_data_of_exactly_64_bytes_is_fine(raw: RawApi, user: FakeUser) -> None:
    markup = keyboard("ç" * 32)
    message = await raw.ok(
        "sendMessage", json={"chat_id": user.id, "text": "x", "reply_markup": markup}
    )
    assert message["reply_markup"] == markup


async def test_callback_answer_once_and_in_time(
    raw: RawApi, fake_telegram: FakeTelegramServer, user: FakeUser
) -> None:
    sent = await raw.ok(
        "sendMessage",
        json={"chat_id": user.id, "text": "Escolha", "reply_markup": keyboard("sim", "nao")},
    )
    message = fake_telegram.sent_messages(user)[-1]
    assert message.message_id == sent["message_id"]
    press = fake_telegram.user_presses_button(user, message, "sim")
    update = fake_telegram.pending_updates[-1]
    query = update["callback_query"]
    assert query["id"] == press.id and query["data"] == "sim"
    assert query["message"]["message_id"] == sent["message_id"]
    assert query["from"]["id"] == user.id and isinstance(query["chat_instance"], str)
    assert await raw.ok("answerCallbackQuery", json={"callback_query_id": press.id, "text": "Ok!"})
    await expect_error(
        raw,
        "answerCallbackQuery",
        {"callback_query_id": press.id},
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    )
    assert fake_telegram.callback(press.id).answer is not None
    assert [a.text for a in fake_telegram.callback_answers] == ["Ok!"]
    with pytest.raises(ValueError, match="no button"):
        fake_telegram.user_presses_button(user, message, "talvez")
