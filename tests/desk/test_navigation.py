"""Cancel, back, correct and validation errors at every step, through the desk and the store."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine

from .driver import SEI_PROBLEM, Chat, all_tickets, stored_attachments, stored_ticket

NAME = "Maria da Conceição Souza"
EMAIL = "maria.souza@ma.gov.br"
DESCRIPTION = "O processo 2025.123 sumiu da unidade SEAD desde ontem."

# The SEI form's answers in order; after the first k of them the user is at step k.
SEI_ANSWERS: list[Callable[[Chat], object]] = [
    lambda chat: chat.tap("SAMOP"),
    lambda chat: chat.say(NAME),
    lambda chat: chat.say(EMAIL),
    lambda chat: chat.say(EMAIL),
    lambda chat: chat.say(DESCRIPTION),
    lambda chat: chat.attach(),
    lambda chat: chat.tap("Continuar"),
]
# Where each step is, as the user sees it (the form's headers; the confirmation; the summary).
SEI_STEPS = [
    "1/5 · Órgão Vinculado",
    "2/5 · Nome completo",
    "3/5 · Email",
    "digite o e-mail (Email) mais uma vez",
    "4/5 · Chamado",
    "Envie o arquivo como documento ou foto",
    "Recebi: print-da-tela.png",
    "Confira o seu chamado antes de enviar",
]
# What "voltar" shows at each step: the previous question, asked afresh.
SEI_BACK = [
    "saí desse atendimento",
    "1/5 · Órgão Vinculado",
    "2/5 · Nome completo",
    "3/5 · Email",
    "3/5 · Email",
    "4/5 · Chamado",
    "4/5 · Chamado",
    "5/5 · Anexo",
]


def sei_form_at(chat: Chat, step: int) -> None:
    """Start the SEI form and answer its first `step` questions."""
    chat.say(SEI_PROBLEM)
    for answer in SEI_ANSWERS[:step]:
        answer(chat)
    assert SEI_STEPS[step] in chat.text


@pytest.mark.parametrize("how", ["button", "typed", "command"])
@pytest.mark.parametrize("step", range(len(SEI_STEPS)))
def test_cancel_at_any_sei_step_leaves_the_form_and_opens_nothing(
    chat: Chat, engine: Engine, step: int, how: str
) -> None:
    sei_form_at(chat, step)

    if how == "button":
        chat.tap("Cancelar")
    else:
        chat.say("cancelar" if how == "typed" else "/cancelar")

    assert "saí desse atendimento. Nada foi enviado" in chat.text
    assert "Posso ajudar em algo mais?" in chat.text
    conversation = chat.conversation()
    assert conversation is not None
    assert (conversation.state, conversation.data) == ("idle", {})
    assert all_tickets(engine) == []


@pytest.mark.parametrize("step", range(len(SEI_STEPS)))
def test_back_at_any_sei_step_asks_the_previous_question(chat: Chat, step: int) -> None:
    sei_form_at(chat, step)

    chat.tap("Voltar")

    assert SEI_BACK[step] in chat.text
    assert chat.state == ("idle" if step == 0 else "intake")


def test_typed_back_then_new_answers_reach_the_ticket(chat: Chat, engine: Engine) -> None:
    sei_form_at(chat, len(SEI_STEPS) - 1)
    chat.say("voltar")  # to the attachment, asked afresh
    chat.say("voltar")  # to the description
    chat.say("Na verdade o processo 2025.999 também sumiu.")
    chat.attach("outro-print.png")
    chat.tap("Continuar")
    chat.tap("Confirmar")

    ticket = stored_ticket(engine, chat.opened_code())
    assert ticket.fields["descricao"] == "Na verdade o processo 2025.999 também sumiu."
    assert [a.file_name for a in stored_attachments(engine, ticket)] == ["outro-print.png"]


def test_correcting_a_field_from_the_summary_stores_the_new_value(
    chat: Chat, engine: Engine
) -> None:
    sei_form_at(chat, len(SEI_STEPS) - 1)
    chat.tap("Corrigir")
    assert "O que você quer corrigir?" in chat.text
    chat.tap("Nome completo")
    chat.say("Maria da Conceição Souza Lima")
    assert "Nome completo: Maria da Conceição Souza Lima" in chat.text
    chat.tap("Confirmar")

    ticket = stored_ticket(engine, chat.opened_code())
    assert ticket.fields["nome"] == "Maria da Conceição Souza Lima"
    assert ticket.fields["email"] == EMAIL
    assert len(stored_attachments(engine, ticket)) == 1


def test_back_at_a_clarifying_question_returns_to_the_article(chat: Chat, engine: Engine) -> None:
    chat.say("O eproc fala que o código de autenticação é inválido, o que eu faço?")
    chat.tap("Não resolveu")
    assert chat.state == "ask_grau"

    chat.tap("Voltar")
    assert chat.state == "article"
    assert "obter a hora automaticamente pela rede" in chat.text

    chat.tap("Não resolveu")
    chat.tap("2º grau")
    assert chat.state == "intake"
    chat.tap("Cancelar")
    assert chat.state == "idle"
    assert all_tickets(engine) == []


def test_different_emails_restart_the_email_field(chat: Chat) -> None:
    sei_form_at(chat, 3)
    chat.say("maria.sousa@ma.gov.br")

    assert "Os dois e-mails digitados não são iguais" in chat.text
    assert "3/5 · Email" in chat.text
    conversation = chat.conversation()
    assert conversation is not None
    assert (conversation.data["step"], conversation.data["pending_email"]) == (2, None)


def test_continuing_without_the_required_attachment_is_refused(chat: Chat) -> None:
    sei_form_at(chat, 5)
    chat.say("continuar")

    assert "precisa de pelo menos um anexo" in chat.text
    assert chat.state == "intake"


def test_an_agency_not_on_the_list_is_refused(chat: Chat) -> None:
    sei_form_at(chat, 0)
    chat.say("Secretaria da Lua")

    assert "“Secretaria da Lua” não está na lista" in chat.text
    conversation = chat.conversation()
    assert conversation is not None
    assert conversation.data["step"] == 0
    assert conversation.data["values"] == {}


def test_a_message_over_telegram_limit_is_refused_and_the_form_stays(chat: Chat) -> None:
    sei_form_at(chat, 4)
    chat.say("x" * 4097)

    assert "o limite é de 4096 caracteres" in chat.text
    conversation = chat.conversation()
    assert conversation is not None
    assert (conversation.state, conversation.data["step"]) == ("intake", 3)
