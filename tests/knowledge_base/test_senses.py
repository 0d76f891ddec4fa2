"""Words that are not what they look like: "sei" the verb, denied systems, typed system names."""

from __future__ import annotations

import pytest

from knowledge_base.triage import Triage


@pytest.mark.parametrize(
    "text",
    [
        "não sei mais o que fazer, o eproc não abre",
        "sei lá o que houve, os localizadores sumiram do eproc",
        "já não sei a quem pedir, a redistribuição não sai no eproc",
    ],
)
def test_sei_the_verb_names_no_system(triage: Triage, text: str) -> None:
    decision = triage.decide(text)
    assert triage.rank(text).signals.systems == ("eproc",)
    assert decision.system == "eproc" and decision.target != "sei"


@pytest.mark.parametrize(
    "text",
    [
        "eu sei que já perguntaram, mas no sei do meu órgão a unidade de destino não aparece",
        "o SEI travou quando fui anexar o arquivo",
    ],
)
def test_sei_used_as_a_name_is_the_system(triage: Triage, text: str) -> None:
    assert triage.rank(text).signals.systems == ("sei",)
    assert triage.decide(text).system == "sei"


def test_a_denied_system_does_not_count(triage: Triage) -> None:
    assert triage.rank("não é o eproc, o SEI não abre o processo").signals.systems == ("sei",)


def test_a_system_name_with_two_letters_swapped_is_recognised(triage: Triage) -> None:
    assert triage.rank("meu usuario do eporc foi bloqueado").signals.systems == ("eproc",)


def test_a_message_that_only_names_a_system_goes_to_its_offers(triage: Triage) -> None:
    assert triage.decide("olá! preciso de ajuda com o eproc").label == "clarify:grau"


@pytest.mark.parametrize("text", ["quero falar com um atendente", "me passa pra uma pessoa"])
def test_a_request_for_a_person_asks_which_system(triage: Triage, text: str) -> None:
    assert triage.decide(text).label == "clarify:sistema"


def test_portal_categories_with_different_deadlines_are_not_guessed(triage: Triage) -> None:
    text = "a ferramenta de solicitação de serviços está com problema ao enviar o formulário"
    decision = triage.decide(text)
    assert (decision.label, decision.category) == ("offer:suporte-tecnico", None)
    stopped = triage.decide("desde as 14h ninguém consegue abrir o portal de serviços, fora do ar")
    assert stopped.category == "defeito-com-paralisacao"


@pytest.mark.parametrize(
    "text", ["meu usuário do eproc bloqueou", "meu usuario do eproc foi bloquado"]
)
def test_a_problem_word_inflected_or_mistyped_still_reports_a_problem(
    triage: Triage, text: str
) -> None:
    assert triage.rank(text).signals.problem


def test_short_stems_do_not_make_a_problem(triage: Triage) -> None:
    # "parou" stems to "par", like the preposition "para": only long stems count.
    assert not triage.rank("para que serve o eproc?").signals.problem


@pytest.mark.parametrize(
    "text",
    [
        "vc sabe se o balcao do detran abre sabado? preciso renovar a cnh",
        "como tiro a segunda via do iptu no portal da prefeitura?",
        "meu filho ta no 2o grau e precisa de ajuda com a redacao do enem",
        "preciso reconhecer firma no cartório, vocês fazem?",
    ],
)
def test_another_organizations_service_is_not_this_desk(triage: Triage, text: str) -> None:
    decision = triage.decide(text)
    assert triage.rank(text).signals.elsewhere
    assert decision.kind == "none"


@pytest.mark.parametrize(
    ("text", "system"),
    [
        ("nao consigo entrar no balcao virtual pra falar do meu processo contra o INSS", "balcao"),
        ("o eproc nao abre o processo de aposentadoria do inss", "eproc"),
        ("o portal de serviços caiu, ninguém consegue pedir o seguro do INSS", "suporte"),
    ],
)
def test_our_system_named_outright_beside_another_organization_still_counts(
    triage: Triage, text: str, system: str
) -> None:
    assert not triage.rank(text).signals.elsewhere
    assert triage.decide(text).system == system
