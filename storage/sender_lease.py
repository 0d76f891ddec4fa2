"""The sender lease: at most one outbox sender per store at a time, across processes.

DESIGN.md wants one sender holding Telegram's rate limits. Every `triagem run` process starts a
sender, so they take turns through a lease that the operating system or the database server
drops by itself when its holder dies: a waiting sender then takes over, with nothing to expire.

- PostgreSQL: a session-level advisory lock on a connection of its own, kept open while the
  lease is held; the server releases it when that connection ends (process killed, network
  lost). The key is scoped to the store's schema, so stores sharing a database do not wait on
  each other.
- SQLite file: an exclusive `flock` on `<database>.sender.lock` next to the database file; the
  kernel releases it when the process exits however it exits.
- In-memory SQLite: only this process can see the store, so there is nothing to share.

A lease never blocks: `acquire` answers at once and the caller retries later.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import zlib
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)

# First half of the advisory lock key, "TRSE" (TRiagem SEnder); the second half is the schema's.
ADVISORY_CLASS = 0x54525345
LOCK_SUFFIX = ".sender.lock"
# The server frees the lock once it notices the holder's connection is gone. A killed process
# closes its socket at once; a lost network is only noticed through TCP keepalive, shortened here
# to about 25 s for the lock's session (PostgreSQL ignores these on Unix sockets).
KEEPALIVE = {"tcp_keepalives_idle": 10, "tcp_keepalives_interval": 5, "tcp_keepalives_count": 3}


class SenderLease(Protocol):
    """A lock only one sender holds at a time; none of its calls blocks."""

    @property
    def description(self) -> str:
        """What is locked, for the operator's log."""
        ...

    def acquire(self) -> bool:
        """Take the lease if it is free (True), or say another holder has it (False)."""
        ...

    def alive(self) -> bool:
        """Whether the lease taken is still held (False once lost)."""
        ...

    def release(self) -> None:
        """Give the lease up (nothing happens if it is not held)."""
        ...


def sender_lease(engine: Engine) -> SenderLease:
    """The lease that fits the engine's backend (see the module docstring)."""
    url = engine.url
    if url.get_backend_name() == "postgresql":
        return AdvisoryLease(engine)
    path = sqlite_file(url)
    return ProcessLease() if path is None else FileLease(Path(f"{path}{LOCK_SUFFIX}"))


def sqlite_file(url: URL) -> str | None:
    """The database file of a SQLite URL, or None when the database lives in memory."""
    database = url.database or ""
    if database in ("", ":memory:") or "mode=memory" in database:
        return None
    if database.startswith("file:"):
        return database.removeprefix("file:").split("?", 1)[0]
    return database


class ProcessLease:
    """In-memory SQLite: no other process can reach the store, so the lease is always ours."""

    description = "an in-memory store (no other process can send)"

    def acquire(self) -> bool:
        """Always free."""
        return True

    def alive(self) -> bool:
        """Never lost."""
        return True

    def release(self) -> None:
        """Nothing to give up."""


class FileLease:
    """An exclusive, non-blocking `flock` on a lock file (one SQLite store on one machine).

    `flock` locks belong to an open file, so two leases in one process exclude each other too,
    and the kernel drops the lock when the process exits, even on kill -9.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.description = f"lock file {path}"
        self._fd: int | None = None

    def acquire(self) -> bool:
        """Lock the file unless another open file holds it."""
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return True

    def alive(self) -> bool:
        """A held flock cannot be taken away while the file stays open."""
        return self._fd is not None

    def release(self) -> None:
        """Unlock by closing the file (the lock file itself stays, for the next holder)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)


class AdvisoryLease:
    """A PostgreSQL session-level advisory lock held on a connection outside the engine's pool.

    The connection is detached from the pool so that giving it back can never leave the lock
    held by a pooled connection, and closing it always ends the session (and so the lock).
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.description = "a PostgreSQL advisory lock"
        self._connection: Any = None

    def acquire(self) -> bool:
        """Try the lock on a new connection; keep that connection only if the lock was taken."""
        if self._connection is not None:
            if self.alive():
                return True
            self.release()
        try:
            connection = self.engine.raw_connection()
        except (SQLAlchemyError, self._dbapi_error()) as error:
            log.warning("sender lease: cannot reach the database: %s", error)
            return False
        connection.detach()
        try:
            taken = self._try_lock(connection)
        except self._dbapi_error() as error:
            log.warning("sender lease: cannot take the advisory lock: %s", error)
            taken = False
        finally:
            if self._connection is not connection:
                _close(connection)
        return taken

    def _try_lock(self, connection: Any) -> bool:
        cursor = connection.cursor()
        for setting, value in KEEPALIVE.items():
            cursor.execute("SELECT set_config(%s, %s, false)", (setting, str(value)))
        cursor.execute("SELECT current_schema()")
        schema = str(cursor.fetchone()[0] or "")
        key = schema_key(schema)
        self.description = f"PostgreSQL advisory lock ({ADVISORY_CLASS}, {key}) of schema {schema}"
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", (ADVISORY_CLASS, key))
        taken = bool(cursor.fetchone()[0])
        cursor.close()
        # Session-level locks outlive the transaction: do not sit idle in one.
        connection.commit()
        if taken:
            self._connection = connection
        return taken

    def alive(self) -> bool:
        """Round-trip on the lock's connection: if it still answers, its session holds the lock."""
        connection = self._connection
        if connection is None:
            return False
        try:
            cursor = connection.cursor()
            cursor.execute("SELECT 1")
            cursor.fetchone()
            cursor.close()
            connection.commit()
        except self._dbapi_error():
            return False
        return True

    def release(self) -> None:
        """Close the lock's connection: the server ends the session and frees the lock."""
        connection, self._connection = self._connection, None
        if connection is not None:
            _close(connection)

    def _dbapi_error(self) -> type[Exception]:
        error: type[Exception] = self.engine.dialect.loaded_dbapi.Error
        return error


def schema_key(schema: str) -> int:
    """The advisory lock's second key: the schema name as a signed 32-bit integer."""
    value = zlib.crc32(schema.encode())
    return value - (1 << 32) if value >= 1 << 31 else value


def _close(connection: Any) -> None:
    # A connection whose server is gone can fail to close cleanly; it is gone either way.
    with contextlib.suppress(Exception):
        connection.close()
