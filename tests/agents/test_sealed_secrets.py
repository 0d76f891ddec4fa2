"""TOTP secrets sealed in the store (SQLite and PostgreSQL): enrollment, legacy plain rows sealed
at start, a wrong or lost key refused in one operator line, and migration 0004."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlalchemy import Engine, inspect, text
from sqlmodel import Session

from bot.cli import main
from bot.two_factor import totp
from bot.two_factor.policy import SecondFactor
from bot.two_factor.secret_box import PREFIX, SecretBox
from bot.two_factor.stored_secrets import seal_stored_secrets
from bot.two_factor.totp_key import TotpKey
from storage import add_agent, agent_by_telegram_id, make_engine
from storage.schema import upgrade

pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgresql"])

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = datetime(2025, 12, 1, 9, 0, 10, tzinfo=UTC)
ANA = 42


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """The store, migrated as the bot migrates it."""
    upgrade(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def file_box(tmp_path: Path) -> SecretBox:
    """A box whose key is the key file under tmp_path (made on first need)."""
    return SecretBox(TotpKey(SecretStr(""), tmp_path / "data" / "totp.key"))


def factor(box: SecretBox, now: datetime = NOW) -> SecondFactor:
    return SecondFactor(lambda: now, box=box, trusted_for=timedelta(hours=12), max_failures=5)


def code(secret: str, now: datetime = NOW) -> str:
    return totp.code_at(secret, totp.time_step(now))


def add_ana(engine: Engine, secret: str | None = None) -> None:
    """Register Ana; with `secret`, as a row from before sealing holds it (plain)."""
    with Session(engine) as session, session.begin():
        agent = add_agent(session, telegram_user_id=ANA, role="agent", display_name="Ana", now=NOW)
        agent.totp_secret = secret
        agent.totp_confirmed = secret is not None


def stored_row(engine: Engine) -> dict[str, object]:
    """Ana's row as a database dump would show it."""
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT * FROM agents WHERE telegram_user_id = :id"), {"id": ANA}
        ).one()
    return dict(row._mapping)


def submit(engine: Engine, box: SecretBox, typed: str, now: datetime = NOW) -> str:
    with Session(engine) as session, session.begin():
        agent = agent_by_telegram_id(session, telegram_user_id=ANA)
        assert agent is not None
        return factor(box, now).submit(session, agent, typed).outcome


def start(engine: Engine, box: SecretBox) -> int:
    """What the bot does at start."""
    with Session(engine) as session, session.begin():
        return seal_stored_secrets(session, box)


def test_enrollment_leaves_no_trace_of_the_secret_in_the_row_and_its_code_verifies(
    engine: Engine, tmp_path: Path
) -> None:
    add_ana(engine)
    box = file_box(tmp_path)
    with Session(engine) as session, session.begin():
        agent = agent_by_telegram_id(session, telegram_user_id=ANA)
        assert agent is not None
        secret = factor(box).enroll(session, agent)
    assert secret is not None
    row = stored_row(engine)
    assert str(row["totp_secret"]).startswith(PREFIX)
    assert not any(secret in str(value) for value in row.values())
    assert submit(engine, box, code(secret)) == "confirmed"


def test_a_plain_secret_is_sealed_at_start_and_still_verifies(
    engine: Engine, tmp_path: Path
) -> None:
    add_ana(engine, SECRET)
    box = file_box(tmp_path)
    assert start(engine, box) == 1
    assert str(stored_row(engine)["totp_secret"]).startswith(PREFIX)
    assert SECRET not in str(stored_row(engine).values())
    assert start(engine, file_box(tmp_path)) == 0, "nothing plain is left"
    assert submit(engine, file_box(tmp_path), code(SECRET)) == "accepted"


def test_another_key_is_one_operator_line_and_a_refusal_that_counts_nothing(
    engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    add_ana(engine, SECRET)
    start(engine, file_box(tmp_path))
    other = SecretBox(TotpKey(SecretStr(Fernet.generate_key().decode()), tmp_path / "unused"))

    caplog.set_level(logging.INFO)
    assert start(engine, other) == 0
    assert submit(engine, other, code(SECRET)) == "unavailable"
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 2 and all(r.exc_info is None for r in errors)
    assert all("\n" not in r.getMessage() for r in errors)
    assert "1 of 1 agents with a sealed secret cannot confirm codes" in errors[0].getMessage()
    assert f"agent {ANA} refused" in errors[1].getMessage()
    assert "another key" in errors[1].getMessage()
    assert SECRET not in caplog.text
    row = stored_row(engine)
    assert (row["failed_attempts"], bool(row["locked"])) == (0, False)


def test_a_lost_key_file_is_not_replaced_while_sealed_secrets_need_it(
    engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    add_ana(engine, SECRET)
    start(engine, file_box(tmp_path))
    key_file = tmp_path / "data" / "totp.key"
    key_file.unlink()

    box = file_box(tmp_path)
    assert start(engine, box) == 0
    assert "totp.key does not exist" in caplog.text
    with Session(engine) as session, session.begin():
        bruno = add_agent(session, telegram_user_id=7, role="agent", display_name="Bruno", now=NOW)
        assert factor(box).enroll(session, bruno) is None
    assert submit(engine, box, code(SECRET)) == "unavailable"
    assert not key_file.exists()


def test_db_upgrade_widens_the_column_of_a_store_holding_a_plain_secret(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    upgrade(database_url, "0003")
    engine = make_engine(database_url)
    try:
        add_ana(engine, SECRET)
        monkeypatch.chdir(tmp_path)
        for name in [n for n in os.environ if n.startswith("TRIAGEM_")]:
            monkeypatch.delenv(name)
        monkeypatch.setenv("TRIAGEM_STORAGE__URL", database_url)
        assert main(["db", "upgrade"]) == 0
        columns = {c["name"]: c["type"] for c in inspect(engine).get_columns("agents")}
        assert getattr(columns["totp_secret"], "length", None) == 255
        assert stored_row(engine)["totp_secret"] == SECRET
        box = file_box(tmp_path)
        assert start(engine, box) == 1
        assert submit(engine, box, code(SECRET)) == "accepted"
    finally:
        engine.dispose()
