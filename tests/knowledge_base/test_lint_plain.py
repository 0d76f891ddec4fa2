"""The lint speaks plainly: each message at the line of the mistake, saying what to do, the root
cause first and what only follows from it summed up; one broken file per message."""

from __future__ import annotations

from pathlib import Path

import pytest

from .kb_files import (
    VALID_ARTICLE,
    article_path,
    assert_reported,
    line_of,
    problems_of,
    replace_in,
    write_article,
)


def _offers(root: Path) -> Path:
    return root / "offers.toml"


def _article(root: Path, name: str, body: str) -> Path:
    head = VALID_ARTICLE.format(id=name).split("Corpo")[0]
    return write_article(root, name, head + body)


# --- YAML front matter ---------------------------------------------------------------------


def test_unclosed_quote_is_reported_on_its_line_with_the_line_quoted(kb_root: Path) -> None:
    path = replace_in(
        article_path(kb_root, "eproc-login"),
        'title: "Como acessar o eproc com usuário e senha"',
        'title: "Como acessar o eproc com usuário e senha',
    )
    problems = problems_of(kb_root)
    assert line_of(path, "title:") == 3
    found = assert_reported(problems, path, 3, "yaml_unclosed_quote", '`title: "Como acessar')
    assert "block end" not in found.text("en")
    # The other article's link to this one is not a second, misleading problem.
    assert [p.code for p in problems] == ["yaml_unclosed_quote", "links_follow_unread"]


def test_unclosed_single_quote_is_reported_on_its_line(kb_root: Path) -> None:
    text = VALID_ARTICLE.format(id="aspas").replace('tags: ["teste"]', "tags: 'teste")
    path = write_article(kb_root, "aspas", text)
    assert_reported(problems_of(kb_root), path, line_of(path, "tags:"), "yaml_unclosed_quote", "'")


def test_unclosed_list_is_reported_on_its_line(kb_root: Path) -> None:
    text = VALID_ARTICLE.format(id="lista").replace('tags: ["teste"]', 'tags: ["teste", "dois"')
    path = write_article(kb_root, "lista", text)
    assert_reported(problems_of(kb_root), path, line_of(path, "tags:"), "yaml_unclosed_list")


def test_other_yaml_errors_quote_the_line(kb_root: Path) -> None:
    text = VALID_ARTICLE.format(id="recuo").replace("system: eproc", "\tsystem: eproc")
    path = write_article(kb_root, "recuo", text)
    problems = problems_of(kb_root)
    assert len(problems) == 1 and problems[0].code == "yaml_syntax"
    assert problems[0].path == path and "`" in problems[0].text()


# --- TOML ----------------------------------------------------------------------------------


def test_missing_equals_is_reported_on_its_line(kb_root: Path) -> None:
    path = replace_in(_offers(kb_root), 'name = "Helpdesk do SEI"', 'name "Helpdesk do SEI"')
    found = assert_reported(
        problems_of(kb_root), path, line_of(path, 'name "Helpdesk'), "toml_missing_equals"
    )
    assert '`name "Helpdesk do SEI"`' in found.text()


def test_unclosed_array_is_reported(kb_root: Path) -> None:
    path = replace_in(
        _offers(kb_root),
        'keywords = ["chamado do sei", "problema no sei"]',
        'keywords = ["chamado do sei", "problema no sei"',
    )
    problems = problems_of(kb_root)
    assert [p.code for p in problems] == ["toml_unclosed_array", "refs_follow_catalog"]
    assert problems[0].line == line_of(path, 'keywords = ["chamado do sei"')


def test_bare_word_value_is_reported(kb_root: Path) -> None:
    path = replace_in(_offers(kb_root), "confirm = true", "confirm = sim")
    assert_reported(problems_of(kb_root), path, line_of(path, "confirm = sim"), "toml_bad_value")


def test_repeated_key_is_reported_on_the_repetition(kb_root: Path) -> None:
    path = replace_in(
        _offers(kb_root), 'name = "Helpdesk do SEI"', 'name = "Helpdesk do SEI"\nname = "Outro"'
    )
    assert_reported(problems_of(kb_root), path, line_of(path, 'name = "Outro"'), "toml_duplicate")


