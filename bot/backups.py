"""`triagem db backup PATH` and `triagem db restore PATH`: whole copies of a SQLite store.

Both go through SQLite's online backup API in one step: the copy is one consistent snapshot,
taken in a read transaction, and with WAL the bot keeps writing meanwhile. PostgreSQL has its
own tools; for it the commands print how to use them.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from sqlalchemy.engine import URL

from bot.config import Config
from storage.engine import normalize_url
from storage.sender_lease import LOCK_SUFFIX, FileLease, sqlite_file

BUSY_MS = 5000


class BackupError(Exception):
    """A backup or restore that cannot be done; the message is one line for the operator."""


def backup(config: Config, target: Path, out: TextIO) -> None:
    """Copy the store to `target` (a new file, or a directory to put a dated file in)."""
    store = _store(config, "backup", target)
    if not store.is_file():
        raise BackupError(f"no database at {store}")
    if target.is_dir():
        target = target / f"triagem-{datetime.now(UTC):%Y%m%d-%H%M%S}.db"
    if target.exists():
        raise BackupError(f"{target} already exists; give a new file name")
    partial = target.with_name(f"{target.name}.partial")
    # The copy holds personal data: readable by the owner only, from its first byte.
    os.close(os.open(partial, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600))
    try:
        with _connected(store) as source, _connected(partial) as copy:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal
            revision = _checked(copy, store)
        partial.replace(target)
    except sqlite3.Error as exc:
        raise BackupError(f"{store}: {exc}") from None
    finally:
        partial.unlink(missing_ok=True)
    size = target.stat().st_size // 1024
    print(f"backed up {store} to {target} ({size} KB, schema {revision})", file=out)
    print(_key_reminder(config), file=out)


def restore(config: Config, source: Path, *, force: bool, out: TextIO) -> None:
    """Replace the store with the backup at `source`; refuses a store in use."""
    store = _store(config, "restore", source)
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    try:
        with _connected(source) as backup_copy:
            revision = _checked(backup_copy, source)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{source}: {exc}") from None
    if store.exists() and not force:
        raise BackupError(f"{store} already holds a store; add --force to replace it")
    store.parent.mkdir(parents=True, exist_ok=True)
    lease = FileLease(Path(f"{store}{LOCK_SUFFIX}"))
    if not lease.acquire():
        raise BackupError(f"a running bot holds {lease.path}; stop it before restoring")
    try:
        with _connected(source) as backup_copy, _connected(store, busy_ms=0) as target:
            backup_copy.backup(target)
    except sqlite3.OperationalError as exc:
        raise BackupError(f"{store} is in use ({exc}); stop the bot before restoring") from None
    except sqlite3.Error as exc:
        raise BackupError(f"{store}: {exc}") from None
    finally:
        lease.release()
    print(f"restored {source} into {store} (schema {revision})", file=out)
    print(_key_reminder(config), file=out)


def _store(config: Config, command: str, path: Path) -> Path:
    url = normalize_url(config.storage.url)
    if url.get_backend_name() == "postgresql":
        raise BackupError(_postgresql_help(url, command, path))
    database = sqlite_file(url)
    if database is None:
        raise BackupError("the store is in memory: there is nothing to back up or restore")
    return Path(database)


@contextlib.contextmanager
def _connected(path: Path, busy_ms: int = BUSY_MS) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(path, timeout=busy_ms / 1000)
    try:
        yield connection
    finally:
        connection.close()


def _checked(connection: sqlite3.Connection, path: Path) -> str:
    """The copy's schema revision, once SQLite finds it sound and it is Triagem's."""
    (verdict,) = connection.execute("PRAGMA quick_check").fetchone()
    if verdict != "ok":
        raise BackupError(f"{path}: damaged ({verdict})")
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        row = None
    if row is None:
        raise BackupError(f"{path}: not a Triagem database (no schema revision)")
    return str(row[0])


def _key_reminder(config: Config) -> str:
    from bot.two_factor.totp_key import key_file_for

    if config.desk.totp_key.get_secret_value():
        where = "TRIAGEM_DESK__TOTP_KEY"
    else:
        where = str(key_file_for(config.storage.url))
    return f"the agents' TOTP key is not in the database: keep {where} safe, apart from it"


def _postgresql_help(url: URL, command: str, path: Path) -> str:
    libpq = url.set(drivername="postgresql").render_as_string(hide_password=True)
    if command == "backup":
        how = f"pg_dump --format=custom --file '{path}' '{libpq}'"
    else:
        how = f"pg_restore --clean --if-exists --no-owner --dbname '{libpq}' '{path}'"
    return f"PostgreSQL stores are copied with its own tools (password in PGPASSWORD): {how}"
