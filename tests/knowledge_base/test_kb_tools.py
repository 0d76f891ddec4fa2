"""`kb show` (articles and offers as the chat shows them), `kb try` (decision, candidates and
deciding words) and `kb eval --diff` (cases decided differently by two versions)."""

from __future__ import annotations

import io
import json
from pathlib import Path

from bot.kb_commands import run_eval_diff
from bot.kb_show import show
from bot.kb_try import try_message

from .kb_files import TINY_CASES, TINY_KB, article_path, copy_tiny_kb, replace_in

RULE = "\n" + "─" * 40 + "\n"


def _show(root: Path, item: str, html: bool = False) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = show(root, item, html, out, err)
    return code, out.getvalue(), err.getvalue()


def test_show_article_is_plain_text_with_its_buttons_listed() -> None:
    code, out, _ = _show(TINY_KB, "eproc-login")
    assert code == 0
    messages = out.rstrip("\n").split(RULE)
    assert messages[0].startswith("Como acessar o eproc com usuário e senha\n\n")
    assert "<b>" not in out and "**" not in out and "artigo:" not in out
    assert "• A senha diferencia." in messages[0]
    assert messages[-1].splitlines() == [
        "Essa orientação resolveu o seu problema?",
        "  [1] ✅ Resolveu",
        "  [2] Não resolveu, falar com o suporte",
        # The article it links to, as a button (issue 10: "Veja também" as buttons).
        "  [3] 📎 Código de autenticação inválido no eproc",
    ]


def test_show_html_is_what_the_bot_sends() -> None:
    _, out, _ = _show(TINY_KB, "eproc-login", html=True)
    assert out.startswith("<b>Como acessar o eproc com usuário e senha</b>\n\n")
    assert "<b>navegador</b>" in out
    assert "  [1] ✅ Resolveu" in out


def test_show_offer_is_the_start_of_its_form_with_buttons() -> None:
    code, out, err = _show(TINY_KB, "sei")
    assert (code, err) == (0, "")
    intro, question = out.rstrip("\n").split(RULE)
    assert intro.startswith("Vou abrir um chamado em Helpdesk do SEI.")
    assert "Órgão vinculado, E-mail" in intro
    lines = question.splitlines()
    assert "Qual é o seu órgão?" in question
    assert "  [1] SAMOP" in lines and "  [2] SEATI" in lines
    assert any("Cancelar" in line for line in lines if line.startswith("  ["))


def test_show_of_an_unknown_id_names_both_kinds() -> None:
    code, out, err = _show(TINY_KB, "nada")
    assert (code, out) == (2, "")
    assert err.strip() == f"no article or offer 'nada' in {TINY_KB} (see `triagem kb list`)"


def test_try_prints_decision_candidates_and_deciding_words() -> None:
    out = io.StringIO()
    assert try_message(TINY_KB, "codgo de autenticasao invalido no eproc", False, out) == 0
    lines = out.getvalue().splitlines()
    assert lines[0] == "decision: article:eproc-2fa-codigo-invalido"
    assert lines[1].startswith("signals:  systems eproc;")
    assert lines[2] == "candidates:"
    assert lines[3].startswith("  1. article:eproc-2fa-codigo-invalido  0.")
    # The misspelt words count as the words they were corrected to.
    assert lines[4].startswith("     words: ")
    assert "invalido" in lines[4] and "autenticacao" in lines[4]


def test_try_json_scores_match_the_ranking_and_words_sum_to_the_evidence() -> None:
    out = io.StringIO()
    try_message(TINY_KB, "sou do 2º grau e a redistribuição deu erro no eproc", True, out)
    data = json.loads(out.getvalue())
    assert (data["decision"], data["category"]) == ("offer:eproc-2g", "tramitacao")
    assert data["signals"]["grau"] == "2" and data["signals"]["systems"] == ["eproc"]
    scores = [c["score"] for c in data["candidates"]]
    assert scores == sorted(scores, reverse=True)
    offer = next(c for c in data["candidates"] if c["label"] == "offer:eproc-2g")
    assert offer["words"] and all(w["weight"] > 0 for w in offer["words"])


def _diff(root: Path, base: Path, cases: Path, as_json: bool = False) -> str:
    out, err = io.StringIO(), io.StringIO()
    assert run_eval_diff(root, base, cases, as_json, out, err) == 0, err.getvalue()
    return out.getvalue()


def test_diff_of_identical_bases_lists_nothing(tmp_path: Path) -> None:
    edited = copy_tiny_kb(tmp_path)
    assert _diff(edited, TINY_KB, TINY_CASES).splitlines() == [
        f"0 of 8 cases decided differently ({TINY_KB} -> {edited}): 0 fixed, 0 broken, 0 changed"
    ]


def test_diff_lists_the_cases_an_edit_changed(tmp_path: Path) -> None:
    edited = copy_tiny_kb(tmp_path)
    # The editor gives the 2FA article the words of the login question: that case moves.
    replace_in(
        article_path(edited, "eproc-2fa-codigo-invalido"),
        'synonyms: ["código de autenticação inválido"',
        'synonyms: ["como entro no eproc com usuário e senha", "código de autenticação inválido"',
    )
    data = json.loads(_diff(edited, TINY_KB, TINY_CASES, as_json=True))
    assert data == {
        "cases": 8,
        "changed": 1,
        "fixed": 0,
        "broken": 1,
        "changes": [
            {
                "line": 1,
                "text": "como entro no eproc com usuário e senha?",
                "expected": ["article:eproc-login"],
                "base": "article:eproc-login",
                "new": "article:eproc-2fa-codigo-invalido",
                "verdict": "broken",
            }
        ],
    }
    assert _diff(edited, TINY_KB, TINY_CASES).splitlines() == [
        f"1 of 8 cases decided differently ({TINY_KB} -> {edited}): 0 fixed, 1 broken, 0 changed",
        "  line 1 [broken]: 'como entro no eproc com usuário e senha?'",
        "    expected article:eproc-login",
        "    base     article:eproc-login",
        "    now      article:eproc-2fa-codigo-invalido",
    ]
    # The other way round, the same case is fixed.
    assert json.loads(_diff(TINY_KB, edited, TINY_CASES, as_json=True))["fixed"] == 1


def test_diff_plays_dialog_cases_and_lists_the_ones_an_edit_changed(tmp_path: Path) -> None:
    cases = tmp_path / "dialogs.jsonl"
    dialog = {"turns": ["oi", "como entro no eproc com usuário e senha?"]}
    cases.write_text(
        json.dumps({**dialog, "expect": "article:eproc-login"}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    edited = copy_tiny_kb(tmp_path / "kb")
    replace_in(
        article_path(edited, "eproc-2fa-codigo-invalido"),
        'synonyms: ["código de autenticação inválido"',
        'synonyms: ["como entro no eproc com usuário e senha", "código de autenticação inválido"',
    )
    data = json.loads(_diff(edited, TINY_KB, cases, as_json=True))
    assert (data["cases"], data["changed"], data["broken"]) == (1, 1, 1)
    change = data["changes"][0]
    assert change["text"] == "oi → como entro no eproc com usuário e senha?"
    assert (change["base"], change["new"]) == (
        "article:eproc-login",
        "article:eproc-2fa-codigo-invalido",
    )
