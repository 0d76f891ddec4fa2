"""Field values and office calendars of offers.toml explained in an editor's words, at the line
of the value, one broken file per message."""

from __future__ import annotations

from pathlib import Path

import pytest

from .kb_files import (
    append_to,
    assert_reported,
    line_of,
    problems_of,
    replace_in,
)

BALCAO = """
[systems.balcao]
name = "Balcão Virtual"
keywords = ["balcão virtual"]
offers = ["balcao-virtual"]
"""

BALCAO_OFFER = """
[[offers]]
id = "balcao-virtual"
name = "Balcão Virtual"
system = "balcao"
kind = "atendimento"
code_prefix = "BAL"
purpose = "Atendimento por vídeo com o cartório."

[[offers.fields]]
id = "office"
kind = "choice"
label = "Cartório"
prompt = "Com qual cartório?"
choices = [
  { id = "coord-recursos", label = "Coordenadoria de Recursos" },
]

[[offers.offices]]
id = "coord-recursos"
name = "Coordenadoria de Recursos"
weekdays = [0, 1, 2, 3, 4]
start = "08:00"
end = "19:00"
"""


def _offers(root: Path) -> Path:
    return root / "offers.toml"


def _with_balcao(root: Path) -> Path:
    path = _offers(root)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("[texts]", BALCAO + "\n[texts]") + BALCAO_OFFER, "utf-8")
    assert problems_of(root) == []
    return path


# --- field values explained --------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "code", "fragment"),
    [
        ('code_prefix = "SEI"', 'code_prefix = "sei1"', "code_prefix_invalid", "'sei1'"),
        (
            'kind = "suporte"\ncode_prefix = "SEI"',
            'kind = "ajuda"\ncode_prefix = "SEI"',
            "offer_kind_invalid",
            "suporte, servico ou atendimento",
        ),
        ('grau = "2"', 'grau = "3"', "grau_invalid", "'3'"),
        ('id = "sei"', 'id = "SEI"', "id_pattern", "'SEI'"),
        ('id = "email"', 'id = "e-mail"', "field_id_pattern", "'_'"),
        ('prompt = "Qual é o seu e-mail?"', 'prompt = ""', "text_empty", "'prompt'"),
        ("confirm = true", 'confirm = "talvez"', "type_bool", "true ou false"),
        ('label = "E-mail"', "label = 3", "type_text", "entre aspas"),
        ("min_length = 10", "min_length = -1", "number_ge", "pelo menos 0"),
        ("min_length = 10", "max_length = 5000\nmin_length = 10", "number_le", "no máximo 4096"),
        (
            'purpose = "Chamados',
            'target_hours = 0\npurpose = "Chamados',
            "number_gt",
            "maior que 0",
        ),
        (
            'purpose = "Chamados',
            'target_hours = "dois"\npurpose = "Chamados',
            "type_number",
            "'dois'",
        ),
        (
            'keywords = ["chamado do sei", "problema no sei"]',
            'keywords = "sei"',
            "type_list",
            "[ ]",
        ),
    ],
)
def test_field_values_are_explained_on_their_line(
    kb_root: Path, old: str, new: str, code: str, fragment: str
) -> None:
    path = replace_in(_offers(kb_root), old, new)
    line = line_of(path, new.splitlines()[0])
    found = assert_reported(problems_of(kb_root), path, line, code, fragment)
    assert "pattern" not in found.text("en") and "should" not in found.text("en")


def test_a_choice_that_is_not_a_table_is_explained(kb_root: Path) -> None:
    path = replace_in(
        _offers(kb_root),
        '[[offers.fields.choices]]\nid = "samop"\nlabel = "SAMOP"\n\n'
        '[[offers.fields.choices]]\nid = "seati"\nlabel = "SEATI"\n',
        "",
    )
    path = replace_in(
        path,
        'prompt = "Qual é o seu órgão?"',
        'prompt = "Qual é o seu órgão?"\nchoices = ["samop"]',
    )
    found = assert_reported(
        problems_of(kb_root), path, line_of(path, 'choices = ["samop"]'), "type_table"
    )
    assert "campo 'orgao'" in found.text()


def test_duplicate_category_is_reported_at_the_offer(kb_root: Path) -> None:
    path = _offers(kb_root)
    text = path.read_text(encoding="utf-8")
    # The first offer's second category takes the first one's id.
    path.write_text(text.replace('id = "tramitacao"', 'id = "acesso"', 1), encoding="utf-8")
    assert_reported(
        problems_of(kb_root),
        path,
        line_of(path, 'id = "eproc-1g"'),
        "category_duplicate",
        "'acesso'",
    )


