"""Engine factory: a SQLite file in WAL mode by default, PostgreSQL (psycopg 3) by URL.

On SQLite every transaction takes the write lock at BEGIN, so keep transactions short and never
hold one open in a thread while waiting for another session of that same thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import StaticPool

from storage.writer_gate import WriterGate

SQLITE_BUSY_TIMEOUT_MS = 5000


def default_sqlite_url(data_dir: Path | str) -> str:
    """URL of the default embedded database file inside `data_dir`."""
    return f"sqlite:///{Path(data_dir) / 'triagem.db'}"


def normalize_url(url: str) -> URL:
    """Parse a database URL, sending plain `postgresql://` (and `postgres://`) to psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for `url`, configured for the bot's concurrency on SQLite or PostgreSQL."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, echo=echo)
    return create_engine(parsed, echo=echo, pool_pre_ping=True)


def _sqlite_engine(url: URL, *, echo: bool) -> Engine:
    database = url.database or ""
    in_memory = database in ("", ":memory:") or "mode=memory" in database
    options: dict[str, Any] = {}
    if in_memory:
        # Every connection to ":memory:" would otherwise be a different, empty database.
        options["poolclass"] = StaticPool
    elif not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False}, **options)
    event.listen(engine, "connect", _configure_sqlite_connection)
    # Each transaction takes the write lock at BEGIN (BEGIN IMMEDIATE): a deferred transaction
    # that reads and then writes fails at once with SQLITE_BUSY when another writer committed
    # meanwhile; taking the lock up front makes it wait instead, in the gate's queue.
    WriterGate(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000).install(engine)
    return engine


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control away from sqlite3 so SAVEPOINT and transactional DDL behave;
    # see "Enabling Non-Legacy SQLite Transactional Modes" in SQLAlchemy's SQLite docs.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()
