"""`triagem kb gaps`: the grouped report from the store, as text or JSON; bad --days refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from storage import make_engine, upgrade
from storage.gaps import note_gap
from tests.test_cli import Run, _isolated, run

__all__ = ["_isolated", "run"]
BUNDLED = Path(__file__).resolve().parents[1] / "knowledge_base"


def _store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'triagem.db'}"
    monkeypatch.setenv("TRIAGEM_STORAGE__URL", url)
    engine = make_engine(url)
    upgrade(engine)
    now = datetime.now(UTC)
    with Session(engine) as session, session.begin():
        for days, kind, text, article in (
            (1, "none", "minha impressora nao imprime", None),
            (2, "none", "a impressora do setor não imprime nada", None),
            (3, "not_solved", "como ativo o 2fa no eproc", "eproc-2fa-ativar"),
            (45, "none", "receita de bolo", None),
        ):
            note_gap(
                session,
                kind=kind,
                text=text,
                article_id=article,
                user_id=None,
                now=now - timedelta(days=days),
            )
    engine.dispose()


def test_gaps_report_groups_similar_questions_most_frequent_first(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _store(tmp_path, monkeypatch)
    result = run("kb", "gaps", "--json", kb=BUNDLED)
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["days"] == 30
    assert [(g["count"], g["example"], g["kinds"]) for g in report["groups"]] == [
        (2, "a impressora do setor não imprime nada", {"none": 2}),
        (1, "como ativo o 2fa no eproc", {"not_solved": 1}),
    ]
    assert report["groups"][1]["articles"] == {"eproc-2fa-ativar": 1}

    text = run("kb", "gaps", "--days", "60", kb=BUNDLED)
    assert text.code == 0
    assert text.out.splitlines()[0] == "Lacunas dos últimos 60 dias: 4"
    assert "receita de bolo  (sem rota 1)" in text.out


@pytest.mark.parametrize("days", ["0", "abc", "-1", "99999"])
def test_gaps_refuses_a_bad_days_value_in_one_line(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, days: str
) -> None:
    _store(tmp_path, monkeypatch)
    result = run("kb", "gaps", "--days", days, kb=BUNDLED)
    assert result.code == 2
    assert result.err == "kb gaps: --days must be a whole number from 1 to 3650\n"