def test_unclosed_table_header_is_reported_on_its_line(kb_root: Path) -> None:
    path = replace_in(
        _offers(kb_root),
        '[[offers.fields.choices]]\nid = "seati"',
        '[[offers.fields.choices]\nid = "seati"',
    )
    problems = problems_of(kb_root)
    assert [p.code for p in problems] == ["toml_table_header", "refs_follow_catalog"]
    assert_reported(
        problems, path, _line_exact(path, "[[offers.fields.choices]"), "toml_table_header"
    )


def test_other_toml_errors_quote_the_line(kb_root: Path) -> None:
    path = replace_in(_offers(kb_root), "confirm = true", 'confirm = true label = "x"')
    found = assert_reported(
        problems_of(kb_root), path, line_of(path, "confirm = true label"), "toml_syntax"
    )
    assert '`confirm = true label = "x"`' in found.text()


def _line_exact(path: Path, row: str) -> int:
    rows = path.read_text(encoding="utf-8").splitlines()
    return rows.index(row) + 1


# --- bodies -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "code", "fragment"),
    [
        ("Clique em <b>Entrar</b> agora.", "html_raw", "<b>"),
        ('Veja <a href="https://x.org">aqui</a>.', "html_raw", "<a href"),
        ("Clique em **Entrar e pronto.", "md_bold_open", "'**'"),
        ("O usuário *não diferencia.", "md_italic_open", "'*'"),
        ("Veja [o portal](https://example.org/ajuda e pronto.", "md_link_open", "[o portal]"),
        ("Veja [isto](javascript:alert(1)).", "link_scheme", "'javascript:alert(1'"),
        ("Escreva para [nós](mailto:a@b.org).", "link_scheme", "mailto:"),
    ],
)
def test_body_problems_are_reported_on_their_line(
    kb_root: Path, row: str, code: str, fragment: str
) -> None:
    path = _article(kb_root, "corpo", f"Primeira linha.\n\n{row}\n\nÚltima linha.\n")
    problems = problems_of(kb_root)
    assert_reported(problems, path, line_of(path, row), code, fragment)
    assert len(problems) == 1


def test_allowed_links_bullets_and_split_marker_pass(kb_root: Path) -> None:
    body = (
        "Ligue [0800](tel:08008836216) ou veja [o portal](https://x.org) e "
        "[o login](artigo:eproc-login).\n\n* um item\n* outro com **negrito** e *itálico*\n\n"
        "<!-- parte -->\n\nSegunda parte.\n"
    )
    _article(kb_root, "bom", body)
    assert problems_of(kb_root) == []


# --- root cause first ---------------------------------------------------------------------


def test_links_to_an_unread_article_are_summed_up_at_the_cause(kb_root: Path) -> None:
    target = replace_in(
        article_path(kb_root, "eproc-2fa-codigo-invalido"), 'inválido no eproc"', "inválido"
    )
    for name in ("um", "dois"):
        _article(kb_root, name, "Veja [o código](artigo:eproc-2fa-codigo-invalido).\n")
    problems = problems_of(kb_root)
    assert [p.code for p in problems] == ["yaml_unclosed_quote", "links_follow_unread"]
    summary = assert_reported(problems, target, line_of(target, "title:"), "links_follow_unread")
    assert summary.text().startswith("3 link(s) quebrado(s)")


def test_unparsable_catalog_reports_one_cause_not_every_reference(kb_root: Path) -> None:
    path = replace_in(_offers(kb_root), 'name = "Helpdesk do SEI"', 'name = "Helpdesk do SEI')
    problems = problems_of(kb_root)
    assert [p.code for p in problems] == ["toml_unclosed_string", "refs_follow_catalog"]
    assert problems[1].path == path and problems[1].line == problems[0].line


def test_root_causes_come_first(kb_root: Path) -> None:
    replace_in(article_path(kb_root, "eproc-login"), "system: eproc", "system: pje")
    broken = write_article(kb_root, "zz-quebrado", "sem cabeçalho\n")
    problems = problems_of(kb_root)
    assert problems[0].path == broken and problems[0].code == "fm_missing"
    assert problems[1].code == "system_unknown"


def test_unreadable_file_is_reported(kb_root: Path) -> None:
    path = article_path(kb_root, "latin1")
    path.write_bytes(VALID_ARTICLE.format(id="latin1").encode("utf-8") + b"\xe9\xff\n")
    assert_reported(problems_of(kb_root), path, 1, "file_unreadable", "UTF-8")


def test_missing_folder_is_reported(tmp_path: Path) -> None:
    assert_reported(problems_of(tmp_path / "nada"), tmp_path / "nada", 1, "kb_dir_missing")
