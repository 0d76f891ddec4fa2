"""`triagem agents ...` and `triagem audit export`: one-line messages and exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from bot.cli import main


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("TRIAGEM_CONFIG", "TRIAGEM_STORAGE__URL"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "config.toml"
    path.write_text(f'[storage]\nurl = "sqlite:///{tmp_path / "t.db"}"\n', encoding="utf-8")
    return path


def run(config: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--config", str(config), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_add_list_reset_remove(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        config, capsys, "agents", "add", "42", "--role", "supervisor", "--name", "Sofia"
    )
    assert code == 0 and "42 (Sofia, supervisor) registered" in out
    code, _, err = run(config, capsys, "agents", "add", "42")
    assert code == 1 and err == "agents: 42 is already registered\n"
    run(config, capsys, "agents", "add", "7")
    code, out, _ = run(config, capsys, "agents", "list")
    assert out.splitlines() == [
        "7\tagent\tnot-enrolled\tAgente 7",
        "42\tsupervisor\tnot-enrolled\tSofia",
    ]
    assert run(config, capsys, "agents", "reset", "42")[0] == 0
    code, _, err = run(config, capsys, "agents", "reset", "99")
    assert code == 1 and err == "agents: no agent 99\n"
    assert run(config, capsys, "agents", "remove", "7")[0] == 0
    assert run(config, capsys, "agents", "remove", "7")[0] == 1
    with pytest.raises(SystemExit) as bad_role:
        main(["--config", str(config), "agents", "add", "8", "--role", "chefe"])
    assert bad_role.value.code == 2


def test_audit_export_jsonl_csv_and_since(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(config, capsys, "agents", "add", "42", "--name", "Ana")
    run(config, capsys, "agents", "remove", "42")

    code, out, _ = run(config, capsys, "audit", "export")
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["action"] for r in records] == ["agent_added", "agent_removed"]
    assert records[0]["details"] == {"agent": 42, "role": "agent"}

    code, out, _ = run(config, capsys, "audit", "export", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["action"] for r in rows] == ["agent_added", "agent_removed"]

    assert run(config, capsys, "audit", "export", "--since", "2999-01-01")[1] == ""
    code, _, err = run(config, capsys, "audit", "export", "--since", "ontem")
    assert code == 2 and "expected a date" in err and "\n" not in err.rstrip("\n")
