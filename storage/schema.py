"""Schema migrations: upgrade to the latest revision, and refuse to run on an old schema.

Alembic is imported only to migrate: the check at every start reads the revision the database is
at with one query and compares it with the head found in the migration files themselves (their
`revision` and `down_revision` lines), which costs microseconds instead of Alembic's import.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from storage.engine import make_engine
from storage.errors import SchemaOutdated, SchemaUnknown

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"
# Any fixed number: PostgreSQL workers starting together take turns to upgrade.
_UPGRADE_LOCK_KEY = 0x54524941
_REVISION = re.compile(r"^revision(?:\s*:[^=]*)?\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision(?:\s*:[^=]*)?\s*=\s*(.+)$", re.MULTILINE)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")


def alembic_config(url: str | None = None) -> Config:
    """Alembic configuration built in code, so no alembic.ini has to be found on disk."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        # ConfigParser interpolation would read the %-escapes of a URL as its own syntax.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def revisions() -> dict[str, tuple[str, ...]]:
    """Every revision in the migration files, with the revisions it follows."""
    return _revisions_in(MIGRATIONS_DIR)


@cache
def _revisions_in(directory: Path) -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    for path in sorted((directory / "versions").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN.search(source)
        if revision is None or down is None:
            raise RuntimeError(f"{path}: no revision / down_revision line")
        found[revision.group(1)] = tuple(_QUOTED.findall(down.group(1)))
    return found


def head_revision() -> str:
    """The revision the code expects the database to be at."""
    known = revisions()
    followed = {down for downs in known.values() for down in downs}
    heads = sorted(set(known) - followed)
    if len(heads) != 1:
        raise RuntimeError(f"migrations in {MIGRATIONS_DIR} have {len(heads) or 'no'} heads")
    return heads[0]


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; None when it was never migrated."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).all()
    if len(rows) > 1:
        raise SchemaUnknown(f"the database is at several revisions: {[r[0] for r in rows]}")
    return rows[0][0] if rows else None


def schema_status(engine: Engine) -> tuple[str | None, str]:
    """(revision the database is at, or None when empty; revision the code expects)."""
    return current_revision(engine), head_revision()


def upgrade(target: str | Engine, revision: str = "head") -> None:
    """Migrate the database at `target` (a URL or an engine) up to `revision`."""
    from alembic import command

    engine = make_engine(target) if isinstance(target, str) else target
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _UPGRADE_LOCK_KEY}
                )
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        if isinstance(target, str):
            engine.dispose()


def ensure_schema(engine: Engine, *, auto_upgrade: bool) -> None:
    """Make sure the schema is current: upgrade it if allowed, else raise SchemaOutdated."""
    current, head = schema_status(engine)
    if current == head:
        return
    if current is not None and current not in revisions():
        raise SchemaUnknown(
            f"the database is at schema revision {current!r}, which this version of Triagem "
            f"does not know (it expects {head!r}); a newer version has migrated it"
        )
    if not auto_upgrade:
        found = "empty" if current is None else f"at revision {current!r}"
        raise SchemaOutdated(
            f"the database schema is {found} but this version of Triagem needs {head!r}; "
            "run `triagem db upgrade` first (or turn on automatic upgrades)"
        )
    upgrade(engine)
