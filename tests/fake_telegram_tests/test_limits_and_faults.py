"""Flood limits on a manual clock, and every kind of injected fault."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import aiohttp
import pytest_asyncio

from tests.fake_telegram import FakeTelegramServer, LimitConfig, ManualClock
from tests.fake_telegram.fixtures import ServerFactory
from tests.fake_telegram_tests.conftest import RawApi


class Setup:
    def __init__(self, server: FakeTelegramServer, raw: RawApi, clock: ManualClock) -> None:
        self.server, self.raw, self.clock = server, raw, clock

    async def send(self, chat_id: int, text: str = "x") -> tuple[int, dict[str, object]]:
        return await self.raw.call("sendMessage", json={"chat_id": chat_id, "text": text})


@pytest_asyncio.fixture
async def manual(fake_telegram_factory: ServerFactory) -> AsyncIterator[Setup]:
    clock = ManualClock()
    server = await fake_telegram_factory(clock=clock)
    async with aiohttp.ClientSession() as session:
        yield Setup(server, RawApi(session, server), clock)


TOO_MANY = "Too Many Requests: retry after {}"


@pytest_asyncio.fixture
async def lenient(fake_telegram_factory: ServerFactory) -> AsyncIterator[Setup]:
    """The fake server counting with token buckets (the lenient option)."""
    clock = ManualClock()
    server = await fake_telegram_factory(clock=clock, limits=LimitConfig(counting="bucket"))
    async with aiohttp.ClientSession() as session:
        yield Setup(server, RawApi(session, server), clock)


async def test_private_chat_gets_one_message_in_any_second(manual: Setup) -> None:
    user = manual.server.add_user()
    manual.server.user_sends_text(user, "oi")
    assert [(await manual.send(user.id))[0] for _ in range(2)] == [200, 429]
    manual.clock.advance(0.5)
    status, body = await manual.send(user.id)
    assert status == 429 and body["parameters"] == {"retry_after": 1}
    assert body["description"] == TOO_MANY.format(1)
    manual.clock.advance(0.5)  # a full second after the first
    assert (await manual.send(user.id))[0] == 200
    assert manual.server.stats.served_429 == 2
    assert manual.server.stats.rate_limited == 2


async def test_group_gets_twenty_in_any_minute(manual: Setup) -> None:
    group = manual.server.add_group("Agentes", forum=False)
    assert [(await manual.send(group.id))[0] for _ in range(20)] == [200] * 20
    manual.clock.advance(45)
    status, body = await manual.send(group.id)
    assert (status, body["parameters"]) == (429, {"retry_after": 15})
    assert body["description"] == TOO_MANY.format(15)
    manual.clock.advance(15)
    assert [(await manual.send(group.id))[0] for _ in range(21)] == [200] * 20 + [429]


async def test_thirty_in_any_sliding_second_overall(manual: Setup) -> None:
    users = [manual.server.add_user(f"U{n}") for n in range(61)]
    for user in users:
        manual.server.user_sends_text(user, "oi")
    assert [(await manual.send(u.id))[0] for u in users[:15]] == [200] * 15
    manual.clock.advance(0.5)
    statuses = [(await manual.send(u.id))[0] for u in users[15:31]]
    assert statuses == [200] * 15 + [429]  # 30 in the last second, whatever the clock says
    manual.clock.advance(0.5)  # the first 15 leave the window, the next 15 stay in it
    statuses = [(await manual.send(u.id))[0] for u in users[30:46]]
    assert statuses == [200] * 15 + [429]
    manual.clock.advance(0.5)
    assert [(await manual.send(u.id))[0] for u in users[45:61]] == [200] * 15 + [429]


async def test_bucket_counting_allows_bursts_the_window_refuses(lenient: Setup) -> None:
    user = lenient.server.add_user()
    lenient.server.user_sends_text(user, "oi")
    assert [(await lenient.send(user.id))[0] for _ in range(4)] == [200, 200, 200, 429]
    lenient.clock.advance(1.0)
    assert [(await lenient.send(user.id))[0] for _ in range(2)] == [200, 429]
    users = [lenient.server.add_user(f"U{n}") for n in range(46)]
    for other in users:
        lenient.server.user_sends_text(other, "oi")
    lenient.clock.advance(1.0)
    assert [(await lenient.send(u.id))[0] for u in users[:31]] == [200] * 30 + [429]
    lenient.clock.advance(0.5)  # half a second refills 15 tokens: 45 in 0.5 s
    assert [(await lenient.send(u.id))[0] for u in users[31:46]] == [200] * 15


async def test_limits_can_count_edits(fake_telegram_factory: ServerFactory) -> None:
    server = await fake_telegram_factory(clock=ManualClock(), limits=LimitConfig(count_edits=True))
    assert server.limiter.applies_to("editMessageText")
    assert not server.limiter.applies_to("getMe")


async def test_fail_next_counts_down_per_method(manual: Setup) -> None:
    user = manual.server.add_user()
    manual.server.user_sends_text(user, "oi")
    manual.server.faults.fail_next("sendMessage", status=502, count=2)
    first, second = await manual.send(user.id), await manual.send(user.id)
    assert first == (502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})
    assert second[0] == 502
    assert (await manual.raw.call("getMe"))[0] == 200
    assert (await manual.send(user.id))[0] == 200
    assert manual.server.stats.server_errors == 2
    assert [m.text for m in manual.server.sent_messages(user)] == ["x"]


async def test_after_effect_fault_loses_only_the_answer(manual: Setup) -> None:
    user = manual.server.add_user()
    manual.server.user_sends_text(user, "oi")
    manual.server.faults.fail_next("sendMessage", status=500, after_effect=True)
    status, body = await manual.send(user.id, "duplicada?")
    assert (status, body["description"]) == (500, "Internal Server Error")
    assert [m.text for m in manual.server.sent_messages(user)] == ["duplicada?"]


async def test_random_5xx_is_reproducible_with_a_seed(manual: Setup) -> None:
    outcomes = []
    for _ in range(2):
        manual.server.faults.random_5xx(0.3, seed=7, methods=["getMe"])
        outcomes.append([(await manual.raw.call("getMe"))[0] for _ in range(40)])
    assert outcomes[0] == outcomes[1]
    assert {500, 502} & set(outcomes[0]) and 200 in outcomes[0]
    manual.server.faults.clear()
    assert (await manual.raw.call("getMe"))[0] == 200


async def test_429_storm_lasts_for_the_given_time(manual: Setup) -> None:
    user = manual.server.add_user()
    manual.server.user_sends_text(user, "oi")
    manual.server.faults.storm_429(10, retry_after=5)
    status, body = await manual.send(user.id)
    assert status == 429 and body["parameters"] == {"retry_after": 5}
    assert (await manual.raw.call("getMe"))[0] == 200  # only sending methods by default
    manual.clock.advance(10)
    assert (await manual.send(user.id))[0] == 200
    assert manual.server.stats.served_429 == 1 and manual.server.stats.rate_limited == 0


async def test_latency_and_forced_429(manual: Setup) -> None:
    manual.server.faults.latency(0.3, methods=["getMe"])
    started = time.monotonic()
    assert (await manual.raw.call("getMe"))[0] == 200
    # asyncio may fire a timer up to its clock's resolution early: the delay shows, not its digits.
    assert time.monotonic() - started >= 0.25
    manual.server.faults.fail_next("getMe", status=429, retry_after=9)
    status, body = await manual.raw.call("getMe")
    assert (status, body["parameters"]["retry_after"]) == (429, 9)
