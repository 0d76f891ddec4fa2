"""The test-side API: users, groups, privacy mode, waits, media from users."""

from __future__ import annotations

import asyncio

import pytest

from tests.fake_telegram import FakeTelegramServer
from tests.fake_telegram_tests.conftest import RawApi


async def test_wait_for_message_returns_each_message_once(
    raw: RawApi, fake_telegram: FakeTelegramServer
) -> None:
    fake_telegram.limits.enabled = False  # two messages in a second: not what is tested here
    user = fake_telegram.add_user()
    fake_telegram.user_sends_text(user, "oi")

    async def bot_replies() -> None:
        await asyncio.sleep(0.1)
        await raw.ok("sendMessage", json={"chat_id": user.id, "text": "primeira"})
        await raw.ok("sendMessage", json={"chat_id": user.id, "text": "segunda"})

    task = asyncio.create_task(bot_replies())
    first = await fake_telegram.wait_for_message(user, timeout=5)
    second = await fake_telegram.wait_for_message(user, lambda m: "seg" in m.body, timeout=5)
    await task
    assert (first.text, second.text) == ("primeira", "segunda")
    with pytest.raises(TimeoutError, match="primeira"):
        await fake_telegram.wait_for_message(user, timeout=0.2)


async def test_privacy_mode_hides_group_chatter_from_a_non_admin_bot(
    raw: RawApi, fake_telegram: FakeTelegramServer
) -> None:
    user = fake_telegram.add_user()
    group = fake_telegram.add_group("Público", forum=False, bot_status="member", members=[user])
    fake_telegram.user_sends_text(user, "conversa", chat=group)
    fake_telegram.user_sends_text(user, "/status@triagem_teste_bot", chat=group)
    bot_message = await raw.ok("sendMessage", json={"chat_id": group.id, "text": "Olá"})
    replied = fake_telegram.sent_messages(group)[-1]
    assert replied.message_id == bot_message["message_id"]
    fake_telegram.user_sends_text(user, "resposta ao bot", chat=group, reply_to=replied)
    texts = [u["message"]["text"] for u in await raw.ok("getUpdates")]
    assert texts == ["/status@triagem_teste_bot", "resposta ao bot"]
    fake_telegram.set_member(group, fake_telegram.bot_user, "administrator")
    fake_telegram.user_sends_text(user, "agora vejo tudo", chat=group)
    assert fake_telegram.pending_updates[-1]["message"]["text"] == "agora vejo tudo"


async def test_user_media_shapes(raw: RawApi, fake_telegram: FakeTelegramServer) -> None:
    user = fake_telegram.add_user()
    fake_telegram.user_sends_document(user, b"a,b\n1,2\n", "dados.csv", caption="planilha")
    fake_telegram.user_sends_photo(user, caption="tela de erro")
    document, photo = (u["message"] for u in await raw.ok("getUpdates"))
    assert document["document"]["file_name"] == "dados.csv"
    assert document["document"]["mime_type"] == "text/csv"
    assert document["document"]["file_size"] == 8 and document["caption"] == "planilha"
    assert {"file_id", "file_unique_id", "width", "height", "file_size"} <= set(photo["photo"][0])
    path = (await raw.ok("getFile", json={"file_id": photo["photo"][-1]["file_id"]}))["file_path"]
    assert path.startswith("photos/")
    with pytest.raises(Exception, match="IMAGE_PROCESS_FAILED"):
        fake_telegram.user_sends_photo(user, b"not an image")


async def test_get_chat_member_and_get_chat(raw: RawApi, fake_telegram: FakeTelegramServer) -> None:
    user = fake_telegram.add_user("Ana")
    group = fake_telegram.add_group("Agentes", admins=[user])
    member = await raw.ok("getChatMember", json={"chat_id": group.id, "user_id": user.id})
    assert member["status"] == "administrator" and member["can_manage_topics"] is True
    private = await raw.ok("getChat", json={"chat_id": user.id})
    assert private["type"] == "private" and private["first_name"] == "Ana"
    status, body = await raw.call("getChatMember", json={"chat_id": group.id, "user_id": 5})
    assert (status, body["description"]) == (400, "Bad Request: user not found")
