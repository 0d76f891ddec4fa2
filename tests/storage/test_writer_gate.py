"""SQLite's writer gate: this process's transactions queue in it, and every ending lets it go."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import OperationalError

from storage import make_engine
from storage.writer_gate import gate_of

WAIT = 5.0  # seconds a test waits for another thread at most


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    made = make_engine(f"sqlite:///{tmp_path / 'gate.db'}")
    with made.begin() as connection:
        connection.execute(text("CREATE TABLE notes (body TEXT)"))
    yield made
    made.dispose()


@pytest.fixture
def begins(engine: Engine) -> list[str]:
    """The thread name of each BEGIN IMMEDIATE sent to SQLite, in order."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement == "BEGIN IMMEDIATE":
            seen.append(threading.current_thread().name)

    event.listen(engine, "before_cursor_execute", record)
    return seen


def gate_locked(engine: Engine) -> bool:
    """Whether a transaction of this process holds the writer gate right now."""
    gate = gate_of(engine)
    assert gate is not None
    return gate.locked()


def write_in_thread(engine: Engine, body: str) -> tuple[threading.Thread, threading.Event]:
    done = threading.Event()

    def write() -> None:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO notes VALUES (:body)"), {"body": body})
        done.set()

    thread = threading.Thread(target=write, name=body)
    thread.start()
    return thread, done


def notes(engine: Engine) -> list[str]:
    with engine.begin() as connection:
        return list(connection.execute(text("SELECT body FROM notes ORDER BY rowid")).scalars())


def test_a_second_writer_waits_in_the_gate_not_in_sqlite(engine: Engine, begins: list[str]) -> None:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO notes VALUES ('first')"))
        thread, done = write_in_thread(engine, "second")
        assert not done.wait(0.3)
        # Still in the gate: its BEGIN has not reached SQLite's busy handler.
        assert begins == ["MainThread"]
    thread.join(WAIT)

    assert done.is_set()
    assert begins == ["MainThread", "second"]
    gate = gate_of(engine)
    # The wait is measured from the moment the thread reached the gate, a little after 0.3 s
    # began to run on this thread: only that it waited, and once, is certain.
    assert gate is not None and gate.waits == 1 and gate.longest > 0
    assert notes(engine) == ["first", "second"]


def test_a_rolled_back_transaction_lets_the_gate_go(engine: Engine) -> None:
    with pytest.raises(RuntimeError), engine.begin() as connection:
        connection.execute(text("INSERT INTO notes VALUES ('kept?')"))
        assert gate_locked(engine)
        raise RuntimeError("the caller gives up")

    assert not gate_locked(engine)
    thread, done = write_in_thread(engine, "after")
    thread.join(WAIT)
    assert done.is_set() and notes(engine) == ["after"]


def test_a_begin_that_fails_lets_the_gate_go(engine: Engine, tmp_path: Path) -> None:
    # Another process (here: a connection of its own, outside the gate) holds the write lock.
    other = sqlite3.connect(tmp_path / "gate.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with engine.connect() as connection:
            # Set on the driver's connection: a statement through SQLAlchemy would begin.
            connection.connection.driver_connection.execute("PRAGMA busy_timeout=50")
            with pytest.raises(OperationalError, match="locked"):
                connection.begin()
        assert not gate_locked(engine)
    finally:
        other.rollback()
        other.close()
    assert notes(engine) == []


def test_a_connection_closed_mid_transaction_lets_the_gate_go(engine: Engine) -> None:
    connection = engine.connect()
    transaction = connection.begin()
    connection.execute(text("INSERT INTO notes VALUES ('lost')"))
    assert gate_locked(engine)

    connection.invalidate()  # as when the driver reports the connection broken

    assert not gate_locked(engine)
    transaction.rollback()
    connection.close()
    thread, done = write_in_thread(engine, "next")
    thread.join(WAIT)
    assert done.is_set() and notes(engine) == ["next"]
