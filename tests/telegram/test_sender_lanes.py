"""The sender through each driver's real HTTP stack against the fake Bot API: Telegram's limits
counted the strict way, 429s that pause only their chat, and the lanes (callback answers first,
users' chats never behind the agents' groups).

The limiter's clock (and, where a test needs it, the fake server's) stands still until the test
moves it: what may go "a second later" goes when the test says, however busy the machine.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import Engine
from sqlmodel import Session, select

import storage.tables  # noqa: F401  (registers the tables)
from bot.telegram.driver import Driver
from bot.telegram.drivers import LIBRARIES, make_driver
from bot.telegram.rate_limits import RateLimiter
from bot.telegram.sender import Sender
from storage import OutboxMessage, enqueue
from tests.fake_telegram import FakeChat, FakeTelegramServer, FakeUser, ManualClock
from tests.fake_telegram.fixtures import ServerFactory
from tests.stores import store_engine

from .senders import Lease, in_background, running


class StillClock:
    """The sender's clock (limiter and store): still until the test moves it."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def utc(self) -> datetime:
        """The same moment for the store."""
        return datetime.fromtimestamp(self.now, UTC)


@dataclass
class Site:
    server: FakeTelegramServer
    driver: Driver
    clock: ManualClock  # the server's


@pytest.fixture
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    yield from store_engine("sqlite", request, tmp_path)


@pytest_asyncio.fixture(params=LIBRARIES)
async def site(
    request: pytest.FixtureRequest, fake_telegram_factory: ServerFactory
) -> AsyncIterator[Site]:
    """The fake server on a manual clock, with the strict limits on, and a driver for it."""
    clock = ManualClock()
    server = await fake_telegram_factory(clock=clock)
    driver = make_driver(request.param, server.token, server.base_url)
    yield Site(server, driver, clock)
    await driver.close()


def people(server: FakeTelegramServer, count: int, name: str = "Pessoa") -> list[FakeUser]:
    made = [server.add_user(f"{name} {n}") for n in range(count)]
    for person in made:
        server.chat_of(person).bot_started = True
    return made


def queue(
    engine: Engine, *calls: tuple[int, str, dict[str, object]], clock: StillClock | None = None
) -> None:
    with Session(engine) as session, session.begin():
        for chat_id, method, params in calls:
            now = clock.utc() if clock else datetime.now(UTC)
            enqueue(session, chat_id=chat_id, method=method, params=params, now=now)


def text(chat_id: int, body: str) -> tuple[int, str, dict[str, object]]:
    return (chat_id, "sendMessage", {"text": body})


def calls_in_order(server: FakeTelegramServer) -> list[str]:
    """What reached the server, in order: the text sent, or the method's name."""
    return [str(r.params.get("text", r.method)) for r in server.state.requests]


def most_in_any_second(times: list[float]) -> int:
    times = sorted(times)
    return max((bisect.bisect_left(times, t + 1.0) - n for n, t in enumerate(times)), default=0)


def row_status(engine: Engine, method: str) -> list[tuple[str, int]]:
    with Session(engine) as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.method == method)).all()
        return [(row.status, row.attempts) for row in rows]


async def test_no_second_at_telegram_ever_holds_more_than_thirty(
    engine: Engine, driver: Driver, fake_telegram: FakeTelegramServer
) -> None:
    # Real clocks on both sides, the server counting arrivals in a sliding second: however the
    # calls are delayed on their way, none is refused and no second holds 31.
    users = people(fake_telegram, 75)
    queue(engine, *(text(user.id, f"para {user.first_name}") for user in users))

    async with running(engine, driver, Lease()):
        await fake_telegram.wait_until(
            lambda: len(fake_telegram.sent_messages()) == 75, timeout=30, what="every message"
        )

    arrivals = [r.at for r in fake_telegram.requests_for("sendMessage")]
    assert fake_telegram.stats.served_429 == 0
    assert len(arrivals) == 75
    assert most_in_any_second(arrivals) <= 30


