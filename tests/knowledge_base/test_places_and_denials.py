"""Where the case is tells the grau, a system denied twice stays denied, and how pressed the user
is says nothing about what (issue 10, sixth round: kinds of failure of a blind file)."""

from __future__ import annotations

import pytest

from knowledge_base.models import KnowledgeBase
from knowledge_base.signals import SignalReader
from knowledge_base.triage import Triage


@pytest.fixture(scope="module")
def signal_reader(kb: KnowledgeBase) -> SignalReader:
    return SignalReader(kb)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # The bot's own explanation of the grau names comarca and fórum (1º) and câmara (2º).
        ("sou da comarca de Sorocaba e o eproc não expede as intimações", "offer:eproc-1g"),
        ("no fórum de Bauru o eproc não gera as certidões", "offer:eproc-1g"),
        ("aqui na câmara o eproc não mostra os votos do relator", "offer:eproc-2g"),
    ],
)
def test_the_place_of_the_case_tells_the_grau(triage: Triage, text: str, label: str) -> None:
    assert triage.decide(text).label == label


def test_a_city_council_is_no_court_chamber(signal_reader: SignalReader) -> None:
    assert signal_reader.read("a câmara municipal publicou o edital").grau is None


def test_a_problem_naming_only_a_grau_is_eproc_even_when_nothing_else_matches(
    triage: Triage,
) -> None:
    # No system named and no topic strong enough: the grau words still say which system.
    decision = triage.decide("turma recursal aqui: as automatizações deram erro de novo")
    assert (decision.label, decision.category) == ("offer:eproc-1g", "automacao")


@pytest.mark.parametrize(
    "text",
    [
        "não é eproc não, é o SEI: não consigo assinar o despacho",
        "o problema não é o eproc não, é o SEI que não abre",
        "não é eproc, é o SEI que não deixa assinar nada",
    ],
)
def test_a_denied_system_stays_denied_and_the_one_named_after_counts(
    triage: Triage, text: str
) -> None:
    assert triage.decide(text).label == "offer:sei"


def test_urgency_is_no_topic_word(triage: Triage) -> None:
    # "urgente" appears in one article's text ("intimações urgentes"): it must not pull there.
    decision = triage.decide("preciso desbloquear meu usuario do eproc urgente")
    assert (decision.label, decision.category) == ("clarify:grau", "acesso")


def test_the_named_system_keeps_the_category_its_own_offers_found(triage: Triage) -> None:
    # "ninguém consegue" is another offer's keyword; the eproc's words say publication.
    decision = triage.decide("ninguem consegue publicar nada no eproc hoje, erro")
    assert (decision.label, decision.category) == ("clarify:grau", "tramitacao")


@pytest.mark.parametrize(
    "text",
    ["as automatizações pararam", "os modelos travaram ontem", "as minutas não carregam mais"],
)
def test_plural_and_past_failures_are_problems(signal_reader: SignalReader, text: str) -> None:
    assert signal_reader.read(text).problem
