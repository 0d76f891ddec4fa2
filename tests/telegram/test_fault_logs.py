"""Failed Bot API calls in the log: a handled fault is one WARNING line, a surprise an ERROR."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import Engine
from sqlmodel import Session

import storage.tables  # noqa: F401  (registers the tables)
from bot.telegram.api_errors import RetryAfter, Transient
from bot.telegram.driver import Driver
from bot.telegram.drivers import LIBRARIES
from bot.telegram.fault_log import reported
from storage import enqueue
from tests.fake_telegram import FakeTelegramServer, FakeUser
from tests.stores import store_engine

from .senders import Lease, running

FAULTS = "bot.telegram.fault_log"


@pytest.fixture
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    yield from store_engine("sqlite", request, tmp_path)


def queue(engine: Engine, chat_id: int, text: str) -> None:
    with Session(engine) as session, session.begin():
        enqueue(
            session,
            chat_id=chat_id,
            method="sendMessage",
            params={"text": text},
            now=datetime.now(UTC),
        )


@pytest.fixture
def user(fake_telegram: FakeTelegramServer) -> FakeUser:
    """A user who started the bot; rate limits off."""
    fake_telegram.limits.enabled = False
    person = fake_telegram.add_user("Ana")
    fake_telegram.user_sends_text(person, "/start")
    return person


@pytest_asyncio.fixture(params=LIBRARIES)
async def quick_driver(
    request: pytest.FixtureRequest, fake_telegram: FakeTelegramServer
) -> AsyncIterator[Driver]:
    """Each driver, giving up on an answer after half a second."""
    if request.param == "aiogram":
        from bot.telegram.aiogram_driver import AiogramDriver

        made: Driver = AiogramDriver(fake_telegram.token, fake_telegram.base_url, timeout=0.5)
    else:
        from bot.telegram.ptb_driver import PtbDriver

        made = PtbDriver(fake_telegram.token, fake_telegram.base_url, timeout=0.5)
    yield made
    await made.close()


def lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """Every record logged at INFO or above, from any logger (the libraries' too)."""
    return [record for record in caplog.records if record.levelno >= logging.INFO]


def assert_warnings(caplog: pytest.LogCaptureFixture, expected: list[str]) -> None:
    """Exactly these WARNING lines from the fault log, one line each, no traceback; nothing else
    at INFO or above from the drivers, the libraries or the sender."""
    records = [r for r in lines(caplog) if not r.getMessage().startswith("this process is now")]
    assert [(r.name, r.levelname, r.getMessage()) for r in records] == [
        (FAULTS, "WARNING", line) for line in expected
    ]
    assert all(r.exc_info is None and r.exc_text is None for r in records)
    assert "Traceback" not in caplog.text


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in lines(caplog) if r.levelno == logging.WARNING]


async def delivered_after(
    fake_telegram: FakeTelegramServer, user: FakeUser, caplog: pytest.LogCaptureFixture
) -> None:
    await fake_telegram.wait_until(
        lambda: fake_telegram.sent_messages(user), timeout=20, what="the retried message"
    )


@pytest.mark.parametrize("status", [502, 503])
async def test_a_5xx_html_page_is_one_warning_naming_method_status_and_the_real_delay(
    quick_driver: Driver,
    fake_telegram: FakeTelegramServer,
    engine: Engine,
    user: FakeUser,
    caplog: pytest.LogCaptureFixture,
    status: int,
) -> None:
    fake_telegram.faults.fail_next("sendMessage", status=status, html=True, count=2)
    queue(engine, user.id, "x")
    async with running(engine, quick_driver, Lease()):
        await delivered_after(fake_telegram, user, caplog)

    phrase = {502: "Bad Gateway", 503: "Service Unavailable"}[status]
    fault = f"sendMessage to chat {user.id} failed: {status} {phrase} (not a Bot API answer)"
    # The backoff doubles: the line says the wait the sender actually applies each time.
    assert_warnings(caplog, [f"{fault}; retry in 0.5 s", f"{fault}; retry in 1 s"])
    assert "<html>" not in caplog.text


