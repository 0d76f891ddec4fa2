"""bot.logs: levels, formats and the redaction of secrets from every record."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.config import Config
from bot.log_fields import handling, note_ticket
from tests.logs import captured_logs, config_of

TOKEN = "7000000001:AAHsecretPartOfTheToken_0123456789ab"
KEY = Fernet.generate_key().decode()


@pytest.fixture
def config(tmp_path: Path) -> Iterator[Config]:
    yield config_of(
        {
            "TRIAGEM_TELEGRAM__TOKEN": TOKEN,
            "TRIAGEM_DESK__TOTP_KEY": KEY,
            "TRIAGEM_STORAGE__URL": f"sqlite:///{tmp_path / 'data' / 'triagem.db'}",
        },
        tmp_path,
    )


def test_library_loggers_are_quiet_and_ours_speak(config: Config) -> None:
    with captured_logs(config) as logged:
        logging.getLogger("httpx").info("HTTP Request: POST https://api/bot%s/getMe", TOKEN)
        logging.getLogger("aiohttp.client").debug("chatter")
        logging.getLogger("telegram.request").warning("a library warning")
        logging.getLogger("bot.telegram.runner").info("connected")
        lines = logged.getvalue().splitlines()
    assert [line.split(" ", 3)[2:] for line in lines] == [
        ["WARNING", "telegram.request: a library warning"],
        ["INFO", "bot.telegram.runner: connected"],
    ]


def test_secrets_are_masked_in_messages_args_and_tracebacks(
    config: Config, caplog: pytest.LogCaptureFixture
) -> None:
    log = logging.getLogger("bot.test")
    encoded = TOKEN.replace(":", "%3A")
    with captured_logs(config) as logged:
        log.warning("url %s and %s", f"https://x/bot{TOKEN}/getMe", f"/bot{encoded}/x")
        log.warning("the secret half alone: %s", TOKEN.partition(":")[2])
        log.warning("totp key %s", KEY)
        try:
            raise RuntimeError(f"cannot reach https://x/bot{TOKEN}/sendMessage")
        except RuntimeError:
            log.exception("call failed")
        log.warning("bad args %s %s", TOKEN)  # logging's own error path must not leak either
        text = logged.getvalue()
    assert TOKEN.partition(":")[2] not in text and KEY not in text
    assert "https://x/bot[redacted]/getMe" in text and "/bot[redacted]/x" in text
    assert "RuntimeError: cannot reach https://x/bot[redacted]/sendMessage" in text
    # pytest's own capture (a handler that was there first) gets the masked record too.
    assert TOKEN.partition(":")[2] not in caplog.text and "[redacted]" in caplog.text


def test_text_lines_carry_the_fields_of_the_update_in_hand(config: Config) -> None:
    log = logging.getLogger("bot.test")
    with captured_logs(config) as logged:
        with handling(42, 7):
            note_ticket("SUP-ABC123")
            log.info("inside")
        log.info("after")
        note_ticket("SUP-XYZ789")  # outside an update (the terminal chat): kept nowhere
        log.info("later")
        lines = logged.getvalue().splitlines()
    assert lines[0].endswith("bot.test: inside [update_id=42 chat_id=7 ticket_code=SUP-ABC123]")
    assert lines[1].endswith("bot.test: after")
    assert lines[2].endswith("bot.test: later")


def test_json_lines_hold_a_traceback_as_a_field(tmp_path: Path) -> None:
    import json

    config = config_of({"TRIAGEM_LOG__FORMAT": "json"}, tmp_path)
    with captured_logs(config) as logged:
        try:
            {}["missing"]
        except KeyError:
            logging.getLogger("bot.test").exception("boom", extra={"chat_id": 9})
        (line,) = [json.loads(x) for x in logged.getvalue().splitlines()]
    assert line["level"] == "ERROR" and line["message"] == "boom" and line["chat_id"] == 9
    assert line["traceback"].startswith("Traceback") and "KeyError: 'missing'" in line["traceback"]
