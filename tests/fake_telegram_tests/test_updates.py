"""getUpdates: offset confirmation, limit, long polling, allowed_updates, conflicts."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from tests.fake_telegram import FakeTelegramServer
from tests.fake_telegram_tests.conftest import RawApi


def polls_reaching(server: FakeTelegramServer) -> asyncio.Event:
    """Set once a getUpdates call is inside the server's long poll (no sleeping to guess)."""
    queue, reached = server.state.updates, asyncio.Event()
    long_poll = queue.poll

    async def watched(offset: int, limit: int, timeout: float) -> list[dict[str, Any]]:
        reached.set()
        return await long_poll(offset, limit, timeout)

    queue.poll = watched  # type: ignore[method-assign]
    return reached


async def test_offset_confirms_and_limit_pages(
    raw: RawApi, fake_telegram: FakeTelegramServer
) -> None:
    user = fake_telegram.add_user()
    for n in range(5):
        fake_telegram.user_sends_text(user, f"m{n}")
    first = await raw.ok("getUpdates", json={"limit": 2})
    assert [u["message"]["text"] for u in first] == ["m0", "m1"]
    again = await raw.ok("getUpdates", json={"limit": 2})
    assert again == first  # not confirmed yet: delivered again (what a restart relies on)
    ids = [u["update_id"] for u in first]
    assert ids[1] == ids[0] + 1
    rest = await raw.ok("getUpdates", json={"offset": ids[-1] + 1})
    assert [u["message"]["text"] for u in rest] == ["m2", "m3", "m4"]
    assert len(fake_telegram.pending_updates) == 3
    last = await raw.ok("getUpdates", json={"offset": -1})
    assert [u["message"]["text"] for u in last] == ["m4"]
    assert len(fake_telegram.pending_updates) == 1


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    raw: RawApi, fake_telegram: FakeTelegramServer
) -> None:
    user = fake_telegram.add_user()
    waiting = polls_reaching(fake_telegram)
    poll = asyncio.create_task(raw.ok("getUpdates", json={"timeout": 60}))
    await asyncio.wait_for(waiting.wait(), 10)
    assert not poll.done()
    fake_telegram.user_sends_text(user, "olá")
    # The poll may wait 60 s: ending within 20 means the update ended it.
    updates = await asyncio.wait_for(poll, 20)
    assert [u["message"]["text"] for u in updates] == ["olá"]


async def test_long_poll_times_out_empty(raw: RawApi) -> None:
    started = time.monotonic()
    assert await raw.ok("getUpdates", json={"timeout": 1}) == []
    assert time.monotonic() - started >= 0.9  # it waited (a lower bound cannot flake)


async def test_second_poller_terminates_the_first_with_409(
    raw: RawApi, fake_telegram: FakeTelegramServer
) -> None:
    waiting = polls_reaching(fake_telegram)
    first = asyncio.create_task(raw.call("getUpdates", json={"timeout": 10}))
    await asyncio.wait_for(waiting.wait(), 10)
    second = asyncio.create_task(raw.call("getUpdates", json={"timeout": 1}))
    status, body = await asyncio.wait_for(first, 5)
    assert status == 409
    assert body["description"] == (
        "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
        "is running"
    )
    assert (await second)[0] == 200


async def test_allowed_updates_filters_new_updates(
    raw: RawApi, fake_telegram: FakeTelegramServer
) -> None:
    fake_telegram.limits.enabled = False
    user = fake_telegram.add_user()
    fake_telegram.user_sends_text(user, "antes")
    await raw.ok("getUpdates", json={"allowed_updates": ["callback_query"], "offset": -1})
    fake_telegram.user_sends_text(user, "ignorado")
    sent = await raw.ok(
        "sendMessage",
        json={
            "chat_id": user.id,
            "text": "Escolha",
            "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
        },
    )
    message = fake_telegram.sent_messages(user)[-1]
    assert message.message_id == sent["message_id"]
    fake_telegram.user_presses_button(user, message, "a")
    updates = await raw.ok("getUpdates", data={"allowed_updates": '["message","callback_query"]'})
    kinds = [next(k for k in u if k != "update_id") for u in updates]
    assert kinds == ["message", "callback_query"]  # "antes" (created before) and the tap
    assert updates[0]["message"]["text"] == "antes"


async def test_edited_message_and_bot_command_entities(
    raw: RawApi, fake_telegram: FakeTelegramServer
) -> None:
    user = fake_telegram.add_user()
    message = fake_telegram.user_sends_text(user, "/start abc")
    fake_telegram.user_edits_message(user, message, "texto novo")
    updates = await raw.ok("getUpdates")
    assert updates[0]["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    edited = updates[1]["edited_message"]
    assert edited["text"] == "texto novo" and isinstance(edited["edit_date"], int)
    assert edited["message_id"] == updates[0]["message"]["message_id"]
