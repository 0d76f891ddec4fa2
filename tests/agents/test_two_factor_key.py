"""Sealed TOTP secrets over Telegram: the key file made on enrollment and kept across restarts, a
plain secret sealed when the bot starts, and a wrong key refused politely with one log line."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.two_factor import totp
from bot.two_factor.secret_box import PREFIX
from tests.fake_telegram import FakeUser
from tests.in_process_bot import BotSite

from .conftest import StartDesk
from .harness import SECRET, DeskBot
from .test_two_factor import _enroll


def key_file(bot_site: BotSite) -> Path:
    """Where the bot keeps its key: beside the test's SQLite database."""
    return bot_site.tmp_path / "data" / "totp.key"


async def send_code(desk: DeskBot, agent: FakeUser, secret: str) -> str:
    """/codigo with the code the app shows a minute from now (never a replay); the answer."""
    desk.clock.advance(minutes=1)
    desk.server.user_sends_text(
        agent, f"/codigo {totp.code_at(secret, totp.time_step(desk.clock()))}"
    )
    await desk.settle()
    return desk.texts(agent)[-1]


async def restart(running: DeskBot, start_desk: StartDesk, /, **options: str) -> DeskBot:
    """Stop the bot and start another on the same store, its clock where the first one's was."""
    await running.close()
    restarted = await start_desk(**options)
    restarted.clock.offset = running.clock.offset
    return restarted


async def test_enrollment_makes_a_0600_key_file_that_opens_the_secret_after_a_restart(
    start_desk: StartDesk, bot_site: BotSite
) -> None:
    desk = await start_desk()
    ana = desk.agent("Ana", enrolled=False, trusted=False)
    assert not key_file(bot_site).exists(), "no key file before it is needed"
    secret = await _enroll(desk, ana)
    stored = desk.stored_agent(ana).totp_secret
    assert stored is not None and stored.startswith(PREFIX) and secret not in stored
    assert stat.S_IMODE(key_file(bot_site).stat().st_mode) == 0o600
    key = key_file(bot_site).read_bytes()
    assert "ativada" in await send_code(desk, ana, secret)

    desk = await restart(desk, start_desk)
    assert "Código aceito" in await send_code(desk, ana, secret)
    assert key_file(bot_site).read_bytes() == key


async def test_a_plain_secret_from_before_is_sealed_when_the_bot_starts(
    start_desk: StartDesk,
) -> None:
    desk = await start_desk()
    ana = desk.agent("Ana", trusted=False)  # the harness stores the secret plain
    assert desk.stored_agent(ana).totp_secret == SECRET

    desk = await restart(desk, start_desk)
    stored = desk.stored_agent(ana).totp_secret
    assert stored is not None and stored.startswith(PREFIX) and SECRET not in stored
    assert "Código aceito" in await send_code(desk, ana, SECRET)


async def test_a_wrong_key_is_one_log_line_and_a_polite_refusal_not_a_crash(
    start_desk: StartDesk, caplog: pytest.LogCaptureFixture
) -> None:
    desk = await start_desk()
    ana = desk.agent("Ana", enrolled=False, trusted=False)
    secret = await _enroll(desk, ana)

    other = Fernet.generate_key().decode()
    desk = await restart(desk, start_desk, desk=f'totp_key = "{other}"\n')
    answer = await send_code(desk, ana, secret)
    assert "indisponível" in answer and "supervisor" in answer
    assert desk.stored_agent(ana).failed_attempts == 0
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors and all(r.exc_info is None and "\n" not in r.getMessage() for r in errors)
    assert any("another key" in r.getMessage() for r in errors)
    assert other not in caplog.text and secret not in caplog.text
    refused = [e for e in desk.audit() if e.action == "2fa_code"]
    assert [(e.outcome, e.details.get("result")) for e in refused] == [("refused", "unavailable")]
