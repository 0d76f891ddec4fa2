"""Forum topics: lifecycle, messages inside topics, and errors outside forums."""

from __future__ import annotations

from tests.fake_telegram import FakeTelegramServer
from tests.fake_telegram_tests.conftest import RawApi


async def test_topic_lifecycle(raw: RawApi, fake_telegram: FakeTelegramServer) -> None:
    agent = fake_telegram.add_user("Agente")
    group = fake_telegram.add_group("Agentes", forum=True, admins=[agent])
    topic = await raw.ok("createForumTopic", json={"chat_id": group.id, "name": "Chamado #1"})
    assert topic == {
        "message_thread_id": topic["message_thread_id"],
        "name": "Chamado #1",
        "icon_color": 7322096,
    }
    thread = topic["message_thread_id"]
    inside = await raw.ok(
        "sendMessage",
        json={"chat_id": group.id, "text": "Novo chamado", "message_thread_id": thread},
    )
    assert inside["message_thread_id"] == thread and inside["is_topic_message"] is True
    assert inside["reply_to_message"]["forum_topic_created"]["name"] == "Chamado #1"
    assert inside["chat"]["is_forum"] is True

    reply = fake_telegram.user_sends_text(agent, "Pode reiniciar?", chat=group, thread_id=thread)
    update = (await raw.ok("getUpdates"))[-1]["message"]
    assert update["message_thread_id"] == thread and update["is_topic_message"] is True
    assert reply.thread_id == thread

    assert await raw.ok(
        "editForumTopic",
        json={"chat_id": group.id, "message_thread_id": thread, "name": "Chamado #1 (SEI)"},
    )
    assert await raw.ok("closeForumTopic", json={"chat_id": group.id, "message_thread_id": thread})
    status, body = await raw.call(
        "closeForumTopic", json={"chat_id": group.id, "message_thread_id": thread}
    )
    assert (status, body["description"]) == (400, "Bad Request: TOPIC_NOT_MODIFIED")
    assert await raw.ok("reopenForumTopic", json={"chat_id": group.id, "message_thread_id": thread})
    assert [t.name for t in fake_telegram.topics(group)] == ["Chamado #1 (SEI)"]

    assert await raw.ok("deleteForumTopic", json={"chat_id": group.id, "message_thread_id": thread})
    assert fake_telegram.topics(group) == []
    status, body = await raw.call(
        "sendMessage", json={"chat_id": group.id, "text": "x", "message_thread_id": thread}
    )
    assert (status, body["description"]) == (400, "Bad Request: message thread not found")


async def test_topics_need_a_forum_and_rights(
    raw: RawApi, fake_telegram: FakeTelegramServer
) -> None:
    plain = fake_telegram.add_group("Sem tópicos", forum=False)
    status, body = await raw.call("createForumTopic", json={"chat_id": plain.id, "name": "x"})
    assert (status, body["description"]) == (400, "Bad Request: the chat is not a forum")
    forum = fake_telegram.add_group("Fórum", forum=True, bot_status="member")
    status, body = await raw.call("createForumTopic", json={"chat_id": forum.id, "name": "x"})
    assert status == 400 and "not enough rights" in body["description"]
    member = await raw.ok(
        "getChatMember", json={"chat_id": forum.id, "user_id": fake_telegram.bot_user.id}
    )
    assert member["status"] == "member"
