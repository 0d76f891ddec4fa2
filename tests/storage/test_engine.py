"""Engines: URL handling, SQLite settings (WAL, foreign keys, waits), and concurrent writers."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.engine import default_sqlite_url, make_engine, normalize_url
from storage.tables import Conversation, Ticket
from storage.tickets import open_ticket

from .conftest import NOW


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://bot:s3nha@db:5432/triagem",
        "postgres://bot:s3nha@db:5432/triagem",
        "postgresql+psycopg://bot:s3nha@db:5432/triagem",
    ],
)
def test_postgresql_urls_use_psycopg_3(url: str) -> None:
    parsed = normalize_url(url)
    assert parsed.drivername == "postgresql+psycopg"
    assert (parsed.username, parsed.password, parsed.host, parsed.database) == (
        "bot",
        "s3nha",
        "db",
        "triagem",
    )


def test_default_url_is_a_file_in_the_data_directory(tmp_path: Path) -> None:
    assert (
        default_sqlite_url(tmp_path / "dados") == f"sqlite:///{tmp_path / 'dados' / 'triagem.db'}"
    )


def test_sqlite_file_gets_its_directory_wal_foreign_keys_and_a_busy_wait(tmp_path: Path) -> None:
    engine = make_engine(default_sqlite_url(tmp_path / "nested" / "dir"))
    try:
        with engine.connect() as connection:
            pragma = {
                name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout")
            }
        assert pragma == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 5000}
        assert (tmp_path / "nested" / "dir" / "triagem.db").exists()
    finally:
        engine.dispose()


def test_in_memory_sqlite_is_one_shared_database() -> None:
    engine = make_engine("sqlite://")
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM t")).scalar() == 0
    finally:
        engine.dispose()


def test_foreign_keys_are_enforced(session: Session) -> None:
    session.add(Conversation(chat_id=1, user_id=404, state="menu", data={}, updated_at=NOW))
    with pytest.raises(IntegrityError):
        session.flush()


def test_savepoint_rollback_keeps_the_outer_transaction(engine: Engine, session: Session) -> None:
    session.add(_ticket("SUP-AAAAAA"))
    session.flush()
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(_ticket("SUP-AAAAAA"))
    session.commit()
    with Session(engine) as fresh:
        assert fresh.exec(select(Ticket.code)).all() == ["SUP-AAAAAA"]


def test_threads_writing_at_once_all_succeed(engine: Engine) -> None:
    errors: list[BaseException] = []

    def open_many(worker: int) -> None:
        try:
            for n in range(15):
                with Session(engine) as session:
                    open_ticket(
                        session,
                        offer_id="sei",
                        code_prefix="SEI",
                        category=None,
                        priority=3,
                        requester_id=None,
                        fields={"worker": worker, "n": n},
                        target_hours=None,
                        now=NOW,
                    )
                    session.commit()
        except BaseException as error:  # collected for the assertion below
            errors.append(error)

    threads = [threading.Thread(target=open_many, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    with Session(engine) as session:
        assert len(session.exec(select(Ticket.id)).all()) == 60


def _ticket(code: str) -> Ticket:
    return Ticket(
        code=code,
        offer_id="x",
        status="novo",
        priority=3,
        fields={},
        created_at=NOW,
        updated_at=NOW,
    )
