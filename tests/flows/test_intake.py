"""Intake forms: every field kind, validation, back/cancel at each step, summary and fixes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flows.events import Attachment

from .conversation import Conversation

SEI_STEPS = ["orgao", "nome", "email", "email_again", "descricao", "anexo", "summary"]
NAME = "Maria <Souza> & Filhos"


def answer(chat: Conversation, step: str) -> None:
    """Give a valid answer to one SEI step."""
    if step == "orgao":
        chat.tap("SAMOP")
    elif step == "nome":
        chat.say(NAME)
    elif step == "email":
        chat.say("maria@ma.gov.br")
    elif step == "email_again":
        chat.say("Maria@ma.gov.br")
    elif step == "descricao":
        chat.say("O processo 123 sumiu da unidade desde ontem.")
    elif step == "anexo":
        chat.attach("tela.png")
        chat.tap("Continuar")


def sei_until(chat: Conversation, step: str) -> None:
    """Fill the SEI form up to (not including) `step`."""
    chat.say("um processo sumiu da minha unidade")
    for name in SEI_STEPS[: SEI_STEPS.index(step)]:
        answer(chat, name)


def asking(chat: Conversation) -> str:
    """Which SEI step the conversation is at."""
    if chat.state.name == "intake_summary":
        return "summary"
    if chat.state.name != "intake":
        return chat.state.name
    field = chat.state.data["offer"], chat.state.data["step"]
    names = ["orgao", "nome", "email", "descricao", "anexo"]
    if field[1] == 2 and chat.state.data["pending_email"]:
        return "email_again"
    return names[field[1]]


def test_sei_ticket_with_every_field_and_an_attachment(chat: Conversation) -> None:
    sei_until(chat, "summary")
    summary = chat.text()
    assert "Maria &lt;Souza&gt; &amp; Filhos" in summary
    assert "até 5 dias" in summary
    assert "tela.png (47 KB)" in summary
    chat.tap("Confirmar")
    ticket = chat.opened()
    assert ticket.offer_id == "sei"
    assert ticket.category is None
    assert dict(ticket.fields) == {
        "orgao": "SAMOP",
        "nome": NAME,
        "email": "maria@ma.gov.br",
        "descricao": "O processo 123 sumiu da unidade desde ontem.",
    }
    assert ticket.attachments == (
        Attachment("file-tela.png", "tela.png", 48_213, "image/png", "photo"),
    )
    assert ticket.priority == 3
    assert chat.state.name == "idle"


def test_each_step_is_asked_in_catalog_order(chat: Conversation) -> None:
    chat.say("um processo sumiu da minha unidade")
    for step in SEI_STEPS:
        assert asking(chat) == step
        answer(chat, step)


@pytest.mark.parametrize(
    ("step", "previous"),
    [
        ("nome", "orgao"),
        ("email", "nome"),
        ("email_again", "email"),
        ("descricao", "email"),
        ("anexo", "descricao"),
        ("summary", "anexo"),
    ],
)
def test_back_returns_to_the_previous_step(chat: Conversation, step: str, previous: str) -> None:
    sei_until(chat, step)
    assert asking(chat) == step
    chat.tap("Voltar")
    assert asking(chat) == previous


def test_back_on_the_first_question_without_a_previous_question_leaves(chat: Conversation) -> None:
    sei_until(chat, "orgao")
    chat.say("voltar")
    assert chat.templates == ["flow_left", "menu"]
    assert chat.state.name == "idle"


@pytest.mark.parametrize("step", SEI_STEPS)
@pytest.mark.parametrize("how", ["button", "command", "typed"])
def test_cancel_at_every_step_leaves_without_a_ticket(
    chat: Conversation, step: str, how: str
) -> None:
    sei_until(chat, step)
    if how == "button":
        chat.tap("Cancelar")
    elif how == "command":
        chat.command("cancelar")
    else:
        chat.say("cancelar")
    assert chat.templates == ["flow_left", "menu"]
    assert chat.state.name == "idle"


def test_emails_that_differ_are_refused_and_the_email_asked_again(chat: Conversation) -> None:
    sei_until(chat, "email_again")
    chat.say("maria@ma.gov.com")
    assert chat.templates == ["error_email_mismatch", "intake_field"]
    assert asking(chat) == "email"


def test_invalid_email_is_refused(chat: Conversation) -> None:
    sei_until(chat, "email")
    chat.say("maria arroba gov")
    assert chat.templates == ["error_email_invalid", "intake_field"]
    assert asking(chat) == "email"


def test_agency_not_on_the_list_is_refused(chat: Conversation) -> None:
    sei_until(chat, "orgao")
    chat.say("Secretaria da Cultura")
    assert chat.templates == ["error_choice_unknown", "intake_field"]
    assert "“Secretaria da Cultura” não está na lista" in chat.text()
    assert asking(chat) == "orgao"


@pytest.mark.parametrize(
    ("typed", "agency"), [("seduc", "seduc"), ("3", "ses"), ("Samop", "samop")]
)
def test_agency_can_be_typed_by_name_or_number(chat: Conversation, typed: str, agency: str) -> None:
    sei_until(chat, "orgao")
    chat.say(typed)
    assert asking(chat) == "nome"
    assert chat.state.data["values"]["orgao"] == agency


def test_missing_attachment_is_refused(chat: Conversation) -> None:
    sei_until(chat, "anexo")
    assert "Continuar ➡️" not in chat.labels()
    chat.say("continuar")
    assert chat.templates == ["error_attachment_required", "intake_field"]
    assert asking(chat) == "anexo"


def test_text_instead_of_an_attachment_is_refused(chat: Conversation) -> None:
    sei_until(chat, "anexo")
    chat.say("não tenho print")
    assert chat.templates == ["error_attachment_expected", "intake_field"]


def test_attachment_where_text_is_expected_is_refused(chat: Conversation) -> None:
    sei_until(chat, "nome")
    chat.attach()
    assert chat.templates == ["error_attachment_unexpected", "intake_field"]
    assert asking(chat) == "nome"


def test_several_attachments_are_kept_and_listed(chat: Conversation) -> None:
    sei_until(chat, "anexo")
    chat.attach("a.pdf", 2_500_000, "document")
    assert "Recebi: a.pdf" in chat.text()
    chat.attach("b.png")
    assert chat.templates == ["attachment_received"]  # a receipt, not the prompt again
    assert "Recebi: b.png" in chat.text()
    chat.tap("Continuar")
    assert "a.pdf (2,4 MB)" in chat.text()


def test_text_over_the_field_limit_is_refused(chat: Conversation) -> None:
    sei_until(chat, "nome")
    chat.say("M" * 201)
    assert chat.templates == ["error_text_too_long", "intake_field"]
    assert "tem 201 caracteres e o limite deste campo é 200" in chat.text()


def test_message_over_4096_characters_is_refused_politely(chat: Conversation) -> None:
    sei_until(chat, "descricao")
    chat.say("d" * 5000)
    assert chat.templates == ["message_too_long"]
    assert "4096 caracteres" in chat.text()
    assert asking(chat) == "descricao"


def test_text_too_short_is_refused(chat: Conversation) -> None:
    sei_until(chat, "nome")
    chat.say("Ana")
    assert chat.templates == ["error_text_too_short", "intake_field"]
    assert "pelo menos 5 caracteres" in chat.text()


def test_description_can_reuse_the_first_message(chat: Conversation) -> None:
    sei_until(chat, "descricao")
    assert "Você escreveu" in chat.text()
    chat.tap("Usar a mensagem que enviei")
    assert chat.state.data["values"]["descricao"] == "um processo sumiu da minha unidade"


def test_fix_a_field_from_the_summary(chat: Conversation) -> None:
    sei_until(chat, "summary")
    chat.tap("Corrigir")
    assert chat.state.name == "intake_fix"
    chat.tap("Nome completo")
    assert "Resposta atual" in chat.text()
    chat.say("Maria Souza")
    assert asking(chat) == "summary"
    assert "Nome completo: Maria Souza" in chat.text()


def test_fixing_the_email_asks_it_twice_again(chat: Conversation) -> None:
    sei_until(chat, "summary")
    chat.tap("Corrigir")
    chat.say("email")
    chat.say("nova@ma.gov.br")
    assert asking(chat) == "email_again"
    chat.say("nova@ma.gov.br")
    assert asking(chat) == "summary"


def test_back_from_a_fix_keeps_the_previous_answer(chat: Conversation) -> None:
    sei_until(chat, "summary")
    chat.tap("Corrigir")
    chat.say("2")
    chat.tap("Voltar")
    assert asking(chat) == "summary"
    assert chat.state.data["values"]["nome"] == NAME


def test_back_from_the_fix_list_returns_to_the_summary(chat: Conversation) -> None:
    sei_until(chat, "summary")
    chat.tap("Corrigir")
    chat.tap("Voltar")
    assert asking(chat) == "summary"


def test_optional_attachment_can_be_skipped_and_priority_follows_the_category(
    chat: Conversation,
) -> None:
    chat.say("o portal está fora do ar")
    chat.say("Ninguém consegue abrir o formulário de serviços.")
    assert "Pular" in chat.labels()
    chat.tap("Pular")
    assert "até 4 horas corridas" in chat.text()
    chat.say("confirmar")
    ticket = chat.opened()
    assert (ticket.offer_id, ticket.category, ticket.priority) == (
        "suporte-tecnico",
        "defeito-com-paralisacao",
        1,
    )
    assert ticket.attachments == ()


def test_back_from_the_first_asked_field_reopens_the_prefilled_category(
    chat: Conversation,
) -> None:
    chat.say("o portal está fora do ar")
    chat.tap("Voltar")
    assert chat.reply("intake_field").params["label"] == "Categoria"
    chat.tap("Consulta Técnica")
    chat.say("Como pesquiso atendimentos na minha área?")
    chat.tap("Pular")
    assert "até 2 horas corridas" in chat.text()


def test_balcao_office_outside_its_hours_is_refused_with_the_hours(chat: Conversation) -> None:
    chat.at(now=datetime(2025, 6, 1, 15, 0, tzinfo=UTC))  # Sunday
    chat.say("quero falar com o cartório")
    chat.tap("Coordenadoria")
    assert chat.templates == ["office_closed", "intake_field"]
    text = chat.text()
    assert "segunda-feira, terça-feira, quarta-feira, quinta-feira, sexta-feira" in text
    assert "das 08:00 às 19:00" in text


def test_balcao_office_within_its_hours_goes_to_the_summary(chat: Conversation) -> None:
    chat.say("quero falar com o cartório")
    assert "1 (um) minuto" in chat.text()
    chat.tap("Coordenadoria")
    assert chat.state.name == "intake_summary"
    chat.tap("Confirmar")
    assert chat.opened().fields == {"office": "Coordenadoria de Entrada e Distribuição"}


def test_stale_button_from_another_question_is_not_understood(chat: Conversation) -> None:
    sei_until(chat, "nome")
    chat.press("g:2")
    assert chat.templates == ["not_understood", "intake_field"]
    assert asking(chat) == "nome"


def test_a_photo_is_received_as_foto_with_its_number(chat: Conversation) -> None:
    sei_until(chat, "anexo")
    chat.attach("", kind="photo")
    assert chat.templates == ["attachment_received"]
    assert chat.text() == "📎 Recebi: foto 1"
    chat.attach("", kind="photo")
    assert chat.text() == "📎 Recebi: foto 2"
    chat.tap("Continuar")
    assert "• foto 1 (47 KB)" in chat.text() and "• foto 2" in chat.text()
