"""Failed Bot API calls in the log: a handled fault is one WARNING line, a surprise an ERROR."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from bot.telegram.driver import Driver
from bot.telegram.drivers import LIBRARIES
from bot.telegram.errors import RetryAfter, Transient
from bot.telegram.fault_log import reported
from tests.fake_telegram import FakeTelegramServer, FakeUser

FAULTS = "bot.telegram.fault_log"


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


def assert_one_warning(caplog: pytest.LogCaptureFixture, *parts: str) -> None:
    records = lines(caplog)
    assert [(r.name, r.levelname) for r in records] == [(FAULTS, "WARNING")], [
        (r.name, r.levelname, r.getMessage()) for r in records
    ]
    message = records[0].getMessage()
    assert "\n" not in message and records[0].exc_info is None and records[0].exc_text is None
    for part in parts:
        assert part in message, message


@pytest.mark.parametrize("status", [502, 503])
async def test_a_5xx_html_page_is_one_warning_with_method_and_status(
    quick_driver: Driver,
    fake_telegram: FakeTelegramServer,
    user: FakeUser,
    caplog: pytest.LogCaptureFixture,
    status: int,
) -> None:
    fake_telegram.faults.fail_next("sendMessage", status=status, html=True)
    with pytest.raises(Transient) as caught:
        await quick_driver.call("sendMessage", {"chat_id": user.id, "text": "x"})

    assert caught.value.description.startswith(f"{status} ")
    assert_one_warning(
        caplog,
        f"sendMessage to chat {user.id} failed: {status} ",
        "not a Bot API answer",
        "retried with backoff",
    )
    assert "<html>" not in caplog.text


async def test_a_5xx_with_telegrams_json_names_the_status(
    quick_driver: Driver,
    fake_telegram: FakeTelegramServer,
    user: FakeUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_telegram.faults.fail_next("editMessageText", status=500)
    with pytest.raises(Transient):
        await quick_driver.call(
            "editMessageText", {"chat_id": user.id, "message_id": 1, "text": "x"}
        )
    assert_one_warning(caplog, "editMessageText to chat", "500 Internal Server Error;")


async def test_a_429_is_left_to_the_sender_which_logs_what_it_pauses(
    quick_driver: Driver,
    fake_telegram: FakeTelegramServer,
    user: FakeUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_telegram.faults.fail_next("answerCallbackQuery", status=429, retry_after=7)
    with pytest.raises(RetryAfter):
        await quick_driver.call("answerCallbackQuery", {"callback_query_id": "1"})
    assert lines(caplog) == []


async def test_a_timeout_is_one_warning(
    quick_driver: Driver,
    fake_telegram: FakeTelegramServer,
    user: FakeUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_telegram.faults.latency(3.0, methods=["sendMessage"])
    with pytest.raises(Transient):
        await quick_driver.call("sendMessage", {"chat_id": user.id, "text": "x"})
    assert_one_warning(caplog, f"sendMessage to chat {user.id} failed:", "retried with backoff")


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
