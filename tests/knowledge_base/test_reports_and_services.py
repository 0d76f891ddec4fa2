"""A report of something broken is no consultation, and a suggestion for a service is that
service, whatever topic it suggests (issue 10, fifth round: kinds of failure of a blind file)."""

from __future__ import annotations

import pytest

from knowledge_base.triage import Triage

SUPPORT = "offer:suporte-tecnico"
SUGGESTION = "offer:infoeproc-sugestao"


@pytest.mark.parametrize(
    "text",
    [
        "a pesquisa de atendimentos do portal de serviços lista pedidos duplicados, mas dá pra "
        "atender normal",
        "na minha área do portal de serviços o filtro por data está errado, o resto funciona",
        "o botão de imprimir do portal de serviços não funciona mas o resto tá ok",
    ],
)
def test_a_defect_that_lets_the_work_go_on_is_no_consultation(triage: Triage, text: str) -> None:
    decision = triage.decide(text)
    assert (decision.label, decision.category) == (SUPPORT, "defeito-sem-paralisacao")


def test_a_report_without_its_impact_asks_which_defect(triage: Triage) -> None:
    # Consultation is out (nothing is asked), and the two defects fit alike: the user chooses.
    decision = triage.decide("a pesquisa de atendimentos do portal de serviços não funciona")
    assert (decision.label, decision.category) == (SUPPORT, None)


def test_a_question_about_the_same_screen_is_still_a_consultation(triage: Triage) -> None:
    decision = triage.decide("como uso a pesquisa de atendimentos no portal de serviços?")
    assert (decision.label, decision.category) == (SUPPORT, "consulta-tecnica")


@pytest.mark.parametrize(
    ("reply", "category"),
    [
        (
            "é que o botão de imprimir o comprovante não funciona, mas o resto tá ok",
            "defeito-sem-paralisacao",
        ),
        ("a tela de pesquisa de atendimentos mostra a data errada", None),
        ("é só uma dúvida de como usar a minha área", "consulta-tecnica"),
    ],
)
def test_a_reply_to_the_category_question_is_read_the_same_way(
    triage: Triage, reply: str, category: str | None
) -> None:
    assert triage.category("suporte-tecnico", reply) == category


@pytest.mark.parametrize(
    "text",
    [
        "queria sugerir um tema para o próximo Infoeproc: a redistribuição de processos",
        "proponho que o infoeproc aborde a publicação de intimações no domicílio judicial "
        "eletrônico",
        "tenho uma ideia pra um infoeproc novo, explicar os modelos de minuta",
    ],
)
def test_a_topic_suggested_for_the_infoeproc_is_the_suggestion_service(
    triage: Triage, text: str
) -> None:
    decision = triage.decide(text)
    assert (decision.label, decision.category) == (SUGGESTION, "sugestao-tema")


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("o que é o infoeproc?", "article:infoeproc"),
        # A problem goes to support, even beside the Infoeproc's name.
        (
            "li o infoeproc de localizadores mas o localizador não funciona no 1 grau",
            "offer:eproc-1g",
        ),
    ],
)
def test_questions_and_problems_beside_the_infoeproc_keep_their_place(
    triage: Triage, text: str, label: str
) -> None:
    assert triage.decide(text).label == label


@pytest.mark.parametrize(
    ("text", "label"),
    [
        (
            "o autenticador gera o número certinho mas o eproc recusa toda vez dizendo que não "
            "reconhece",
            "article:eproc-2fa-codigo-invalido",
        ),
        ("deu erro no eproc ao validar o código", "article:eproc-2fa-codigo-invalido"),
        (
            "meu celular quebrou e nao tenho como gerar o codigo do eproc",
            "article:eproc-2fa-desativar",
        ),
        (
            "troquei de celular e o eproc pede o código que não tenho mais",
            "article:eproc-2fa-desativar",
        ),
    ],
)
def test_a_report_that_an_article_for_problems_matches_gets_the_article(
    triage: Triage, text: str, label: str
) -> None:
    assert triage.decide(text).label == label


def test_a_report_no_article_is_written_for_still_goes_to_the_desk(triage: Triage) -> None:
    # No article is written for this failure: the desk is.
    decision = triage.decide("o eproc dá erro ao protocolar petição no 1º grau")
    assert decision.label == "offer:eproc-1g"


def test_the_article_for_a_problem_answers_it_under_a_how_to_that_shares_its_words(
    triage: Triage,
) -> None:
    # "pede o código" is the trusted-device article's phrase too; a lost phone is the problem
    # the deactivation article is written for.
    decision = triage.decide("perdi meu celular e o eproc pede o código do aplicativo")
    assert decision.label == "article:eproc-2fa-desativar"


@pytest.mark.parametrize(
    "text",
    [
        "nao to conseguindo logar no eproc desde ontem",
        "a gente não está conseguindo entrar no eproc hoje",
    ],
)
def test_not_managing_to_in_the_progressive_is_a_problem(triage: Triage, text: str) -> None:
    decision = triage.decide(text)
    assert (decision.label, decision.category) == ("clarify:grau", "acesso")
