"""Reading typed answers and typed commands."""

from __future__ import annotations

import pytest

from flows import answers
from flows.events import Command, Text, from_text

SYSTEMS = [("eproc", "eproc"), ("sei", "SEI"), ("suporte", "Portal de serviços", "portal")]


@pytest.mark.parametrize(
    ("typed", "index"),
    [("2", 1), ("SEI", 1), ("  sei! ", 1), ("é o portal", 2), ("Portal de Serviços", 2)],
)
def test_pick_finds_the_option_named(typed: str, index: int) -> None:
    assert answers.pick(typed, SYSTEMS) == index


@pytest.mark.parametrize(
    "typed", ["", "4", "0", "não sei", "o portal do sei", "o portal de serviços caiu de novo hoje"]
)
def test_pick_refuses_what_is_not_one_clear_answer(typed: str) -> None:
    assert answers.pick(typed, SYSTEMS) is None


@pytest.mark.parametrize(
    ("typed", "grau"),
    [
        ("1", "1"),
        ("1º grau", "1"),
        ("primeira instância", "1"),
        ("Colégio Recursal", "1"),
        ("2", "2"),
        ("2° grau", "2"),
        ("segundo", "2"),
        ("1 ou 2", None),
        ("não sei", None),
    ],
)
def test_grau_from_short_answers(typed: str, grau: str | None) -> None:
    assert answers.grau(typed) == grau


def test_yes_is_short_and_no_is_any_negative_answer() -> None:
    assert answers.says_yes("Sim, resolveu!")
    assert not answers.says_yes("ok mas agora o SEI também não abre nada")
    assert answers.says_no("Não resolveu, quero falar com alguém")
    assert answers.says_no("não")
    assert not answers.says_no("não consigo acessar o SEI")


def test_plain_expands_the_knowledge_base_abbreviations() -> None:
    assert answers.plain("N consigo, VC pode ver?", {"n": "nao", "vc": "voce"}) == (
        "nao consigo voce pode ver"
    )


@pytest.mark.parametrize(
    ("line", "event"),
    [
        ("/start", Command("start")),
        ("/chamado@TriagemBot SEI-7KX3QF", Command("chamado", "SEI-7KX3QF")),
        ("/Cancelar", Command("cancelar")),
        ("olá", Text("olá")),
        ("/", Text("/")),
    ],
)
def test_typed_lines_become_commands_or_text(line: str, event: object) -> None:
    assert from_text(line) == event
