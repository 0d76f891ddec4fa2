"""Problems of offers.toml and language.toml are reported as `file:line: message`."""

from __future__ import annotations

from pathlib import Path

from knowledge_base.loader import read_knowledge_base

from .kb_files import append_to, assert_reported, line_of, problems_of, replace_in

SEI_OFFER = """
[[offers]]
id = "sei"
name = "Outro helpdesk do SEI"
system = "sei"
kind = "suporte"
code_prefix = "SEX"
purpose = "Repetido de propósito."
"""


def _offers(root: Path) -> Path:
    return root / "offers.toml"


def _language(root: Path) -> Path:
    return root / "language.toml"


def test_tiny_catalog_is_read_whole(kb_root: Path) -> None:
    kb, problems = read_knowledge_base(kb_root)
    assert problems == []
    assert sorted(kb.offers) == ["eproc-1g", "eproc-2g", "sei"]
    assert kb.offers["eproc-2g"].grau == "2"
    assert [c.id for c in kb.offers["eproc-1g"].categories] == ["acesso", "tramitacao"]
    assert [c.id for c in kb.offers["sei"].fields[0].choices] == ["samop", "seati"]
    assert kb.systems["eproc"].offers == ("eproc-1g", "eproc-2g")
    assert kb.offers["sei"].line == line_of(_offers(kb_root), 'id = "sei"')


def test_toml_syntax_error_is_reported_on_its_line(kb_root: Path) -> None:
    path = replace_in(_offers(kb_root), 'name = "Helpdesk do SEI"', 'name = "Helpdesk do SEI')
    problems = problems_of(kb_root)
    assert_reported(
        problems, path, line_of(path, 'name = "Helpdesk do SEI'), "toml_unclosed_string"
    )


def test_unknown_offer_key_is_reported_on_its_line(kb_root: Path) -> None:
    path = replace_in(
        _offers(kb_root), 'name = "Helpdesk do SEI"', 'name = "Helpdesk do SEI"\ncor = "azul"'
    )
    problems = problems_of(kb_root)
    assert_reported(
        problems, path, line_of(path, 'cor = "azul"'), "field_unknown", "'cor' (oferta 'sei')"
    )


def test_one_bad_offer_key_reports_only_that_key(kb_root: Path) -> None:
    replace_in(
        _offers(kb_root), 'name = "Helpdesk do SEI"', 'name = "Helpdesk do SEI"\ncor = "azul"'
    )
    problems = problems_of(kb_root)
    assert len(problems) == 1, problems


