"""Schema migrations: upgrade to the latest revision, and refuse to run on an old schema."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine, text

from storage.engine import make_engine
from storage.errors import SchemaOutdated, SchemaUnknown

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Any fixed number: PostgreSQL workers starting together take turns to upgrade.
_UPGRADE_LOCK_KEY = 0x54524941


def alembic_config(url: str | None = None) -> Config:
    """Alembic configuration built in code, so no alembic.ini has to be found on disk."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        # ConfigParser interpolation would read the %-escapes of a URL as its own syntax.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str:
    """The revision the code expects the database to be at."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations found in {MIGRATIONS_DIR}")
    return head


def schema_status(engine: Engine) -> tuple[str | None, str]:
    """(revision the database is at, or None when empty; revision the code expects)."""
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current, head_revision()


def upgrade(target: str | Engine, revision: str = "head") -> None:
    """Migrate the database at `target` (a URL or an engine) up to `revision`."""
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
    if current is not None and not _known_revision(current):
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


def _known_revision(revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False
