"""`triagem kb lint|list|show|eval` on the tiny fixture knowledge base and on the bundled one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main
from knowledge_base.version import content_version
from tests.knowledge_base.kb_files import (
    BUNDLED_KB,
    TINY_CASES,
    TINY_KB,
    article_path,
    copy_tiny_kb,
    line_of,
    replace_in,
)

# The ids of ../shared/catalog.md: a contract the knowledge base must keep.
CATALOG_ARTICLES = {
    "eproc-abrir-chamado",
    "eproc-login",
    "eproc-perfis",
    "eproc-2fa-ativar",
    "eproc-2fa-codigo-invalido",
    "eproc-2fa-dispositivo-confiavel",
    "eproc-2fa-desativar",
    "infoeproc",
    "balcao-virtual-acesso",
    "balcao-virtual-horario",
    "sei-abrir-chamado",
    "sei-pontos-focais",
    "suporte-primeiro-acesso",
    "suporte-categorias",
    "suporte-acompanhar",
    "regras-de-negocio",
}
CATALOG_OFFERS = {
    "eproc-1g",
    "eproc-2g",
    "infoeproc-sugestao",
    "sei",
    "suporte-tecnico",
    "balcao-virtual",
}


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


Run = Callable[..., Result]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No ./config.toml and no TRIAGEM_* variables from the developer's shell."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("TRIAGEM_"):
            monkeypatch.delenv(name)


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """Call `triagem ARGS` in-process with the knowledge base at `kb` (default: the tiny one)."""

    def call(*args: str, kb: Path = TINY_KB) -> Result:
        monkeypatch.setenv("TRIAGEM_KNOWLEDGE_BASE__PATH", str(kb))
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return call


def _cases(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# kb lint


def test_lint_of_a_clean_knowledge_base_exits_0(run: Run) -> None:
    result = run("kb", "lint", str(TINY_KB))
    assert result.code == 0
    assert result.out.strip() == (
        f"ok: 3 artigos, 3 ofertas em {TINY_KB} (versão {content_version(TINY_KB)})"
    )


def test_lint_without_path_checks_the_configured_knowledge_base(run: Run) -> None:
    result = run("kb", "lint")
    assert result.code == 0
    assert str(TINY_KB) in result.out


def test_lint_prints_every_problem_and_exits_non_zero(run: Run, tmp_path: Path) -> None:
    root = copy_tiny_kb(tmp_path)
    login = replace_in(article_path(root, "eproc-login"), "system: eproc", "system: pje")
    sei = replace_in(article_path(root, "sei-abrir-chamado"), "offers: [sei]", "offers: [sie]")
    result = run("kb", "lint", str(root))
    assert result.code != 0
    assert result.out.splitlines() == [
        f"{login}:{line_of(login, 'system:')}: sistema desconhecido 'pje': use um de eproc, sei "
        "(ou 'geral')",
        f"{sei}:{line_of(sei, 'offers:')}: oferta desconhecida 'sie': use uma de eproc-1g, "
        "eproc-2g, sei",
        f"2 problema(s) em {root}",
    ]


def test_lint_speaks_the_configured_language(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_tiny_kb(tmp_path)
    login = replace_in(article_path(root, "eproc-login"), "system: eproc", "system: pje")
    monkeypatch.setenv("TRIAGEM_KNOWLEDGE_BASE__LINT_LANGUAGE", "en")
    result = run("kb", "lint", str(root))
    assert result.out.splitlines() == [
        f"{login}:{line_of(login, 'system:')}: unknown system 'pje': use one of eproc, sei "
        "(or 'geral')",
        f"1 problem(s) in {root}",
    ]
    refused = run("kb", "list", kb=root)
    assert f"{login}:{line_of(login, 'system:')}: unknown system 'pje'" in refused.err


def test_lint_prints_advice_as_warnings_and_exits_0(run: Run, tmp_path: Path) -> None:
    root = copy_tiny_kb(tmp_path)
    sei = replace_in(
        article_path(root, "sei-abrir-chamado"), "synonyms: [", 'synonyms: ["entrar no eproc", '
    )
    result = run("kb", "lint", str(root))
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].startswith(f"{sei}:{line_of(sei, 'synonyms:')}: aviso: o sinônimo")
    assert lines[1:] == [
        "1 aviso(s): a base pode ser usada, mas vale olhar",
        f"ok: 3 artigos, 3 ofertas em {root} (versão {content_version(root)})",
    ]


def test_lint_command_line_exits_non_zero_without_traceback(tmp_path: Path) -> None:
    root = copy_tiny_kb(tmp_path)
    path = replace_in(article_path(root, "eproc-login"), "id: eproc-login", "id: Eproc-Login")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "kb", "lint", str(root)],
        cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if not k.startswith("TRIAGEM_")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert f"{path}:{line_of(path, 'id:')}: id inválido 'Eproc-Login'" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_commands_refuse_an_invalid_knowledge_base_and_say_why(run: Run, tmp_path: Path) -> None:
    root = copy_tiny_kb(tmp_path)
    path = replace_in(article_path(root, "eproc-login"), "system: eproc", "system: pje")
    result = run("kb", "list", kb=root)
    assert result.code != 0
    assert result.out == ""
    assert f"{path}:{line_of(path, 'system:')}: sistema desconhecido 'pje'" in result.err
    assert "invalid knowledge base" in result.err


# kb list


def test_list_shows_id_kind_and_title(run: Run) -> None:
    result = run("kb", "list")
    assert result.code == 0
    rows = [line.split(None, 2) for line in result.out.splitlines()]
    assert [r[0] for r in rows] == [
        "eproc-2fa-codigo-invalido",
        "eproc-login",
        "sei-abrir-chamado",
        "eproc-1g",
        "eproc-2g",
        "sei",
    ]
    assert rows[1] == ["eproc-login", "article", "Como acessar o eproc com usuário e senha"]
    assert rows[5] == ["sei", "offer", "Helpdesk do SEI"]


def test_list_json_has_id_kind_title_for_everything(run: Run) -> None:
    rows = json.loads(run("kb", "list", "--json").out)
    assert {(r["id"], r["kind"]) for r in rows} == {
        ("eproc-login", "article"),
        ("eproc-2fa-codigo-invalido", "article"),
        ("sei-abrir-chamado", "article"),
        ("eproc-1g", "offer"),
        ("eproc-2g", "offer"),
        ("sei", "offer"),
    }
    assert all(r["title"] for r in rows)


def test_list_json_of_the_bundled_kb_has_every_catalog_id(run: Run) -> None:
    result = run("kb", "list", "--json", kb=BUNDLED_KB)
    assert result.code == 0, result.err
    rows = json.loads(result.out)
    articles = {r["id"] for r in rows if r["kind"] == "article"}
    offers = {r["id"] for r in rows if r["kind"] == "offer"}
    assert (len(CATALOG_ARTICLES), len(CATALOG_OFFERS)) == (16, 6)
    assert articles >= CATALOG_ARTICLES
    assert offers >= CATALOG_OFFERS


# kb show


def test_show_html_prints_the_rendered_article(run: Run) -> None:
    result = run("kb", "show", "eproc-login", "--html")
    assert result.code == 0
    assert result.out.startswith("<b>Como acessar o eproc com usuário e senha</b>\n\n")
    assert "<b>Com usuário e senha</b>" in result.out
    assert "• A senha diferencia." in result.out
    assert "**" not in result.out and "artigo:" not in result.out


def test_show_separates_the_parts_of_a_split_article(run: Run, tmp_path: Path) -> None:
    root = copy_tiny_kb(tmp_path)
    replace_in(
        article_path(root, "eproc-login"), "## Com usuário", "<!-- parte -->\n## Com usuário"
    )
    result = run("kb", "show", "eproc-login", "--html", kb=root)
    first, second, *_ = result.out.split("\n" + "─" * 40 + "\n")
    assert first.endswith("sem instalar nada.")
    assert second.startswith("<b>Com usuário e senha</b>")


def test_show_of_a_bundled_article(run: Run) -> None:
    result = run("kb", "show", "eproc-2fa-codigo-invalido", "--html", kb=BUNDLED_KB)
    assert result.code == 0, result.err
    assert result.out.startswith("<b>")
    assert "Código de autenticação" in result.out


def test_show_of_an_unknown_id_is_one_line_and_exit_2(run: Run) -> None:
    result = run("kb", "show", "nao-existe")
    assert result.code == 2
    assert result.out == ""
    assert len(result.err.splitlines()) == 1
    assert "nao-existe" in result.err


# kb eval


def test_eval_text_report_has_the_figures(run: Run) -> None:
    result = run("kb", "eval", str(TINY_CASES))
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert "cases: 8" in lines
    assert "decision accuracy: 1.000" in lines
    assert "category accuracy: 1.000 (3 cases)" in lines
    assert "recall per expected kind:" in lines
    assert "  clarify  1.000" in lines
    assert "  offer    -> offer    3" in lines
    assert "misses: 0" in lines


def test_eval_json_has_every_figure(run: Run) -> None:
    result = run("kb", "eval", str(TINY_CASES), "--json")
    report = json.loads(result.out)
    assert report["cases"] == 8
    assert report["decision_accuracy"] == 1.0
    assert report["category_accuracy"] == 1.0
    assert report["misses"] == []
    assert report["recall"] == {"article": 1.0, "clarify": 1.0, "none": 1.0, "offer": 1.0}
    assert {(c["expected"], c["got"], c["count"]) for c in report["confusion"]} == {
        ("article", "article", 2),
        ("clarify", "clarify", 2),
        ("none", "none", 1),
        ("offer", "offer", 3),
    }


def test_eval_accepts_list_valued_expect_and_category(run: Run, tmp_path: Path) -> None:
    cases = _cases(
        tmp_path,
        '{"text": "quero abrir chamado no sei", "expect": ["article:eproc-login", "offer:sei"]}',
        '{"text": "sou do 2º grau e a redistribuição deu erro no eproc", '
        '"expect": ["offer:eproc-2g"], "category": ["acesso", "tramitacao"]}',
    )
    report = json.loads(run("kb", "eval", str(cases), "--json").out)
    assert (report["cases"], report["decision_accuracy"], report["category_accuracy"]) == (2, 1, 1)


def test_eval_reports_every_miss_with_expected_got_and_top(run: Run, tmp_path: Path) -> None:
    cases = _cases(
        tmp_path,
        '{"text": "como entro no eproc com usuário e senha?", "expect": "article:eproc-login"}',
        "",
        '{"text": "como entro no eproc com usuário e senha?", "expect": "offer:sei"}',
        '{"text": "sou do 2º grau e a redistribuição deu erro no eproc", '
        '"expect": "offer:eproc-2g", "category": "acesso"}',
    )
    report = json.loads(run("kb", "eval", str(cases), "--json").out)
    assert report["cases"] == 3
    assert report["decision_accuracy"] == round(2 / 3, 4)
    assert report["category_accuracy"] == 0.0
    assert report["recall"] == {"article": 1.0, "offer": 0.5}
    wrong, category = report["misses"]
    assert wrong["line"] == 3
    assert wrong["expected"] == ["offer:sei"]
    assert wrong["got"] == "article:eproc-login"
    assert wrong["top"][0] == {"label": "article:eproc-login", "score": wrong["top"][0]["score"]}
    assert category["got"] == "offer:eproc-2g"
    assert (category["expected_category"], category["got_category"]) == (["acesso"], "tramitacao")
    text = run("kb", "eval", str(cases)).out
    assert "misses: 2" in text
    assert "expected offer:sei" in text and "got      article:eproc-login" in text
    assert "top      article:eproc-login=" in text


@pytest.mark.parametrize(
    "bad",
    [
        "not json",
        '{"text": "sem expect"}',
        '{"expect": "none"}',
        '{"text": "x", "expect": []}',
        '{"text": "x", "expect": 5}',
        '{"text": 5, "expect": "none"}',
        '{"text": "x", "expect": "none", "category": 7}',
        '["text", "expect"]',
        '"só texto"',
    ],
)
def test_eval_of_a_malformed_case_is_one_line_naming_file_and_line(
    run: Run, tmp_path: Path, bad: str
) -> None:
    cases = _cases(tmp_path, '{"text": "oi", "expect": "none"}', "", bad)
    result = run("kb", "eval", str(cases))
    assert result.code == 2
    assert result.out == ""
    assert len(result.err.splitlines()) == 1
    assert result.err.startswith(f"{cases}:3: ")


def test_eval_of_a_missing_file_is_one_line_and_exit_2(run: Run, tmp_path: Path) -> None:
    result = run("kb", "eval", str(tmp_path / "nada.jsonl"))
    assert result.code == 2
    assert len(result.err.splitlines()) == 1
    assert "nada.jsonl" in result.err


def test_eval_command_line_prints_json(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGEM_")}
    env["TRIAGEM_KNOWLEDGE_BASE__PATH"] = str(TINY_KB)
    done = subprocess.run(
        [sys.executable, "-m", "bot", "kb", "eval", str(TINY_CASES), "--json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["cases"] == 8


# db purge


def _store_with_old_and_new_rows(run: Run, url: str) -> None:
    """Migrate the store, then add an old and a recent processed update and sent call each."""
    from datetime import UTC, datetime, timedelta

    from sqlmodel import Session, select

    from storage import InboxUpdate, enqueue, finish_update, make_engine, mark_sent, record_update

    assert run("db", "upgrade").code == 0
    now = datetime.now(UTC)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        for update_id, age in ((1, 40), (2, 10), (3, 1)):
            when = now - timedelta(days=age)
            record_update(session, update_id=update_id, chat_id=7, payload={}, now=when)
            row = session.exec(select(InboxUpdate).where(InboxUpdate.update_id == update_id)).one()
            finish_update(session, update=row, now=when)
            call = enqueue(session, chat_id=7, method="sendMessage", params={}, now=when)
            mark_sent(session, message=call, telegram_message_id=update_id, now=when)
    engine.dispose()


def test_db_purge_deletes_what_is_older_than_the_configured_retention(
    run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'triagem.db'}"
    monkeypatch.setenv("TRIAGEM_STORAGE__URL", url)
    monkeypatch.setenv("TRIAGEM_STORAGE__RETENTION_DAYS", "30")
    _store_with_old_and_new_rows(run, url)

    result = run("db", "purge")

    assert result.code == 0, result.err
    assert result.out == "purged 1 inbox updates and 1 outbox calls older than 30 days\n"
    assert result.err == ""


def test_db_purge_days_overrides_the_retention(
    run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'triagem.db'}"
    monkeypatch.setenv("TRIAGEM_STORAGE__URL", url)
    _store_with_old_and_new_rows(run, url)

    result = run("db", "purge", "--days", "5")

    # The newest update (3) stays even when old enough: polling resumes after it.
    assert result.out == "purged 2 inbox updates and 2 outbox calls older than 5 days\n"
    assert run("db", "purge", "--days", "5").out.startswith("purged 0 inbox updates and 0 outbox")


@pytest.mark.parametrize("days", ["abc", "0", "-3", "1.5", "99999999"])
def test_db_purge_refuses_a_bad_days_value_in_one_line(
    run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, days: str
) -> None:
    monkeypatch.setenv("TRIAGEM_STORAGE__URL", f"sqlite:///{tmp_path / 'triagem.db'}")

    result = run("db", "purge", "--days", days)

    assert result.code == 2
    assert result.out == ""
    assert result.err.count("\n") == 1
    assert "--days" in result.err and repr(days) in result.err
    assert not (tmp_path / "triagem.db").exists()


# kb try, kb show of an offer, kb eval --diff (the commands' wiring; output in
# tests/knowledge_base/test_kb_tools.py)


def test_try_prints_the_decision_first(run: Run) -> None:
    result = run("kb", "try", "quero abrir chamado no sei")
    assert result.code == 0, result.err
    assert result.out.splitlines()[0] in (
        "decision: offer:sei",
        "decision: article:sei-abrir-chamado",
    )
    assert "candidates:" in result.out


def test_show_of_an_offer_lists_its_buttons(run: Run) -> None:
    result = run("kb", "show", "sei")
    assert result.code == 0, result.err
    assert "Vou abrir um chamado em Helpdesk do SEI." in result.out
    assert "  [1] SAMOP" in result.out


def test_eval_diff_compares_the_configured_base_with_base(run: Run, tmp_path: Path) -> None:
    edited = copy_tiny_kb(tmp_path)
    result = run("kb", "eval", str(TINY_CASES), "--diff", str(TINY_KB), kb=edited)
    assert result.code == 0, result.err
    assert result.out.startswith(f"0 of 8 cases decided differently ({TINY_KB} -> {edited})")