async def test_a_5xx_with_telegrams_json_names_the_status(
    quick_driver: Driver,
    fake_telegram: FakeTelegramServer,
    engine: Engine,
    user: FakeUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_telegram.faults.fail_next("sendMessage", status=500)
    queue(engine, user.id, "x")
    async with running(engine, quick_driver, Lease()):
        await delivered_after(fake_telegram, user, caplog)
    assert_warnings(
        caplog, [f"sendMessage to chat {user.id} failed: 500 Internal Server Error; retry in 0.5 s"]
    )


async def test_a_429_is_one_warning_with_the_scope_paused_and_retry_after(
    quick_driver: Driver,
    fake_telegram: FakeTelegramServer,
    engine: Engine,
    user: FakeUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_telegram.faults.fail_next("sendMessage", status=429, retry_after=1)
    queue(engine, user.id, "x")
    async with running(engine, quick_driver, Lease()):
        await delivered_after(fake_telegram, user, caplog)
    fault = f"sendMessage to chat {user.id} failed: 429 Too Many Requests (chat paused)"
    assert_warnings(caplog, [f"{fault}; retry in 1 s"])


async def test_a_call_given_up_says_so(
    quick_driver: Driver,
    fake_telegram: FakeTelegramServer,
    engine: Engine,
    user: FakeUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_telegram.faults.fail_next("sendMessage", status=502)
    queue(engine, user.id, "x")
    async with running(engine, quick_driver, Lease(), max_attempts=1):
        await fake_telegram.wait_until(lambda: warnings(caplog), timeout=20, what="the warning")
    assert_warnings(caplog, [f"sendMessage to chat {user.id} failed: 502 Bad Gateway; given up"])


async def test_a_timeout_is_one_warning_with_the_real_delay(
    quick_driver: Driver,
    fake_telegram: FakeTelegramServer,
    engine: Engine,
    user: FakeUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_telegram.faults.latency(3.0, methods=["sendMessage"])
    queue(engine, user.id, "x")
    async with running(engine, quick_driver, Lease(), max_attempts=1):
        await fake_telegram.wait_until(lambda: warnings(caplog), timeout=20, what="the warning")
    (line,) = warnings(caplog)
    assert line.startswith(f"sendMessage to chat {user.id} failed: ") and line.endswith("given up")
    assert_warnings(caplog, [line])


async def test_a_failed_poll_is_one_warning_with_the_real_delay(
    quick_driver: Driver, fake_telegram: FakeTelegramServer, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.telegram.polling import poll

    fake_telegram.faults.fail_next("getUpdates", status=502, html=True)
    stop = asyncio.Event()
    waited: list[float] = []

    async def no_wait(seconds: float, _: asyncio.Event) -> None:
        waited.append(seconds)
        stop.set()

    async def store(_: list[dict[str, object]]) -> None:
        return None

    await poll(quick_driver, store_updates=store, offset=None, timeout=0, stop=stop, wait=no_wait)
    assert waited == [0.5]
    assert_warnings(
        caplog, ["getUpdates failed: 502 Bad Gateway (not a Bot API answer); retry in 0.5 s"]
    )


async def test_the_driver_leaves_a_429_to_the_sender(
    quick_driver: Driver,
    fake_telegram: FakeTelegramServer,
    user: FakeUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_telegram.faults.fail_next("answerCallbackQuery", status=429, retry_after=7)
    with pytest.raises(RetryAfter):
        await quick_driver.call("answerCallbackQuery", {"callback_query_id": "1"})
    assert lines(caplog) == []


async def test_the_driver_itself_logs_no_handled_fault(
    quick_driver: Driver,
    fake_telegram: FakeTelegramServer,
    user: FakeUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Only the caller knows what happens next (the delay): the driver leaves the line to it.
    fake_telegram.faults.fail_next("sendMessage", status=502, html=True)
    with pytest.raises(Transient):
        await quick_driver.call("sendMessage", {"chat_id": user.id, "text": "x"})
    assert lines(caplog) == []


async def test_refusals_are_left_to_the_caller(
    driver: Driver, fake_telegram: FakeTelegramServer, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(Exception, match="hat not found"):
        await driver.call("sendMessage", {"chat_id": 123, "text": "x"})
    assert lines(caplog) == []


async def test_an_unexpected_error_is_an_error_with_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with pytest.raises(KeyError):
        async with reported("sendMessage", {"chat_id": 5}):
            raise KeyError("result")
    (record,) = lines(caplog)
    assert (record.levelname, record.getMessage()) == ("ERROR", "sendMessage failed unexpectedly")
    assert record.exc_info is not None and "KeyError" in caplog.text
    assert "Traceback" in caplog.text


async def test_calls_whose_callers_log_are_not_logged_twice(
    quick_driver: Driver, fake_telegram: FakeTelegramServer, caplog: pytest.LogCaptureFixture
) -> None:
    # The poller logs a failed getUpdates with its next attempt; the start-up its own calls.
    fake_telegram.faults.fail_next("getUpdates", status=502, html=True)
    fake_telegram.faults.fail_next("setMyCommands", status=500)
    with pytest.raises(Transient):
        await quick_driver.get_updates(offset=None, timeout=0, limit=1)
    with pytest.raises(Transient):
        await quick_driver.call("setMyCommands", {"commands": []})
    assert lines(caplog) == []
