"""bot.backups refusals: each a one-line BackupError, nothing written or replaced."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest

from bot.backups import BackupError, backup, restore
from bot.config import Config, load_config
from storage import upgrade


def config_on(url: str) -> Config:
    return load_config(None, {"TRIAGEM_STORAGE__URL": url, "TRIAGEM_CONFIG": ""})


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "triagem.db"
    upgrade(f"sqlite:///{path}")
    return path


def test_a_backup_never_overwrites_a_file(store: Path, tmp_path: Path) -> None:
    target = tmp_path / "old.db"
    target.write_bytes(b"precious")
    with pytest.raises(BackupError, match="already exists; give a new file name"):
        backup(config_on(f"sqlite:///{store}"), target, io.StringIO())
    assert target.read_bytes() == b"precious"
    assert not (tmp_path / "old.db.partial").exists()


def test_a_missing_store_has_no_backup(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="no database at"):
        backup(config_on(f"sqlite:///{tmp_path / 'none.db'}"), tmp_path / "b.db", io.StringIO())
    assert not (tmp_path / "none.db").exists()


def test_an_in_memory_store_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="in memory"):
        backup(config_on("sqlite://"), tmp_path / "b.db", io.StringIO())


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"not a database at all, just text" * 100, "file is not a database"), (None, "no schema")],
)
def test_restore_refuses_what_is_not_a_triagem_backup(
    store: Path, tmp_path: Path, content: bytes | None, message: str
) -> None:
    source = tmp_path / "other.db"
    if content is None:
        with sqlite3.connect(source) as other:
            other.execute("CREATE TABLE t (x)")
    else:
        source.write_bytes(content)
    before = store.read_bytes()
    with pytest.raises(BackupError, match=message):
        restore(config_on(f"sqlite:///{store}"), source, force=True, out=io.StringIO())
    assert store.read_bytes() == before


def test_a_round_trip_keeps_the_rows(store: Path, tmp_path: Path) -> None:
    with sqlite3.connect(store) as live:
        live.execute(
            "INSERT INTO audit_log (actor_name, action, outcome, details, at)"
            " VALUES ('Ana', 'x', 'ok', '{}', '2025-12-01 10:00:00')"
        )
    copy, out = tmp_path / "copy.db", io.StringIO()
    backup(config_on(f"sqlite:///{store}"), copy, out)
    fresh = tmp_path / "fresh" / "data" / "triagem.db"
    restore(config_on(f"sqlite:///{fresh}"), copy, force=False, out=out)
    with sqlite3.connect(fresh) as restored:
        assert restored.execute("SELECT action FROM audit_log").fetchall() == [("x",)]
