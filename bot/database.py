"""Open the configured store, and migrate it: `triagem db upgrade` and the check at start."""

from __future__ import annotations

from typing import TextIO

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.config import Config
from storage import SchemaOutdated, ensure_schema, make_engine, upgrade
from storage.errors import StorageError


class DatabaseUnavailable(Exception):
    """The configured store cannot be used; the message is one line for the operator."""


def open_store(config: Config) -> Engine:
    """An engine for the configured URL, upgraded or checked according to `auto_upgrade`."""
    try:
        engine = make_engine(config.storage.url)
        ensure_schema(engine, auto_upgrade=config.storage.auto_upgrade)
    except SchemaOutdated as exc:
        raise DatabaseUnavailable(f"{exc}; run `triagem db upgrade`") from None
    except (StorageError, SQLAlchemyError, ImportError, OSError, ValueError) as exc:
        # A mistyped URL, a missing driver or an unwritable directory: one line, no traceback.
        raise DatabaseUnavailable(f"storage {config.storage.url}: {_first_line(exc)}") from None
    return engine


def upgrade_database(config: Config, out: TextIO, err: TextIO) -> int:
    """Migrate the configured database to the newest schema."""
    try:
        upgrade(config.storage.url)
    except (StorageError, SQLAlchemyError, ImportError, OSError, ValueError) as exc:
        print(f"storage {config.storage.url}: {_first_line(exc)}", file=err)
        return 1
    print(f"database at {config.storage.url} is up to date", file=out)
    return 0


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
