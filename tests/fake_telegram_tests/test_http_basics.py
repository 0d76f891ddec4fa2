"""Transport faithfulness: URLs, tokens, body encodings and response envelopes."""

from __future__ import annotations

import json

import aiohttp

from tests.fake_telegram import FakeTelegramServer
from tests.fake_telegram_tests.conftest import RawApi


async def test_get_me_shape_over_get_and_post(raw: RawApi) -> None:
    for http in ("GET", "POST"):
        status, body = await raw.call("getMe", http=http)
        assert status == 200
        assert body["ok"] is True
        me = body["result"]
        assert me["is_bot"] is True and isinstance(me["id"], int)
        assert me["username"] == "triagem_teste_bot"
        assert me["can_read_all_group_messages"] is False


async def test_unknown_token_is_401_unauthorized(raw: RawApi) -> None:
    status, body = await raw.call("getMe", token="42:WRONG")
    assert status == 401
    assert body == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_unknown_method_is_404_not_found(raw: RawApi) -> None:
    status, body = await raw.call("sendTelepathy")
    assert (status, body["description"], body["error_code"]) == (404, "Not Found", 404)


async def test_method_names_are_case_insensitive(raw: RawApi) -> None:
    assert (await raw.ok("GETME"))["is_bot"] is True


async def test_json_form_and_multipart_bodies(
    raw: RawApi, fake_telegram: FakeTelegramServer
) -> None:
    fake_telegram.limits.enabled = False
    user = fake_telegram.add_user("Ana")
    fake_telegram.user_sends_text(user, "oi")
    markup = {"inline_keyboard": [[{"text": "Sim", "callback_data": "yes"}]]}
    by_json = await raw.ok(
        "sendMessage", json={"chat_id": user.id, "text": "json", "reply_markup": markup}
    )
    by_form = await raw.ok(
        "sendMessage",
        data={"chat_id": str(user.id), "text": "form", "reply_markup": json.dumps(markup)},
    )
    form = aiohttp.FormData()
    form.add_field("chat_id", str(user.id))
    form.add_field("text", "multipart")
    form.add_field("reply_markup", json.dumps(markup))
    form.add_field("unused_file", b"x", filename="x.bin")
    by_multipart = await raw.ok("sendMessage", data=form)
    by_query = await raw.ok("sendMessage", params={"chat_id": str(user.id), "text": "query"})
    for result in (by_json, by_form, by_multipart):
        assert result["reply_markup"] == markup
    assert "reply_markup" not in by_query
    sent = fake_telegram.sent_messages(user)
    assert [m.text for m in sent] == ["json", "form", "multipart", "query"]
    assert [m.message_id for m in sent] == [2, 3, 4, 5]


async def test_message_shape(raw: RawApi, fake_telegram: FakeTelegramServer) -> None:
    user = fake_telegram.add_user("Ana", username="ana_s")
    fake_telegram.user_sends_text(user, "oi")
    message = await raw.ok("sendMessage", json={"chat_id": user.id, "text": "Olá"})
    assert set(message) >= {"message_id", "from", "chat", "date", "text"}
    assert isinstance(message["date"], int)
    assert abs(message["date"] - fake_telegram.clock.now()) < 5
    assert message["from"]["is_bot"] is True
    assert message["chat"] == {
        "id": user.id,
        "type": "private",
        "first_name": "Ana",
        "username": "ana_s",
    }


async def test_request_log_records_method_params_and_status(
    raw: RawApi, fake_telegram: FakeTelegramServer
) -> None:
    await raw.call("sendMessage", json={"chat_id": 1, "text": "x"})
    record = fake_telegram.requests[-1]
    assert (record.method, record.status) == ("sendMessage", 400)
    assert record.params == {"chat_id": 1, "text": "x"}
    assert record.description == "Bad Request: chat not found"
    assert fake_telegram.stats.calls["sendMessage"] == 1


async def test_file_download_needs_the_token(
    raw: RawApi, fake_telegram: FakeTelegramServer
) -> None:
    user = fake_telegram.add_user()
    message = fake_telegram.user_sends_document(user, b"conteudo", "nota.txt")
    assert message.document is not None
    info = await raw.ok("getFile", json={"file_id": message.document["file_id"]})
    base = fake_telegram.base_url
    good = f"{base}/file/bot{fake_telegram.token}/{info['file_path']}"
    async with raw.session.get(good) as response:
        assert response.status == 200
        assert await response.read() == b"conteudo"
    async with raw.session.get(f"{base}/file/bot1:bad/{info['file_path']}") as response:
        assert response.status == 401
    async with raw.session.get(f"{base}/file/bot{fake_telegram.token}/nada.txt") as response:
        assert response.status == 404