def test_unknown_top_level_key_is_reported(kb_root: Path) -> None:
    path = _offers(kb_root)
    path.write_text("versao = 2\n\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    assert_reported(problems_of(kb_root), path, 1, "field_unknown", "'versao'")


def test_missing_required_offer_key_is_reported_at_the_offer(kb_root: Path) -> None:
    path = replace_in(_offers(kb_root), 'code_prefix = "SEI"\n', "")
    problems = problems_of(kb_root)
    assert_reported(
        problems, path, line_of(path, 'id = "sei"'), "field_missing", "'code_prefix' (oferta 'sei')"
    )


def test_wrong_value_type_is_reported_on_its_line(kb_root: Path) -> None:
    path = replace_in(_offers(kb_root), "min_length = 10", 'min_length = "dez"')
    problems = problems_of(kb_root)
    assert_reported(problems, path, line_of(path, 'min_length = "dez"'), "type_int", "'min_length'")


def test_unknown_field_kind_is_reported_at_the_field(kb_root: Path) -> None:
    path = replace_in(_offers(kb_root), 'kind = "email"', 'kind = "telepatia"')
    problems = problems_of(kb_root)
    field_line = line_of(path, 'id = "email"')
    assert_reported(problems, path, field_line, "field_kind_unknown", "'telepatia'")
    assert len(problems) == 1


def test_choice_field_without_choices_is_reported_at_the_offer(kb_root: Path) -> None:
    path = replace_in(_offers(kb_root), 'kind = "email"', 'kind = "choice"')
    problems = problems_of(kb_root)
    assert_reported(
        problems, path, line_of(path, 'id = "sei"'), "choice_without_choices", "campo 'email'"
    )
    assert len(problems) == 1


def test_category_field_without_categories_is_reported_at_the_offer(kb_root: Path) -> None:
    path = replace_in(_offers(kb_root), 'kind = "email"', 'kind = "category"')
    problems = problems_of(kb_root)
    assert_reported(
        problems, path, line_of(path, 'id = "sei"'), "category_field_without_categories"
    )


def test_duplicate_offer_is_reported_once(kb_root: Path) -> None:
    append_to(_offers(kb_root), SEI_OFFER)
    problems = problems_of(kb_root)
    assert len(problems) == 1
    assert problems[0].code == "offer_duplicate" and problems[0].param("value") == "sei"


def test_duplicate_offer_is_reported_on_the_duplicate_line(kb_root: Path) -> None:
    path = append_to(_offers(kb_root), SEI_OFFER)
    duplicate = line_of(path, 'id = "sei"', occurrence=2)
    assert_reported(problems_of(kb_root), path, duplicate, "offer_duplicate", "'sei'")


def test_unknown_redirect_is_reported_at_the_offer(kb_root: Path) -> None:
    path = replace_in(
        _offers(kb_root),
        'keywords = ["chamado do sei", "problema no sei"]',
        'keywords = ["chamado do sei", "problema no sei"]\nsupport_redirect = ["eproc-3g"]',
    )
    problems = problems_of(kb_root)
    assert_reported(problems, path, line_of(path, 'id = "sei"'), "redirect_unknown", "'eproc-3g'")
    assert len(problems) == 1


def test_known_redirect_is_accepted(kb_root: Path) -> None:
    replace_in(
        _offers(kb_root),
        'keywords = ["chamado do sei", "problema no sei"]',
        'keywords = ["chamado do sei"]\nsupport_redirect = ["eproc-1g", "eproc-2g"]',
    )
    assert problems_of(kb_root) == []


def test_offer_of_unknown_system_is_reported_at_the_offer(kb_root: Path) -> None:
    path = replace_in(_offers(kb_root), 'system = "sei"', 'system = "pje"')
    problems = problems_of(kb_root)
    assert_reported(problems, path, line_of(path, 'id = "sei"'), "offer_system_unknown", "'pje'")
    assert len(problems) == 1


def test_system_listing_an_unknown_offer_is_reported(kb_root: Path) -> None:
    replace_in(_offers(kb_root), 'offers = ["sei"]', 'offers = ["sei", "sei-2"]')
    problems = problems_of(kb_root)
    assert len(problems) == 1
    assert problems[0].code == "system_offer_unknown"
    assert "'sei-2'" in problems[0].text() and "sistema 'sei'" in problems[0].text()


def test_system_listing_an_unknown_offer_is_reported_on_its_line(kb_root: Path) -> None:
    path = replace_in(_offers(kb_root), 'offers = ["sei"]', 'offers = ["sei", "sei-2"]')
    assert_reported(
        problems_of(kb_root), path, line_of(path, '"sei-2"'), "system_offer_unknown", "'sei-2'"
    )


def test_missing_offers_file_is_reported(kb_root: Path) -> None:
    _offers(kb_root).unlink()
    assert_reported(problems_of(kb_root), _offers(kb_root), 1, "catalog_missing")


def test_bad_language_pattern_is_reported(kb_root: Path) -> None:
    path = replace_in(_language(kb_root), "'\\bcolegio recursal\\b'", "'(colegio recursal'")
    problems = problems_of(kb_root)
    assert len(problems) == 1
    assert problems[0].path == path and problems[0].code == "language_pattern"
    assert "'(colegio recursal'" in problems[0].text()


def test_bad_language_pattern_is_reported_on_its_line(kb_root: Path) -> None:
    path = replace_in(_language(kb_root), "'\\bcolegio recursal\\b'", "'(colegio recursal'")
    assert_reported(
        problems_of(kb_root), path, line_of(path, "(colegio recursal"), "language_pattern"
    )


def test_unknown_language_key_is_reported(kb_root: Path) -> None:
    path = append_to(_language(kb_root), '\n[girias]\nblz = "beleza"\n')
    problems = problems_of(kb_root)
    assert len(problems) == 1
    assert_reported(problems, path, line_of(path, "[girias]"), "field_unknown", "'girias'")


def test_language_toml_error_is_reported_on_its_line(kb_root: Path) -> None:
    path = replace_in(_language(kb_root), 'tb = "tambem"', 'tá = "esta"')
    assert_reported(
        problems_of(kb_root), path, line_of(path, "tá ="), "toml_key_chars", '`tá = "esta"`'
    )


def test_a_misspelt_key_gets_the_key_it_resembles(kb_root: Path) -> None:
    path = replace_in(
        _offers(kb_root), 'prompt = "Qual é o seu e-mail?"', 'promt = "Qual é o seu e-mail?"'
    )
    found = assert_reported(
        problems_of(kb_root), path, line_of(path, "promt ="), "field_unknown_near"
    )
    assert found.text() == (
        "chave desconhecida 'promt' (oferta 'sei', campo 'email'): você quis dizer 'prompt'?"
    )


def test_a_misspelt_language_key_gets_the_key_it_resembles(kb_root: Path) -> None:
    path = _language(kb_root)
    path.write_text('stopword = ["tipo"]\n' + path.read_text(encoding="utf-8"), "utf-8")
    found = assert_reported(problems_of(kb_root), path, 1, "field_unknown_near")
    assert "'stopwords'" in found.text()


def test_a_wrong_value_inside_a_table_names_the_table(kb_root: Path) -> None:
    path = replace_in(_language(kb_root), 'tb = "tambem"', "tb = 2")
    found = assert_reported(problems_of(kb_root), path, line_of(path, "tb = 2"), "type_text")
    assert "(tabela [abbreviations])" in found.text()
