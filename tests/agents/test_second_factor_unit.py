"""The TOTP policy with an injected clock: steps, replays, trust, lockout (no Telegram)."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import qrcode
from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlmodel import Session, SQLModel

import storage.tables  # noqa: F401  (registers the tables)
from bot.two_factor import totp
from bot.two_factor.policy import SecondFactor
from bot.two_factor.qr_png import qr_png
from bot.two_factor.secret_box import SecretBox
from bot.two_factor.totp_key import TotpKey
from storage import Agent, add_agent, make_engine, reset_second_factor

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
START = datetime(2025, 12, 1, 9, 0, 10, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def session() -> Iterator[Session]:
    engine = make_engine("sqlite://")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture
def factor(clock: Clock, tmp_path: Path) -> SecondFactor:
    key = TotpKey(SecretStr(Fernet.generate_key().decode()), tmp_path / "totp.key")
    box = SecretBox(key)
    return SecondFactor(clock, box=box, trusted_for=timedelta(hours=12), max_failures=5)


@pytest.fixture
def agent(session: Session, factor: SecondFactor, monkeypatch: pytest.MonkeyPatch) -> Agent:
    monkeypatch.setattr(totp, "new_secret", lambda: SECRET)
    agent = add_agent(session, telegram_user_id=42, role="agent", display_name="Ana", now=START)
    assert factor.enroll(session, agent) == SECRET
    return agent


def code(moment: datetime, steps: int = 0) -> str:
    return totp.code_at(SECRET, totp.time_step(moment) + steps)


def test_check_code_knows_the_step_and_tolerates_one_step_of_drift() -> None:
    step = totp.time_step(START)
    assert totp.check_code(SECRET, code(START), START, None) == totp.CodeCheck("accepted", step)
    assert totp.check_code(SECRET, code(START, -1), START, None).step == step - 1
    assert totp.check_code(SECRET, code(START, 1), START, None).step == step + 1
    assert totp.check_code(SECRET, code(START, -3), START, None).outcome in ("wrong", "accepted")
    assert totp.check_code(SECRET, "12 34", START, None).outcome == "malformed"
    assert totp.check_code(SECRET, code(START), START, step).outcome == "replayed"
    assert totp.check_code(SECRET, code(START, -1), START, step).outcome == "replayed"


def test_first_code_confirms_and_trust_lasts_the_configured_hours(
    session: Session, factor: SecondFactor, agent: Agent, clock: Clock
) -> None:
    assert factor.verdict(agent) == "not_enrolled"
    result = factor.submit(session, agent, code(clock.now))
    assert result.outcome == "confirmed"
    assert result.trusted_until == START + timedelta(hours=12)
    assert factor.verdict(agent) == "ok"
    clock.now = START + timedelta(hours=12)
    assert factor.verdict(agent) == "code_needed"
    assert factor.submit(session, agent, code(clock.now)).outcome == "accepted"
    assert factor.verdict(agent) == "ok"


def test_a_code_of_the_same_or_an_earlier_step_is_a_replay(
    session: Session, factor: SecondFactor, agent: Agent, clock: Clock
) -> None:
    factor.submit(session, agent, code(clock.now, 1))
    assert factor.submit(session, agent, code(clock.now, 1)).outcome == "replayed"
    assert factor.submit(session, agent, code(clock.now)).outcome == "replayed"
    clock.now += timedelta(seconds=60)
    assert factor.submit(session, agent, code(clock.now)).outcome == "accepted"
    assert agent.failed_attempts == 0


def test_five_wrong_codes_lock_and_a_reset_starts_over(
    session: Session, factor: SecondFactor, agent: Agent, clock: Clock
) -> None:
    factor.submit(session, agent, code(clock.now))
    wrong = f"{(int(code(clock.now, 5)) + 1) % 1_000_000:06d}"
    lefts = [factor.submit(session, agent, wrong).left for _ in range(4)]
    assert lefts == [4, 3, 2, 1]
    assert factor.submit(session, agent, wrong).outcome == "locked"
    assert agent.locked and factor.verdict(agent) == "locked"
    clock.now += timedelta(seconds=30)
    assert factor.submit(session, agent, code(clock.now)).outcome == "locked"
    reset_second_factor(session, agent=agent)
    assert (agent.locked, agent.totp_secret, agent.totp_confirmed) == (False, None, False)
    assert factor.verdict(agent) == "not_enrolled"


def test_the_provisioning_uri_and_qr_png() -> None:
    uri = totp.provisioning_uri(SECRET, "Ana Souza")
    assert uri.startswith("otpauth://totp/Triagem:Ana%20Souza?secret=" + SECRET)
    assert "issuer=Triagem" in uri
    png = qr_png(uri)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])
    matrix = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    matrix.add_data(uri)
    matrix.make(fit=True)
    modules = matrix.get_matrix()
    assert width == height == len(modules) * 8
    # The pixels are the matrix: a 1-bit row per pixel line, black where a module is dark.
    start = png.index(b"IDAT") + 4
    length = struct.unpack(">I", png[start - 8 : start - 4])[0]
    rows = zlib.decompress(png[start : start + length])
    stride = 1 + (width + 7) // 8
    for y, row in enumerate(modules):
        line = rows[y * 8 * stride + 1 : (y * 8 + 1) * stride]
        bits = "".join(f"{byte:08b}" for byte in line)[:width]
        assert bits == "".join(("0" if dark else "1") * 8 for dark in row)
