"""The seed journeys end to end: real desk, knowledge base, triage and store."""

from __future__ import annotations

import tomllib
from datetime import timedelta

from sqlalchemy import Engine

from knowledge_base.models import KnowledgeBase

from .driver import (
    KB_DIR,
    SEI_PROBLEM,
    Chat,
    Clock,
    all_tickets,
    stored_attachments,
    stored_events,
    stored_ticket,
)


def code_prefix(offer_id: str) -> str:
    """The code prefix the catalog file gives an offer."""
    catalog = tomllib.loads((KB_DIR / "offers.toml").read_text(encoding="utf-8"))
    return str(next(o["code_prefix"] for o in catalog["offers"] if o["id"] == offer_id))


def test_invalid_authentication_code_solved_by_the_article_opens_no_ticket(
    chat: Chat, engine: Engine
) -> None:
    chat.say("O eproc fala que o código de autenticação é inválido, o que eu faço?")
    assert "Código de autenticação inválido" in chat.text
    assert "obter a hora automaticamente pela rede" in chat.text
    assert chat.state == "article"

    chat.tap("Resolveu")

    assert "Que bom que resolveu" in chat.text
    assert chat.state == "idle"
    assert all_tickets(engine) == []


def test_redistribution_error_at_second_grau_opens_an_eproc_2g_tramitacao_ticket(
    chat: Chat, engine: Engine
) -> None:
    chat.say("sou do 2º grau e a redistribuição do recurso deu erro no eproc")
    chat.tap("Usar a mensagem que enviei")
    assert "Categoria: Tramitação processual" in chat.text
    chat.tap("Confirmar")

    code = chat.opened_code()
    assert code.startswith(f"{code_prefix('eproc-2g')}-")
    assert "Posição na fila: 1º" in chat.text
    assert f"/chamado {code}" in chat.text
    ticket = stored_ticket(engine, code)
    assert (ticket.offer_id, ticket.category, ticket.status) == ("eproc-2g", "tramitacao", "novo")
    assert ticket.fields == {
        "descricao": "sou do 2º grau e a redistribuição do recurso deu erro no eproc"
    }
    assert ticket.requester_id == chat.user().id  # type: ignore[union-attr]
    assert [e.to_status for e in stored_events(engine, ticket)] == ["novo"]
    assert chat.state == "idle"


def test_sei_ticket_with_every_field_stores_fields_attachment_and_a_five_day_due_time(
    chat: Chat, engine: Engine, clock: Clock
) -> None:
    chat.say(SEI_PROBLEM)
    chat.tap("SAMOP")
    chat.say("Maria da Conceição Souza")
    chat.say("maria.souza@ma.gov.br")
    assert "digite o e-mail (Email) mais uma vez" in chat.text
    chat.say("maria.souza@ma.gov.br")
    chat.say("O processo 2025.123 sumiu da unidade SEAD desde ontem.")
    chat.attach("print-da-tela.png", 48_213, "image/png")
    chat.tap("Continuar")
    assert "Prazo de solução: até 5 dias" in chat.text
    chat.tap("Confirmar")

    code = chat.opened_code()
    assert code.startswith(f"{code_prefix('sei')}-")
    assert "Prazo de solução: até 5 dias (até 07/06/2025 às 09:00)" in chat.text
    ticket = stored_ticket(engine, code)
    assert ticket.offer_id == "sei"
    assert ticket.fields == {
        "orgao": "SAMOP",
        "nome": "Maria da Conceição Souza",
        "email": "maria.souza@ma.gov.br",
        "descricao": "O processo 2025.123 sumiu da unidade SEAD desde ontem.",
    }
    assert ticket.created_at == clock.now
    assert ticket.due_at == clock.now + timedelta(hours=120)
    [attachment] = stored_attachments(engine, ticket)
    assert (attachment.file_id, attachment.file_name, attachment.size) == (
        "tg-file-print-da-tela.png",
        "print-da-tela.png",
        48_213,
    )
    assert (attachment.mime_type, attachment.kind) == ("image/png", "photo")


def test_portal_out_of_service_opens_a_paralysis_defect_due_in_four_hours(
    chat: Chat, engine: Engine, clock: Clock, kb: KnowledgeBase
) -> None:
    chat.say("o portal está fora do ar")
    if chat.state == "ask_system":  # the engine may ask for the system first
        chat.tap("Suporte técnico")
    assert "2/3 · Descrição" in chat.text  # the category came from the message
    chat.say("Ninguém consegue abrir o formulário de solicitação desde as 9h.")
    chat.tap("Pular")
    assert "Categoria: Defeitos (com Paralisação do Serviço)" in chat.text
    chat.tap("Confirmar")

    code = chat.opened_code()
    assert code.startswith(f"{code_prefix('suporte-tecnico')}-")
    assert "Anote o código" in chat.text
    assert "até 4 horas corridas (até 02/06/2025 às 13:00)" in chat.text
    ticket = stored_ticket(engine, code)
    assert (ticket.offer_id, ticket.category) == ("suporte-tecnico", "defeito-com-paralisacao")
    assert ticket.due_at == clock.now + timedelta(hours=4)
    category = kb.offers["suporte-tecnico"].category("defeito-com-paralisacao")
    assert category is not None
    assert ticket.priority == category.priority == 1
    assert stored_attachments(engine, ticket) == []


def test_support_problem_sent_to_infoeproc_is_redirected_and_opens_no_infoeproc_ticket(
    chat: Chat, engine: Engine
) -> None:
    chat.say("abri chamado no infoeproc porque não consigo logar no eproc")
    assert "NÃO se destina a pedido de suporte" in chat.text
    assert chat.state == "ask_grau"
    chat.tap("1º grau ou Colégio Recursal")
    chat.tap("Acesso")
    chat.tap("Usar a mensagem que enviei")
    chat.tap("Confirmar")

    ticket = stored_ticket(engine, chat.opened_code())
    assert (ticket.offer_id, ticket.category) == ("eproc-1g", "acesso")
    assert [t.offer_id for t in all_tickets(engine)] == ["eproc-1g"]


def test_business_rule_question_gets_the_answer_and_no_ticket(chat: Chat, engine: Engine) -> None:
    chat.say("tenho uma dúvida sobre a regra de negócio do serviço que meu órgão oferece")
    assert "gestor do serviço" in chat.text
    assert "Não resolveu" not in " ".join(chat.labels)
    assert chat.state == "idle"
    assert all_tickets(engine) == []
