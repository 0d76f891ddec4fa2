"""The message catalog: every code in both languages with the same blanks; the advice warnings."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

from knowledge_base.lint_messages import LANGUAGES, catalog
from knowledge_base.loader import read_knowledge_base
from knowledge_base.reach_checks import advice
from knowledge_base.triage import Triage

from .kb_files import (
    VALID_ARTICLE,
    article_path,
    assert_reported,
    line_of,
    replace_in,
    write_article,
)

SOURCES = Path(__file__).resolve().parents[2] / "knowledge_base"


def _blanks(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_message_exists_in_every_language_with_the_same_blanks() -> None:
    tables = {lang: catalog()[lang]["messages"] for lang in LANGUAGES}
    codes = set(tables["pt"])
    for lang in LANGUAGES:
        assert set(tables[lang]) == codes, lang
        assert set(catalog()[lang]["places"]) == set(catalog()["pt"]["places"])
    for code in codes:
        assert _blanks(tables["pt"][code]) == _blanks(tables["en"][code]), code


def test_every_code_the_linter_uses_has_a_message() -> None:
    used: set[str] = set()
    for path in SOURCES.glob("*.py"):
        source = path.read_text("utf-8")
        for node in ast.walk(ast.parse(source)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("of", "warn")
                and len(node.args) > 2
                and isinstance(node.args[2], ast.Constant)
            ):
                used.add(str(node.args[2].value))
        # Codes chosen from tables (field_errors, syntax_errors).
        used |= set(re.findall(r'"((?:toml|yaml|type|number)_[a-z_]+)"', source))
    assert len(used) > 40
    assert used <= set(catalog()["pt"]["messages"]), used - set(catalog()["pt"]["messages"])


def _advice(root: Path) -> list:  # type: ignore[type-arg]
    kb, problems = read_knowledge_base(root)
    assert problems == []
    return advice(kb, Triage(kb))


def test_the_bundled_and_tiny_bases_need_no_advice(kb_root: Path) -> None:
    assert _advice(SOURCES) == []
    assert _advice(kb_root) == []


def test_article_nothing_leads_to_is_a_warning(kb_root: Path) -> None:
    text = VALID_ARTICLE.format(id="orfao").replace(
        'title: "Artigo de teste orfao"', 'title: "Chamado do SEI"'
    )
    path = write_article(kb_root, "orfao", text)
    found = assert_reported(_advice(kb_root), path, line_of(path, "title:"), "article_unreachable")
    assert found.severity == "warning" and found.text().startswith("aviso: ")


def test_synonym_in_two_articles_is_a_warning_at_the_second(kb_root: Path) -> None:
    path = replace_in(
        article_path(kb_root, "sei-abrir-chamado"), "synonyms: [", 'synonyms: ["Entrar no eproc", '
    )
    found = assert_reported(_advice(kb_root), path, line_of(path, "synonyms:"), "synonym_shared")
    assert "'eproc-login'" in found.text() and found.severity == "warning"


# Summary lines of `kb lint`, checked word for word in tests/test_cli.py.
SUMMARIES = {"problems_found", "lint_ok", "lint_warnings"}


def test_every_problem_message_has_a_test_that_breaks_a_file_for_it() -> None:
    tests = "".join(p.read_text("utf-8") for p in Path(__file__).parent.glob("test_*.py"))
    untested = [
        code
        for code in catalog()["pt"]["messages"]
        if code not in SUMMARIES and f'"{code}"' not in tests
    ]
    assert untested == []
