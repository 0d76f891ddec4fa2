"""`triagem kb eval` on dialog cases: turns played through the real desk on an in-memory store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main

from .kb_files import BUNDLED_KB


def _eval(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: list[str], *flags: str
) -> tuple[int, str]:
    cases = tmp_path / "dialogs.jsonl"
    cases.write_text("\n".join(lines) + "\n", encoding="utf-8")
    capsys.readouterr()
    code = main(["kb", "eval", str(cases), *flags])
    return code, capsys.readouterr().out


@pytest.fixture(autouse=True)
def _bundled(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRIAGEM_KNOWLEDGE_BASE__PATH", str(BUNDLED_KB))


def test_dialogs_are_scored_after_the_last_turn_with_the_bots_replies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        # The grau is asked, then answered: the eproc 2º grau form has started.
        '{"turns": ["a redistribuição do processo deu erro no eproc", "2º grau"], '
        '"expect": "offer:eproc-2g", "category": "tramitacao"}',
        # Scored on the last turn only: the first turn asked the grau, which is not expected.
        '{"turns": ["a redistribuição do processo deu erro no eproc"], "expect": "offer:eproc-1g"}',
        '{"text": "o eproc diz código inválido", "expect": "article:eproc-2fa-codigo-invalido"}',
    ]
    code, out = _eval(tmp_path, capsys, lines, "--json")
    report = json.loads(out)
    assert code == 0
    assert report["cases"] == 1 and report["decision_accuracy"] == 1.0
    assert report["dialogs"] == 2
    assert report["dialog_accuracy"] == 0.5
    assert report["never_violations"] == 0
    (miss,) = report["dialog_misses"]
    assert miss["line"] == 2
    assert miss["got"] == "clarify:grau"
    (turn,) = miss["turns"]
    assert turn["user"] == "a redistribuição do processo deu erro no eproc"
    assert any("grau" in reply for reply in turn["bot"])


def test_a_never_label_at_any_turn_fails_the_dialog(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The first turn asks the grau: forbidden here, even though the last turn is right.
    lines = [
        '{"turns": ["a redistribuição do processo deu erro no eproc", "2º grau"], '
        '"expect": "offer:eproc-2g", "never": ["clarify:grau"]}',
    ]
    _, out = _eval(tmp_path, capsys, lines, "--json")
    report = json.loads(out)
    assert report["dialog_accuracy"] == 0.0
    assert report["never_violations"] == 1
    assert report["dialog_misses"][0]["never_broken"] == ["clarify:grau"]
    _, text = _eval(tmp_path, capsys, lines)
    assert "dialog accuracy: 0.000" in text
    assert "never broken: clarify:grau" in text


def test_a_malformed_dialog_names_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = tmp_path / "dialogs.jsonl"
    cases.write_text('{"turns": [], "expect": "none"}\n', encoding="utf-8")
    assert main(["kb", "eval", str(cases)]) == 2
    assert f"{cases}:1:" in capsys.readouterr().err


def test_a_change_of_course_counts_as_the_decision_it_proposes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        '{"turns": ["o SEI não mostra o processo que me mandaram", '
        '"esquece, na verdade o problema é no eproc, erro na publicação"], '
        '"expect": "clarify:grau", "category": "tramitacao"}',
        # The portal's category cannot be told: the form's category question is the clarify.
        '{"turns": ["a ferramenta de solicitação de serviços está com problema ao enviar o '
        'formulário"], "expect": "clarify:categoria"}',
    ]
    _, out = _eval(tmp_path, capsys, lines, "--json")
    report = json.loads(out)
    assert report["dialog_accuracy"] == 1.0, report["dialog_misses"]


def test_a_file_of_dialogs_only_reports_them_as_its_cases(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        '{"turns": ["a redistribuição do processo deu erro no eproc", "2º grau"], '
        '"expect": "offer:eproc-2g", "category": "tramitacao"}',
    ]
    _, out = _eval(tmp_path, capsys, lines, "--json")
    report = json.loads(out)
    assert (report["cases"], report["dialogs"]) == (1, 1)
    assert report["decision_accuracy"] == report["dialog_accuracy"] == 1.0
    assert report["category_accuracy"] == 1.0