def test_a_value_no_check_has_words_for_keeps_the_parsers_detail(kb_root: Path) -> None:
    from pydantic import BaseModel, ValidationError, field_validator

    from knowledge_base.field_errors import field_problem

    class Office(BaseModel):
        holiday: str

        @field_validator("holiday")
        @classmethod
        def _date(cls, value: str) -> str:
            raise ValueError("não é uma data")

    text = 'holiday = "31/02"\n'
    try:
        Office.model_validate({"holiday": "31/02"})
    except ValidationError as exc:
        found = field_problem(kb_root / "x.toml", text, {"holiday": "31/02"}, exc.errors()[0])
    assert (found.line, found.code) == (1, "field_invalid")
    assert "'holiday'" in found.text() and "não é uma data" in found.text()


def test_a_message_written_out_by_another_check_is_shown_as_it_is(kb_root: Path) -> None:
    from knowledge_base.problems import Problem

    problem = Problem(kb_root / "clocks.toml", 4, "feriado '31/02' inválido")
    assert str(problem) == f"{kb_root / 'clocks.toml'}:4: feriado '31/02' inválido"
    assert problem.text("en") == "feriado '31/02' inválido"


def test_bad_office_hour_is_explained(kb_root: Path) -> None:
    path = replace_in(_with_balcao(kb_root), 'end = "19:00"', 'end = "25:00"')
    found = assert_reported(
        problems_of(kb_root), path, line_of(path, 'end = "25:00"'), "hour_invalid"
    )
    assert found.text() == (
        "hora inválida '25:00' (oferta 'balcao-virtual', cartório 'coord-recursos'): "
        "use HH:MM, de 00:00 a 23:59"
    )


def test_empty_weekdays_is_reported(kb_root: Path) -> None:
    path = replace_in(_with_balcao(kb_root), "weekdays = [0, 1, 2, 3, 4]", "weekdays = []")
    assert_reported(problems_of(kb_root), path, line_of(path, "weekdays = []"), "list_empty")


# --- offices' calendars -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("weekdays = [0, 1, 2, 3, 4]", "weekdays = [0, 1, 7]", "weekday_invalid"),
        ("weekdays = [0, 1, 2, 3, 4]", "weekdays = [0, 1, 1]", "weekday_repeated"),
        ('end = "19:00"', 'end = "07:00"', "office_hours_order"),
        ('end = "19:00"', 'end = "19:00"\ntimezone = "America/Brasilia"', "timezone_unknown"),
    ],
)
def test_office_calendar_problems_are_reported_on_their_line(
    kb_root: Path, old: str, new: str, code: str
) -> None:
    path = replace_in(_with_balcao(kb_root), old, new)
    problems = problems_of(kb_root)
    assert_reported(problems, path, line_of(path, new.splitlines()[-1]), code)
    assert len(problems) == 1


def test_office_missing_from_the_choices_is_reported(kb_root: Path) -> None:
    path = append_to(
        _with_balcao(kb_root),
        '\n[[offers.offices]]\nid = "vara-1"\nname = "1ª Vara"\nweekdays = [0]\n'
        'start = "09:00"\nend = "12:00"\n',
    )
    assert_reported(problems_of(kb_root), path, line_of(path, 'id = "vara-1"'), "office_not_chosen")


def test_choice_without_office_hours_is_reported(kb_root: Path) -> None:
    path = replace_in(
        _with_balcao(kb_root),
        '  { id = "coord-recursos", label = "Coordenadoria de Recursos" },',
        '  { id = "coord-recursos", label = "Coordenadoria de Recursos" },\n'
        '  { id = "vara-2", label = "2ª Vara" },',
    )
    assert_reported(
        problems_of(kb_root), path, line_of(path, '"vara-2"'), "office_choice_without_hours"
    )


def test_duplicate_ticket_code_prefix_is_reported_at_the_second(kb_root: Path) -> None:
    path = replace_in(_offers(kb_root), 'code_prefix = "SEI"', 'code_prefix = "EPA"')
    found = assert_reported(
        problems_of(kb_root), path, line_of(path, 'code_prefix = "EPA"', 2), "code_prefix_duplicate"
    )
    assert "'eproc-1g'" in found.text() and "oferta 'sei'" in found.text()
