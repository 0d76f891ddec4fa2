"""Migrations: upgrade from empty to the models' exact schema; refuse to run on an old one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlmodel import SQLModel

import storage.schema
from storage.errors import SchemaOutdated, SchemaUnknown
from storage.schema import alembic_config, ensure_schema, head_revision, schema_status, upgrade

TABLES = {
    "users",
    "knowledge_gaps",
    "web_sessions",
    "conversations",
    "tickets",
    "ticket_events",
    "attachments",
    "ratings",
    "inbox_updates",
    "outbox_messages",
    "agents",
    "audit_log",
    "message_links",
    "timers",
    "queue_entries",
    "attendance_ratings",
}

EXTRA_REVISION = '''"""Add tickets.extra (test only)."""

import sqlalchemy as sa
from alembic import op

revision = "0099"
down_revision = "0007_supervision"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tickets", sa.Column("extra", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("extra")
'''


def schema_diffs(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, SQLModel.metadata))


def test_upgrade_from_empty_creates_every_table_at_head(
    database_url: str, empty_engine: Engine
) -> None:
    assert schema_status(empty_engine) == (None, head_revision())
    upgrade(database_url)
    assert schema_status(empty_engine) == (head_revision(), head_revision())
    assert set(inspect(empty_engine).get_table_names()) == TABLES | {"alembic_version"}


def test_migrated_schema_is_exactly_the_models_schema(
    database_url: str, empty_engine: Engine
) -> None:
    assert schema_diffs(empty_engine), "the comparison must see an empty database as different"
    upgrade(database_url)
    assert schema_diffs(empty_engine) == []


def test_migration_creates_the_queue_index(database_url: str, empty_engine: Engine) -> None:
    upgrade(database_url)
    indexes = {
        ix["name"]: ix["column_names"] for ix in inspect(empty_engine).get_indexes("tickets")
    }
    assert indexes["ix_tickets_queue"] == ["offer_id", "status", "priority", "created_at", "id"]


def test_upgrading_twice_is_harmless(database_url: str, empty_engine: Engine) -> None:
    upgrade(database_url)
    upgrade(empty_engine)
    assert schema_status(empty_engine)[0] == head_revision()


def test_downgrade_to_base_removes_every_table(database_url: str, empty_engine: Engine) -> None:
    upgrade(database_url)
    with empty_engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert set(inspect(empty_engine).get_table_names()) == {"alembic_version"}


def test_offline_mode_prints_the_sql(database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    command.upgrade(alembic_config(database_url), "head", sql=True)
    assert "CREATE TABLE tickets" in capsys.readouterr().out


def test_empty_database_is_refused_with_the_command_to_run(empty_engine: Engine) -> None:
    with pytest.raises(SchemaOutdated, match=r"empty.*triagem db upgrade"):
        ensure_schema(empty_engine, auto_upgrade=False)
    assert inspect(empty_engine).get_table_names() == []


def test_empty_database_is_upgraded_when_allowed(empty_engine: Engine) -> None:
    ensure_schema(empty_engine, auto_upgrade=True)
    assert schema_status(empty_engine) == (head_revision(), head_revision())


def test_current_database_passes_the_check(database_url: str, empty_engine: Engine) -> None:
    upgrade(database_url)
    ensure_schema(empty_engine, auto_upgrade=False)


def test_older_revision_is_refused_or_upgraded(
    database_url: str, empty_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrations = tmp_path / "migrations"
    shutil.copytree(
        storage.schema.MIGRATIONS_DIR, migrations, ignore=shutil.ignore_patterns("__pycache__")
    )
    (migrations / "versions" / "0099_extra.py").write_text(EXTRA_REVISION)
    upgrade(database_url)  # the real head, 0007_supervision
    monkeypatch.setattr(storage.schema, "MIGRATIONS_DIR", migrations)

    with pytest.raises(SchemaOutdated, match=r"revision '0007_supervision'.*needs '0099'"):
        ensure_schema(empty_engine, auto_upgrade=False)
    ensure_schema(empty_engine, auto_upgrade=True)

    assert schema_status(empty_engine) == ("0099", "0099")
    assert "extra" in {c["name"] for c in inspect(empty_engine).get_columns("tickets")}


def test_revision_from_newer_code_is_refused_even_with_auto_upgrade(
    database_url: str, empty_engine: Engine
) -> None:
    upgrade(database_url)
    with empty_engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(SchemaUnknown, match="'9999'"):
        ensure_schema(empty_engine, auto_upgrade=True)


def test_migration_creates_the_inbox_and_outbox_indexes(
    database_url: str, empty_engine: Engine
) -> None:
    upgrade(database_url)
    inspector = inspect(empty_engine)
    inbox = {ix["name"]: ix["column_names"] for ix in inspector.get_indexes("inbox_updates")}
    assert inbox["ix_inbox_updates_claim"] == ["status", "chat_id", "id"]
    assert [uq["column_names"] for uq in inspector.get_unique_constraints("inbox_updates")] == [
        ["update_id"]
    ]
    outbox = {ix["name"]: ix for ix in inspector.get_indexes("outbox_messages")}
    assert outbox["ix_outbox_messages_due"]["column_names"] == ["status", "not_before", "id"]
    assert outbox["ix_outbox_messages_chat"]["column_names"] == ["chat_id", "id"]
    assert outbox["ix_outbox_messages_ticket"]["column_names"] == ["ticket_id", "kind", "id"]
    dedupe = outbox["uq_outbox_messages_dedupe_key"]
    assert (dedupe["column_names"], bool(dedupe["unique"])) == (["dedupe_key"], True)
    # Unique among pending messages only: sent ones keep their key.
    predicate = dedupe["dialect_options"][f"{empty_engine.dialect.name}_where"]
    assert "pending" in str(predicate)


def test_the_head_read_from_the_files_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config())
    assert head_revision() == scripts.get_current_head()
    assert set(storage.schema.revisions()) == {r.revision for r in scripts.walk_revisions()}


_CHECK_WITHOUT_ALEMBIC = """
import sys
from storage import ensure_schema, make_engine
import bot.cli, bot.app, bot.terminal, bot.telegram.runner
ensure_schema(make_engine(sys.argv[1]), auto_upgrade=False)
print(sorted(m for m in sys.modules if m.split(".")[0] == "alembic"))
"""


@pytest.mark.slow
def test_checking_a_current_schema_does_not_import_alembic(database_url: str) -> None:
    import subprocess
    import sys

    upgrade(database_url)
    done = subprocess.run(
        [sys.executable, "-c", _CHECK_WITHOUT_ALEMBIC, database_url],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "[]", done.stdout
