"""Paraphrases land on the article they mean, and vague words never pick a category."""

from __future__ import annotations

import pytest

from knowledge_base.triage import Triage

TRUSTED = "article:eproc-2fa-dispositivo-confiavel"
INVALID = "article:eproc-2fa-codigo-invalido"


@pytest.mark.parametrize(
    "text",
    [
        "como faço para o eproc não pedir o código de 6 dígitos neste computador?",
        "toda vez que entro no eproc ele pede o código de 6 dígitos, dá pra não pedir mais?",
        "quero não pedir o código neste computador",
        "dá pra lembrar este navegador no eproc?",
        "como parar de pedir o token no eproc",
    ],
)
def test_not_being_asked_the_code_on_one_computer_is_the_trusted_device(
    triage: Triage, text: str
) -> None:
    assert triage.decide(text).label == TRUSTED


@pytest.mark.parametrize(
    "text",
    [
        "o código não é aceito",
        "código inválido",
        "digitei os 6 dígitos e deu código inválido",
        "o eproc não aceita o código de 6 dígitos",
    ],
)
def test_a_code_that_is_refused_is_still_the_invalid_code(triage: Triage, text: str) -> None:
    assert triage.decide(text).label == INVALID


@pytest.mark.parametrize(
    "text",
    ["deu problema no eproc, sou do primeiro grau", "o eproc da segunda instância está com erro"],
)
def test_words_that_only_say_something_is_wrong_pick_no_category(triage: Triage, text: str) -> None:
    decision = triage.decide(text)
    assert decision.kind == "offer" and decision.category is None


def test_a_topic_word_still_picks_the_category(triage: Triage) -> None:
    assert triage.decide("deu problema nos localizadores do eproc, 1º grau").category == "automacao"


def test_asking_for_a_ticket_picks_no_category(triage: Triage) -> None:
    # "abre" of "abre um chamado" is no "não abre" (a service that stopped).
    decision = triage.decide("abre um chamado pro suporte da ferramenta de servicos pra mim")
    assert (decision.label, decision.category) == ("offer:suporte-tecnico", None)
    stopped = triage.decide(
        "a ferramenta de solicitação de serviços não abre, ninguém consegue atender"
    )
    assert stopped.category == "defeito-com-paralisacao"


def test_the_word_pairs_of_a_description_choose_no_category(triage: Triage) -> None:
    # "serviço que não inviabilize" (the defect without paralysis) is no phrase of the user's.
    text = (
        "a ferramenta de solicitação de serviços não carrega para ninguém da unidade, está tudo "
        "parado"
    )
    assert triage.decide(text).category == "defeito-com-paralisacao"


def test_the_offers_own_name_in_every_description_does_not_blur_the_category(
    triage: Triage,
) -> None:
    # Each defect's description names "a ferramenta de solicitação de serviços" too.
    text = (
        "como faco a integracao do sistema do meu orgao com a ferramenta de solicitacao de "
        "servicos? é duvida tecnica msm"
    )
    assert triage.decide(text).category == "consulta-tecnica"


@pytest.mark.parametrize(
    ("reply", "category"),
    [
        ("é só uma dúvida", "consulta-tecnica"),
        ("queria saber como integrar o sistema do nosso órgão", "consulta-tecnica"),
        ("dá erro às vezes mas dá pra usar", "defeito-sem-paralisacao"),
        ("caiu tudo, ninguém consegue atender", "defeito-com-paralisacao"),
        ("deu problema", None),
        ("sim", None),
    ],
)
def test_a_reply_to_the_category_question_is_read_alone(
    triage: Triage, reply: str, category: str | None
) -> None:
    assert triage.category("suporte-tecnico", reply) == category


@pytest.mark.parametrize("reply", ["não sei qual opção escolher", "não", "nem sei"])
def test_a_no_alone_chooses_no_category(triage: Triage, reply: str) -> None:
    assert triage.category("eproc-1g", reply) is None


def test_the_eproc_that_will_not_open_is_access(triage: Triage) -> None:
    assert triage.decide("o eproc não abre, 1º grau").category == "acesso"


def test_the_named_system_wins_over_an_offer_of_another_system(triage: Triage) -> None:
    decision = triage.decide("esqueci minha senha do SEI")
    assert (decision.label, decision.named) == ("offer:sei", ("sei",))
