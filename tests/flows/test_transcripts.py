"""The seed journeys, end to end on the real knowledge base and the real triage engine."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.rendering import Renderer
from flows.my_tickets import ticket_opened_reply
from flows.ports import Services, TicketView
from knowledge_base.loader import load_knowledge_base
from knowledge_base.models import KnowledgeBase
from knowledge_base.triage import Triage

from .conversation import Conversation
from .fakes import NOW, FakeTickets

KB_DIR = Path(__file__).parents[2] / "knowledge_base"


@pytest.fixture(scope="module")
def real_kb() -> KnowledgeBase:
    return load_knowledge_base(KB_DIR)


@pytest.fixture(scope="module")
def real_triage(real_kb: KnowledgeBase) -> Triage:
    return Triage(real_kb)


@pytest.fixture
def chat(real_kb: KnowledgeBase, real_triage: Triage) -> Conversation:
    services = Services(real_kb, real_triage, FakeTickets(), NOW, 7)
    return Conversation(services, Renderer(real_kb))


def opened_text(chat: Conversation, view: TicketView) -> str:
    reply = ticket_opened_reply(view, chat.services.kb)
    return chat.renderer.render(reply.template, reply.params)


def test_invalid_authentication_code_is_solved_by_the_article(chat: Conversation) -> None:
    chat.say("O eproc fala que o código de autenticação é inválido, o que eu faço?")
    assert chat.reply("article").params["article_id"] == "eproc-2fa-codigo-invalido"
    assert "obter a hora automaticamente pela rede" in chat.text()
    chat.tap("Resolveu")
    assert chat.templates == ["article_solved"]
    assert chat.state.name == "idle"


def test_redistribution_error_at_second_grau_opens_eproc_2g_tramitacao(
    chat: Conversation,
) -> None:
    chat.say("sou do 2º grau e a redistribuição do recurso deu erro no eproc")
    assert chat.state.data["offer"] == "eproc-2g"
    chat.tap("Usar a mensagem que enviei")
    assert "Categoria: Tramitação processual" in chat.text()
    chat.tap("Confirmar")
    ticket = chat.opened()
    assert (ticket.offer_id, ticket.category) == ("eproc-2g", "tramitacao")
    assert ticket.fields["descricao"].startswith("sou do 2º grau")


def test_redistribution_error_without_grau_asks_it_and_keeps_the_category(
    chat: Conversation,
) -> None:
    chat.say("erro na redistribuição do recurso no eproc")
    assert chat.state.name == "ask_grau"
    chat.say("segundo grau")
    chat.say("A redistribuição do recurso 123 falhou com erro interno.")
    chat.tap("Confirmar")
    assert (chat.opened().offer_id, chat.opened().category) == ("eproc-2g", "tramitacao")


def test_sei_ticket_with_every_field_and_an_attachment(chat: Conversation) -> None:
    chat.say("um processo sumiu da minha unidade no SEI")
    assert chat.state.data["offer"] == "sei"
    chat.tap("SAMOP")
    chat.say("Maria da Conceição Souza")
    chat.say("maria.souza@ma.gov.br")
    chat.say("maria.souza@ma.gov.br")
    chat.say("O processo 2025.123 sumiu da unidade SEAD desde ontem.")
    chat.attach("print-da-tela.png")
    chat.tap("Continuar")
    assert "Prazo de solução: até 5 dias" in chat.text()
    chat.tap("Confirmar")
    ticket = chat.opened()
    assert ticket.offer_id == "sei"
    assert set(ticket.fields) == {"orgao", "nome", "email", "descricao"}
    assert [a.file_name for a in ticket.attachments] == ["print-da-tela.png"]
    view = TicketView("SEI-7KX3QF", "sei", None, "novo", NOW, NOW + timedelta(hours=120), 4)
    text = opened_text(chat, view)
    assert "Prazo de solução: até 5 dias (até 07/06/2025 às 12:00)" in text
    assert "Posição na fila: 4º" in text


def test_portal_out_of_service_opens_a_4h_defect_ticket(chat: Conversation) -> None:
    chat.say("o portal está fora do ar")
    if chat.state.name == "ask_system":  # the engine may need the system named first
        chat.tap("Suporte técnico")
    assert chat.state.data["offer"] == "suporte-tecnico"
    assert chat.state.data["values"]["category"] == "defeito-com-paralisacao"
    chat.say("Ninguém consegue abrir o formulário de solicitação desde as 9h.")
    chat.tap("Pular")
    assert "Prazo de solução: até 4 horas corridas" in chat.text()
    chat.tap("Confirmar")
    ticket = chat.opened()
    assert (ticket.offer_id, ticket.category) == ("suporte-tecnico", "defeito-com-paralisacao")
    view = TicketView(
        "SUP-22ABCD",
        "suporte-tecnico",
        "defeito-com-paralisacao",
        "novo",
        NOW,
        NOW + timedelta(hours=4),
        1,
    )
    text = opened_text(chat, view)
    assert "<b>Anote o código</b>" in text
    assert "até 4 horas corridas (até 02/06/2025 às 16:00)" in text


def test_support_problem_sent_to_infoeproc_is_redirected_to_eproc_support(
    chat: Conversation,
) -> None:
    chat.say("abri chamado no infoeproc porque não consigo logar no eproc")
    assert chat.templates == ["support_redirect", "ask_grau"]
    assert "NÃO se destina a pedido de suporte" in chat.text()
    chat.tap("1º grau")
    assert chat.state.data["offer"] == "eproc-1g"


def test_real_infoeproc_correction_goes_to_infoeproc(chat: Conversation) -> None:
    chat.say("o infoeproc sobre localizadores está com informação desatualizada")
    assert chat.state.data["offer"] == "infoeproc-sugestao"
    assert chat.state.data["values"] == {"category": "informacao-incorreta"}


def test_business_rule_question_gets_the_answer_and_no_ticket(chat: Conversation) -> None:
    chat.say("tenho uma dúvida sobre a regra de negócio do serviço que meu órgão oferece")
    assert chat.reply("article").params == {
        "article_id": "regras-de-negocio",
        "ticket_option": False,
        "section": None,
    }
    assert chat.state.name == "idle"


def fill_form(chat: Conversation) -> None:
    """Answer every field with something valid until the summary."""
    while chat.state.name == "intake":
        offer = chat.services.kb.offers[chat.state.data["offer"]]
        field = offer.fields[chat.state.data["step"]]
        if field.kind == "attachment":
            chat.attach()
            chat.tap("Continuar")
        elif field.kind in ("choice", "category"):
            chat.press(chat.buttons()[0].data)
        elif field.kind == "email":
            chat.say("ana@orgao.gov.br")
        else:
            chat.say("Texto de teste com detalhes suficientes.")


@pytest.mark.parametrize("system", ["eproc", "infoeproc", "sei", "suporte", "balcao"])
def test_every_real_offer_form_can_be_filled_from_the_menu(chat: Conversation, system: str) -> None:
    chat.command("start")
    chat.tap("Abrir um chamado")
    chat.tap(chat.services.kb.systems[system].name)
    if chat.state.name == "ask_grau":
        chat.tap("2º grau")
    fill_form(chat)
    assert chat.state.name == "intake_summary"
    chat.tap("Confirmar")
    assert chat.opened().offer_id in chat.services.kb.systems[system].offers