async def test_a_429_for_one_chat_pauses_that_chat_only(engine: Engine, site: Site) -> None:
    server = site.server
    group = server.add_group("Agentes", forum=False)
    for _ in range(20):  # the group's minute is already full at Telegram
        server.limiter.spend(group)
    users = people(server, 5)
    clock = StillClock()
    queue(
        engine,
        text(group.id, "ao grupo"),
        *(text(user.id, f"para {user.first_name}") for user in users),
        clock=clock,
    )
    sender = Sender(engine, site.driver, clock.utc, limiter=RateLimiter(clock), lease=Lease())

    async with in_background(sender):
        await server.wait_until(
            lambda: len(server.sent_messages()) == 5, timeout=20, what="the users' messages"
        )
        [refused] = [
            r for r in server.requests_for("sendMessage") if r.params["text"] == "ao grupo"
        ]
        assert refused.status == 429
        assert refused.description == "Too Many Requests: retry after 60"
        # The sender has heard the 429 once the row says so (the clocks may move after that).
        await server.wait_until(
            lambda: row_status(engine, "sendMessage").count(("pending", 1)), what="the retry"
        )
        assert len(server.requests_for("sendMessage")) == 6  # the group was not tried again
        site.clock.advance(60.001)  # a hair more, past the float rounding of the store's time
        clock.now += 60.001
        sender.wake()
        await server.wait_until(
            lambda: server.sent_messages(group), timeout=20, what="the group's message"
        )

    assert server.stats.served_429 == 1


async def test_callback_answers_and_chat_actions_go_ahead_of_a_full_outbox(
    engine: Engine, site: Site
) -> None:
    server = site.server
    user, *others = people(server, 41)
    asked = await site.driver.call(
        "sendMessage",
        {
            "chat_id": user.id,
            "text": "Escolha",
            "reply_markup": {"inline_keyboard": [[{"text": "Sim", "callback_data": "sim"}]]},
        },
    )
    shown = server.state.message(user.id, asked["message_id"])
    assert shown is not None
    query = server.user_presses_button(user, shown, "sim")
    backlog = [text(other.id, f"para {other.first_name}") for other in others]
    answer = (user.id, "answerCallbackQuery", {"callback_query_id": query.id})
    typing = (user.id, "sendChatAction", {"action": "typing"})
    queue(engine, *backlog, answer, typing)  # queued after 40 messages
    clock = StillClock()
    limiter = RateLimiter(clock, global_per_second=5)

    async with running(engine, site.driver, Lease(), limiter=limiter):
        await server.wait_until(
            lambda: len(server.state.requests) == 6, timeout=20, what="the first second's calls"
        )

    first_second = calls_in_order(server)[1:]  # after the question itself
    assert first_second[:2] == ["answerCallbackQuery", "sendChatAction"]
    assert len(first_second) == 5  # they took two of the second's five places
    assert [a.callback_query_id for a in server.state.callback_answers] == [query.id]


async def test_a_too_old_callback_answer_is_dropped_at_once(engine: Engine, site: Site) -> None:
    server = site.server
    [user] = people(server, 1)
    asked = await site.driver.call(
        "sendMessage",
        {
            "chat_id": user.id,
            "text": "Escolha",
            "reply_markup": {"inline_keyboard": [[{"text": "Sim", "callback_data": "sim"}]]},
        },
    )
    shown = server.state.message(user.id, asked["message_id"])
    assert shown is not None
    query = server.user_presses_button(user, shown, "sim")
    site.clock.advance(server.state.callback_query_ttl + 1)  # the user stopped waiting
    answer = (user.id, "answerCallbackQuery", {"callback_query_id": query.id})
    queue(engine, answer, text(user.id, "resposta"))
    clock = StillClock()

    async with running(engine, site.driver, Lease(), limiter=RateLimiter(clock)):
        await server.wait_until(
            lambda: len(server.sent_messages(user)) == 2, timeout=20, what="the reply"
        )

    [refused] = server.requests_for("answerCallbackQuery")
    assert refused.status == 400 and "query is too old" in (refused.description or "")
    assert row_status(engine, "answerCallbackQuery") == [("dropped", 1)]


async def test_a_users_news_never_waits_behind_the_groups_backlog(
    engine: Engine, site: Site
) -> None:
    # Ten agents' groups with three posts each, queued before a user's status message, and
    # room for five calls a second overall.
    server = site.server
    groups: list[FakeChat] = [server.add_group(f"Grupo {n}", forum=False) for n in range(10)]
    [user] = people(server, 1)
    posts = [text(group.id, f"post {n} em {group.title}") for n in range(3) for group in groups]
    queue(engine, *posts, text(user.id, "seu chamado está em atendimento"))
    clock = StillClock()
    limiter = RateLimiter(clock, global_per_second=5)

    async with running(engine, site.driver, Lease(), limiter=limiter):
        await server.wait_until(
            lambda: len(server.state.requests) == 5, timeout=20, what="the first second's calls"
        )

    assert calls_in_order(server)[0] == "seu chamado está em atendimento"
    assert len(server.sent_messages(user)) == 1
