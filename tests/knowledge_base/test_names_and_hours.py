"""How people name the portal's requests, other providers' support, and an hours question
(issue 10, sixth round)."""

from __future__ import annotations

import pytest

from knowledge_base.triage import Triage


def test_a_service_request_names_the_services_portal(triage: Triage) -> None:
    decision = triage.decide("o pedido do serviço não salva quando anexo o comprovante")
    assert decision.label == "offer:suporte-tecnico"


@pytest.mark.parametrize(
    "text",
    [
        "qual o telefone do suporte da claro? meu celular está sem sinal",
        "a minha internet de casa caiu de novo, com quem eu falo?",
    ],
)
def test_a_phone_or_internet_provider_is_not_this_desk(triage: Triage, text: str) -> None:
    assert triage.decide(text).label == "none"


def test_evening_hours_are_an_hours_question(triage: Triage) -> None:
    decision = triage.decide("o balcão virtual atende à noite? só consigo depois do trabalho")
    assert decision.label == "article:balcao-virtual-horario"


def test_how_the_queue_works_is_the_access_article_not_the_hours(triage: Triage) -> None:
    decision = triage.decide("como funciona pra entrar na fila?")
    assert decision.label == "article:balcao-virtual-acesso"
