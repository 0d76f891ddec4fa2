"""Every article problem is reported as `file:line: message`, pointing at the right line."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge_base.loader import load_knowledge_base
from knowledge_base.problems import KnowledgeBaseError
from knowledge_base.render import SPLIT_MARKER, TELEGRAM_LIMIT

from .kb_files import (
    TINY_KB,
    VALID_ARTICLE,
    article_path,
    assert_reported,
    line_of,
    problems_of,
    replace_in,
    write_article,
)


def test_tiny_knowledge_base_has_no_problems() -> None:
    assert problems_of(TINY_KB) == []


def test_missing_front_matter_is_reported_on_line_1(kb_root: Path) -> None:
    path = write_article(kb_root, "sem-cabecalho", "# Título\n\nSó o corpo.\n")
    problems = problems_of(kb_root)
    assert_reported(problems, path, 1, "fm_missing")
    assert len(problems) == 1


def test_unclosed_front_matter_is_reported_on_line_1(kb_root: Path) -> None:
    path = write_article(kb_root, "aberto", "---\nid: aberto\ntitle: T\nsystem: eproc\n\nCorpo.\n")
    problems = problems_of(kb_root)
    assert_reported(problems, path, 1, "fm_unclosed")
    assert len(problems) == 1


def test_yaml_error_is_reported_on_the_line_of_the_error(kb_root: Path) -> None:
    text = VALID_ARTICLE.format(id="yaml-ruim").replace(
        'title: "Artigo de teste yaml-ruim"', "title: Código: inválido"
    )
    path = write_article(kb_root, "yaml-ruim", text)
    problems = problems_of(kb_root)
    assert_reported(problems, path, line_of(path, "title:"), "yaml_colon", "title: Código")
    assert len(problems) == 1


def test_front_matter_that_is_not_a_mapping_is_reported(kb_root: Path) -> None:
    path = write_article(kb_root, "lista", "---\n- a\n- b\n---\nCorpo.\n")
    assert_reported(problems_of(kb_root), path, 2, "fm_not_mapping")


@pytest.mark.parametrize("key", ["id", "title", "system"])
def test_missing_required_key_is_reported(kb_root: Path, key: str) -> None:
    lines = VALID_ARTICLE.format(id="incompleto").splitlines(keepends=True)
    text = "".join(line for line in lines if not line.startswith(f"{key}:"))
    path = write_article(kb_root, "incompleto", text)
    problems = problems_of(kb_root)
    assert_reported(problems, path, 1, "key_required", f"'{key}'")
    assert len(problems) == 1


@pytest.mark.parametrize("key", ["id", "title", "system"])
def test_blank_required_key_is_reported_on_its_line(kb_root: Path, key: str) -> None:
    lines = VALID_ARTICLE.format(id="vazio").splitlines(keepends=True)
    text = "".join(f'{key}: ""\n' if line.startswith(f"{key}:") else line for line in lines)
    path = write_article(kb_root, "vazio", text)
    assert_reported(problems_of(kb_root), path, line_of(path, f"{key}:"), "key_required")


@pytest.mark.parametrize("bad_id", ["Eproc-Login", "eproc_login", "eproc--login", "-eproc", "ação"])
def test_malformed_id_is_reported_on_the_id_line(kb_root: Path, bad_id: str) -> None:
    text = VALID_ARTICLE.format(id=bad_id)
    path = write_article(kb_root, "id-ruim", text)
    problems = problems_of(kb_root)
    assert_reported(problems, path, line_of(path, "id:"), "id_malformed", f"'{bad_id}'")
    assert len(problems) == 1


def test_id_not_matching_file_name_is_reported_on_the_id_line(kb_root: Path) -> None:
    path = write_article(kb_root, "nome-do-arquivo", VALID_ARTICLE.format(id="outro-nome"))
    problems = problems_of(kb_root)
    assert_reported(problems, path, line_of(path, "id:"), "id_filename", "outro-nome.md")
    assert len(problems) == 1


def test_duplicate_id_is_reported_with_the_first_file(kb_root: Path) -> None:
    # The id must match the file name, so a duplicate also reports that mismatch.
    path = write_article(kb_root, "zz-copia", VALID_ARTICLE.format(id="eproc-login"))
    problems = problems_of(kb_root)
    first = article_path(kb_root, "eproc-login")
    assert_reported(problems, path, line_of(path, "id:"), "id_duplicate", str(first))
    assert_reported(problems, path, line_of(path, "id:"), "id_filename")
    assert len(problems) == 2


def test_duplicate_id_is_reported_on_the_id_line_wherever_it_is(kb_root: Path) -> None:
    text = VALID_ARTICLE.format(id="eproc-login")
    text = text.replace("id: eproc-login\n", "").replace(
        "system: eproc\n", "system: eproc\nid: eproc-login\n"
    )
    path = write_article(kb_root, "zz-copia", text)
    assert line_of(path, "id:") == 4
    assert_reported(problems_of(kb_root), path, 4, "id_duplicate", "'eproc-login'")


def test_unknown_front_matter_key_is_reported_on_its_line(kb_root: Path) -> None:
    text = VALID_ARTICLE.format(id="chave-extra").replace("tags:", "autor: Fulano\ntags:")
    path = write_article(kb_root, "chave-extra", text)
    problems = problems_of(kb_root)
    assert_reported(problems, path, line_of(path, "autor:"), "key_unknown", "'autor'")
    assert len(problems) == 1


@pytest.mark.parametrize("value", ['"ontem"', '"31/01/2025"', "2025"])
def test_updated_that_is_not_a_date_is_reported_on_its_line(kb_root: Path, value: str) -> None:
    text = VALID_ARTICLE.format(id="data-ruim").replace("updated: 2025-01-31", f"updated: {value}")
    path = write_article(kb_root, "data-ruim", text)
    problems = problems_of(kb_root)
    assert_reported(problems, path, line_of(path, "updated:"), "date_invalid", "AAAA-MM-DD")
    assert len(problems) == 1


def test_impossible_updated_date_is_reported_not_raised(kb_root: Path) -> None:
    text = VALID_ARTICLE.format(id="data-impossivel").replace("2025-01-31", "2025-13-45")
    path = write_article(kb_root, "data-impossivel", text)
    assert_reported(problems_of(kb_root), path, line_of(path, "updated:"), "date_invalid")


def test_list_key_that_is_not_a_list_is_reported_on_its_line(kb_root: Path) -> None:
    text = VALID_ARTICLE.format(id="tags-ruins").replace('tags: ["teste"]', "tags: {a: 1}")
    path = write_article(kb_root, "tags-ruins", text)
    assert_reported(problems_of(kb_root), path, line_of(path, "tags:"), "list_expected", "tags")


@pytest.mark.parametrize("body", ["", "\n\n", "   \n\t\n"])
def test_empty_body_is_reported_after_the_front_matter(kb_root: Path, body: str) -> None:
    head = VALID_ARTICLE.format(id="sem-corpo").split("Corpo")[0]
    path = write_article(kb_root, "sem-corpo", head + body)
    problems = problems_of(kb_root)
    closing = line_of(path, "---", occurrence=2)
    assert len(problems) == 1
    assert problems[0].path == path and problems[0].code == "body_empty"
    assert problems[0].line > closing


def test_unknown_offer_is_reported_on_the_offers_line(kb_root: Path) -> None:
    path = replace_in(
        article_path(kb_root, "eproc-login"), "offers: [eproc-1g, eproc-2g]", "offers: [eproc-3g]"
    )
    problems = problems_of(kb_root)
    assert_reported(problems, path, line_of(path, "offers:"), "offer_unknown", "'eproc-3g'")
    assert len(problems) == 1


def test_unknown_system_is_reported_on_the_system_line(kb_root: Path) -> None:
    path = replace_in(article_path(kb_root, "sei-abrir-chamado"), "system: sei", "system: pje")
    problems = problems_of(kb_root)
    assert_reported(problems, path, line_of(path, "system:"), "system_unknown", "'pje'")
    assert len(problems) == 1


def test_general_system_is_accepted(kb_root: Path) -> None:
    replace_in(article_path(kb_root, "sei-abrir-chamado"), "system: sei", "system: geral")
    assert problems_of(kb_root) == []


def test_broken_article_link_is_reported_on_the_link_line(kb_root: Path) -> None:
    path = replace_in(
        article_path(kb_root, "eproc-login"),
        "(artigo:eproc-2fa-codigo-invalido)",
        "(artigo:eproc-2fa-sumiu)",
    )
    problems = problems_of(kb_root)
    assert_reported(
        problems, path, line_of(path, "artigo:eproc-2fa-sumiu"), "link_broken", "'eproc-2fa-sumiu'"
    )
    assert len(problems) == 1


def test_links_to_web_pages_are_not_checked_as_articles(kb_root: Path) -> None:
    append_line = "\nVeja o [portal](https://example.org/ajuda).\n"
    path = article_path(kb_root, "eproc-login")
    path.write_text(path.read_text(encoding="utf-8") + append_line, encoding="utf-8")
    assert problems_of(kb_root) == []


def test_link_line_is_right_after_a_whitespace_only_line(kb_root: Path) -> None:
    text = VALID_ARTICLE.format(id="espacos").replace(
        "Corpo do artigo de teste.\n", "   \nPrimeira linha.\nVeja [x](artigo:nao-existe).\n"
    )
    path = write_article(kb_root, "espacos", text)
    assert_reported(problems_of(kb_root), path, line_of(path, "artigo:nao-existe"), "link_broken")


def _long_body(paragraphs: int) -> str:
    line = "Texto de exemplo com **negrito** e uma frase comprida para ocupar espaço na mensagem."
    return "\n\n".join(f"{line} ({n})" for n in range(paragraphs))


def test_article_over_the_telegram_limit_is_reported_at_the_body(kb_root: Path) -> None:
    head = VALID_ARTICLE.format(id="longo").split("Corpo")[0]
    path = write_article(kb_root, "longo", head + _long_body(60) + "\n")
    problems = problems_of(kb_root)
    body_line = line_of(path, "(0)")
    assert_reported(problems, path, body_line, "part_too_long", str(TELEGRAM_LIMIT))
    assert SPLIT_MARKER in problems[0].text()
    assert len(problems) == 1


def test_long_article_with_a_split_marker_is_accepted(kb_root: Path) -> None:
    head = VALID_ARTICLE.format(id="longo").split("Corpo")[0]
    body = f"{_long_body(30)}\n\n{SPLIT_MARKER}\n\n{_long_body(30)}\n"
    write_article(kb_root, "longo", head + body)
    assert problems_of(kb_root) == []


def test_each_part_must_fit_even_with_a_split_marker(kb_root: Path) -> None:
    head = VALID_ARTICLE.format(id="longo").split("Corpo")[0]
    body = f"{_long_body(5)}\n\n{SPLIT_MARKER}\n\n{_long_body(60)}\n"
    write_article(kb_root, "longo", head + body)
    problems = problems_of(kb_root)
    assert len(problems) == 1
    assert problems[0].code == "part_too_long" and problems[0].param("number") == "2"


def test_loading_an_invalid_knowledge_base_raises_with_every_problem(kb_root: Path) -> None:
    write_article(kb_root, "sem-cabecalho", "Só o corpo.\n")
    replace_in(article_path(kb_root, "sei-abrir-chamado"), "system: sei", "system: pje")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(kb_root)
    assert len(caught.value.problems) == 2
    assert "and 1 more" in str(caught.value)


def test_missing_articles_directory_is_reported(tmp_path: Path) -> None:
    (tmp_path / "kb").mkdir()
    problems = problems_of(tmp_path / "kb")
    assert_reported(problems, tmp_path / "kb" / "articles", 1, "no_articles")
    assert_reported(problems, tmp_path / "kb" / "offers.toml", 1, "catalog_missing")
