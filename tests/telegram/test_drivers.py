"""Both drivers against the fake Bot API: JSON in and out, and each error as the runtime sees it."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest

from bot.telegram.api_errors import (
    BadRequest,
    NotModified,
    RetryAfter,
    TelegramError,
    ThreadNotFound,
    Transient,
    Unreachable,
)
from bot.telegram.driver import Driver
from bot.telegram.drivers import make_driver
from tests.fake_telegram import FakeTelegramServer, FakeUser
from tests.telegram.conftest import RawApi


def keyboard(*data: str) -> dict[str, Any]:
    return {"inline_keyboard": [[{"text": d.title(), "callback_data": d} for d in data]]}


@pytest.fixture
def user(fake_telegram: FakeTelegramServer) -> FakeUser:
    """A user who started the bot; rate limits off so functional tests can send freely."""
    fake_telegram.limits.enabled = False
    person = fake_telegram.add_user("Ana", username="ana")
    fake_telegram.user_sends_text(person, "/start")
    return person


async def test_get_me_is_the_bot_api_user(driver: Driver, raw: RawApi) -> None:
    assert await driver.get_me() == await raw.call("getMe")


async def test_get_updates_is_bot_api_json_and_offset_confirms(
    driver: Driver, fake_telegram: FakeTelegramServer, user: FakeUser
) -> None:
    group = fake_telegram.add_group("Agentes", admins=[user])
    bot_message = fake_telegram.state.timeline[0]
    await driver.call(
        "sendMessage", {"chat_id": user.id, "text": "Oi", "reply_markup": keyboard("a")}
    )
    sent = fake_telegram.last_sent(user)
    assert sent is not None
    fake_telegram.user_presses_button(user, sent, "a")
    fake_telegram.user_edits_message(user, bot_message, "/start de novo")
    fake_telegram.user_sends_document(user, caption="<b>print</b>")
    fake_telegram.user_sends_photo(user)
    created = await driver.call("createForumTopic", {"chat_id": group.id, "name": "Chamado"})
    thread = created["message_thread_id"]
    fake_telegram.user_sends_text(user, "no tópico", chat=group, thread_id=thread)
    fake_telegram.user_sends_text(user, "resposta", reply_to=sent)
    fake_telegram.block_user(user)

    expected = fake_telegram.pending_updates
    updates = await driver.get_updates(offset=None, timeout=0, limit=100)
    assert updates == expected and len(updates) == 8
    again = await driver.get_updates(offset=updates[2]["update_id"], timeout=0, limit=2)
    assert again == expected[2:4]
    last = updates[-1]["update_id"]
    assert await driver.get_updates(offset=last + 1, timeout=0, limit=100) == []
    assert fake_telegram.pending_updates == []


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    driver: Driver, fake_telegram: FakeTelegramServer
) -> None:
    person = fake_telegram.add_user()
    loop = asyncio.get_running_loop()
    loop.call_later(0.2, fake_telegram.user_sends_text, person, "olá")
    started = loop.time()
    updates = await driver.get_updates(offset=None, timeout=10, limit=100)
    assert [u["message"]["text"] for u in updates] == ["olá"]
    assert loop.time() - started < 5


async def test_send_message_with_html_and_inline_keyboard(
    driver: Driver, fake_telegram: FakeTelegramServer, user: FakeUser
) -> None:
    params = {
        "chat_id": user.id,
        "text": "<b>Chamado</b> aberto &amp; registrado",
        "parse_mode": "HTML",
        "reply_markup": keyboard("sim", "nao"),
    }
    result = await driver.call("sendMessage", params)
    stored = await fake_telegram.wait_for_message(user)
    assert result == stored.to_api()
    assert stored.text == "Chamado aberto & registrado" and stored.entities[0]["type"] == "bold"
    assert stored.parse_mode == "HTML" and stored.button_data() == ["sim", "nao"]


async def test_edits_and_callback_answer(
    driver: Driver, fake_telegram: FakeTelegramServer, user: FakeUser
) -> None:
    sent = await driver.call(
        "sendMessage", {"chat_id": user.id, "text": "Posição: 3", "reply_markup": keyboard("ok")}
    )
    ids = {"chat_id": user.id, "message_id": sent["message_id"]}
    press = fake_telegram.user_presses_button(user, fake_telegram.sent_messages(user)[-1], "ok")
    assert await driver.call("answerCallbackQuery", {"callback_query_id": press.id}) is True
    assert fake_telegram.callback(press.id).answer is not None

    edited = await driver.call(
        "editMessageText", {**ids, "text": "Posição: <i>2</i>", "parse_mode": "HTML"}
    )
    stored = fake_telegram.sent_messages(user)[-1]
    assert edited == stored.to_api() and stored.text == "Posição: 2"
    assert stored.inline_keyboard == []  # an edit without reply_markup drops the keyboard
    markup = await driver.call("editMessageReplyMarkup", {**ids, "reply_markup": keyboard("x")})
    assert markup["reply_markup"] == keyboard("x") and stored.button_data() == ["x"]


async def test_set_my_commands(driver: Driver, fake_telegram: FakeTelegramServer) -> None:
    commands = [
        {"command": "start", "description": "Começar"},
        {"command": "chamados", "description": "Meus chamados"},
    ]
    assert await driver.call("setMyCommands", {"commands": commands}) is True
    assert fake_telegram.commands() == commands


async def test_topics_copy_and_document_by_file_id(
    driver: Driver, fake_telegram: FakeTelegramServer, user: FakeUser
) -> None:
    group = fake_telegram.add_group("Agentes")
    topic = await driver.call("createForumTopic", {"chat_id": group.id, "name": "Chamado 12"})
    assert topic == fake_telegram.topics(group)[0].to_api()
    thread = topic["message_thread_id"]
    posted = await driver.call(
        "sendMessage", {"chat_id": group.id, "text": "Resumo", "message_thread_id": thread}
    )
    assert posted["message_thread_id"] == thread and posted["is_topic_message"] is True

    upload = fake_telegram.user_sends_document(user, b"%PDF-1.4 print", "erro.pdf")
    assert upload.document is not None
    copied = await driver.call(
        "copyMessage",
        {
            "chat_id": group.id,
            "from_chat_id": user.id,
            "message_id": upload.message_id,
            "message_thread_id": thread,
        },
    )
    copy = fake_telegram.last_sent(group)
    assert copy is not None and copied == {"message_id": copy.message_id}
    assert copy.document == upload.document and copy.thread_id == thread

    sent = await driver.call(
        "sendDocument",
        {"chat_id": user.id, "document": upload.document["file_id"], "caption": "Seu anexo"},
    )
    assert sent["document"]["file_unique_id"] == upload.document["file_unique_id"]
    assert sent == fake_telegram.sent_messages(user)[-1].to_api()


async def test_call_returns_telegrams_json_unchanged(
    driver: Driver, fake_telegram: FakeTelegramServer, user: FakeUser, raw: RawApi
) -> None:
    group = fake_telegram.add_group("Agentes", admins=[user])
    upload = fake_telegram.user_sends_document(user)
    assert upload.document is not None
    calls: list[tuple[str, dict[str, Any]]] = [
        ("getChat", {"chat_id": group.id}),
        ("getChatMember", {"chat_id": group.id, "user_id": user.id}),
        ("getChatAdministrators", {"chat_id": group.id}),
        ("getChatMemberCount", {"chat_id": group.id}),
        ("getFile", {"file_id": upload.document["file_id"]}),
        ("getWebhookInfo", {}),
    ]
    for method, params in calls:
        assert await driver.call(method, params) == await raw.call(method, **params), method


async def test_retry_after_carries_telegrams_seconds(
    driver: Driver, fake_telegram: FakeTelegramServer, user: FakeUser
) -> None:
    fake_telegram.faults.fail_next("sendMessage", status=429, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await driver.call("sendMessage", {"chat_id": user.id, "text": "x"})
    assert caught.value.retry_after == 7.0


async def test_flood_limit_of_the_server_is_retry_after(
    driver: Driver, fake_telegram: FakeTelegramServer
) -> None:
    person = fake_telegram.add_user()
    fake_telegram.user_sends_text(person, "oi")
    with pytest.raises(RetryAfter) as caught:
        for _ in range(10):
            await driver.call("sendMessage", {"chat_id": person.id, "text": "depressa"})
    assert caught.value.retry_after >= 1


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("blocked", Unreachable),
        ("never started", Unreachable),
        ("chat not found", Unreachable),
        ("not modified", NotModified),
        ("too long", BadRequest),
        ("bad button data", BadRequest),
        ("deleted topic", ThreadNotFound),
    ],
)
async def test_telegram_refusals_map_to_runtime_errors(
    driver: Driver,
    fake_telegram: FakeTelegramServer,
    user: FakeUser,
    case: str,
    error: type[TelegramError],
) -> None:
    to_user = {"chat_id": user.id}
    if case == "blocked":
        fake_telegram.block_user(user)
        method, params = "sendMessage", {**to_user, "text": "x"}
    elif case == "never started":
        method, params = "sendMessage", {"chat_id": fake_telegram.add_user().id, "text": "x"}
    elif case == "chat not found":
        method, params = "sendMessage", {"chat_id": 123, "text": "x"}
    elif case == "not modified":
        sent = await driver.call("sendMessage", {**to_user, "text": "igual"})
        method = "editMessageText"
        params = {**to_user, "message_id": sent["message_id"], "text": "igual"}
    elif case == "too long":
        method, params = "sendMessage", {**to_user, "text": "a" * 4097}
    elif case == "bad button data":
        method, params = "sendMessage", {**to_user, "text": "x", "reply_markup": keyboard("d" * 65)}
    else:
        group = fake_telegram.add_group()
        topic = await driver.call("createForumTopic", {"chat_id": group.id, "name": "Chamado"})
        thread = topic["message_thread_id"]
        await driver.call("deleteForumTopic", {"chat_id": group.id, "message_thread_id": thread})
        method = "sendMessage"
        params = {"chat_id": group.id, "text": "x", "message_thread_id": thread}
    with pytest.raises(TelegramError) as caught:
        await driver.call(method, params)
    assert type(caught.value) is error


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_errors_are_transient(
    driver: Driver, fake_telegram: FakeTelegramServer, user: FakeUser, status: int
) -> None:
    fake_telegram.faults.fail_next("sendMessage", status=status)
    with pytest.raises(Transient):
        await driver.call("sendMessage", {"chat_id": user.id, "text": "x"})
    assert await driver.call("sendMessage", {"chat_id": user.id, "text": "x"})


async def test_get_updates_under_a_webhook_is_a_transient_conflict(
    driver: Driver, fake_telegram: FakeTelegramServer
) -> None:
    await driver.call("setWebhook", {"url": "http://127.0.0.1:9/hook"})
    with pytest.raises(Transient, match=r"(?i)conflict"):
        await driver.get_updates(offset=None, timeout=0, limit=1)


@pytest.mark.parametrize("library", ["aiogram", "python-telegram-bot"])
async def test_unreachable_server_is_transient(library: str) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    driver = make_driver(library, "1:x", f"http://127.0.0.1:{port}")
    try:
        with pytest.raises(Transient):
            await driver.get_me()
    finally:
        await driver.close()


@pytest.mark.parametrize("library", ["aiogram", "python-telegram-bot"])
async def test_wrong_token_is_neither_transient_nor_a_bad_request(
    library: str, fake_telegram: FakeTelegramServer
) -> None:
    driver = make_driver(library, "42:WRONG", fake_telegram.base_url)
    try:
        with pytest.raises(TelegramError) as caught:
            await driver.get_me()
    finally:
        await driver.close()
    assert type(caught.value) is TelegramError


def test_unknown_library_is_refused() -> None:
    with pytest.raises(ValueError, match="telethon"):
        make_driver("telethon", "1:x", "http://127.0.0.1:1")
