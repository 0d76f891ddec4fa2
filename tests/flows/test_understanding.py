"""Conversations that need more than keywords, on the real knowledge base: unsure categories are
asked, small talk typed loosely, one long story, a named system, a CPF sent to an agent."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.rendering import Renderer
from flows.actions import RelayToTicket
from flows.personal import hide_cpf
from flows.ports import Services
from knowledge_base.loader import load_knowledge_base
from knowledge_base.models import KnowledgeBase
from knowledge_base.triage import Triage

from .conversation import Conversation
from .fakes import NOW, FakeTickets, view

KB_DIR = Path(__file__).parents[2] / "knowledge_base"


@pytest.fixture(scope="module")
def real_kb() -> KnowledgeBase:
    return load_knowledge_base(KB_DIR)


@pytest.fixture(scope="module")
def real_triage(real_kb: KnowledgeBase) -> Triage:
    return Triage(real_kb)


@pytest.fixture
def chat(real_kb: KnowledgeBase, real_triage: Triage) -> Conversation:
    return Conversation(Services(real_kb, real_triage, FakeTickets(), NOW, 7), Renderer(real_kb))


def asks_category(chat: Conversation) -> bool:
    return chat.state.name == "intake" and chat.reply("intake_field").params["kind"] == "category"


def test_an_eproc_problem_that_says_only_problema_asks_the_category(chat: Conversation) -> None:
    chat.say("deu problema no eproc, sou do primeiro grau")
    assert chat.state.data["offer"] == "eproc-1g"
    assert asks_category(chat)
    # The seed's own descriptions of what each category covers, one button each.
    assert "dúvidas sobre automatizações, modelos, localizadores etc." in chat.text()
    assert "associação de magistrados, cadastro de partes e representantes" in chat.text()
    assert len(chat.buttons()) >= 4
    chat.say("é com os localizadores")
    assert chat.state.data["values"]["category"] == "automacao"


def test_a_portal_error_that_may_or_may_not_stop_the_service_is_asked(chat: Conversation) -> None:
    chat.say("o portal de serviços está com erro")
    assert chat.state.data["offer"] == "suporte-tecnico"
    assert asks_category(chat)
    assert "até 4 horas corridas" in chat.text() and "até 24 horas corridas" in chat.text()
    chat.say("não, parou tudo, ninguém consegue trabalhar")
    assert chat.state.data["values"]["category"] == "defeito-com-paralisacao"


def test_a_category_that_is_clear_is_said_and_can_be_changed(chat: Conversation) -> None:
    chat.say("os modelos de minuta sumiram do eproc, sou do segundo grau")
    assert chat.state.data["category"] == "automacao"
    assert "Automatizações, modelos e localizadores" in chat.text()
    chat.tap("Mudar a categoria")
    assert asks_category(chat)


@pytest.mark.parametrize("text", ["bom diaa", "oiii", "obrigadooo!"])
def test_small_talk_typed_with_repeated_letters_is_conversation(
    chat: Conversation, text: str
) -> None:
    chat.say(text)
    assert chat.templates == ["smalltalk"]


def test_a_thanks_at_the_grau_question_keeps_the_question_and_what_was_said(
    chat: Conversation,
) -> None:
    chat.say("o eproc nao gerou a publicação")
    chat.say("ah, obrigado")
    assert chat.state.name == "ask_grau"
    chat.say("primeiro grau")
    assert chat.state.data["offer"] == "eproc-1g"
    assert chat.state.data["category"] == "tramitacao"


def test_a_long_story_about_one_system_is_one_problem(chat: Conversation) -> None:
    chat.say(
        "Bom dia. Então, vou tentar explicar: trabalho numa vara criminal e desde a semana "
        "passada os modelos de documento que a gente usava no eproc sumiram. Já perguntei "
        "pros colegas e ninguém sabe. Preciso deles pra soltar os despachos."
    )
    assert chat.state.name == "intake"
    assert chat.state.data["offer"] == "eproc-1g"


def test_the_system_named_wins_over_another_systems_offer(chat: Conversation) -> None:
    chat.say("esqueci minha senha do SEI")
    assert chat.state.data["offer"] == "sei"


def test_a_cpf_sent_to_an_agent_is_relayed_masked(
    real_kb: KnowledgeBase, real_triage: Triage
) -> None:
    tickets = FakeTickets({"SEI-AAAAAA": view("SEI-AAAAAA", "em_atendimento", with_agent=True)})
    chat = Conversation(Services(real_kb, real_triage, tickets, NOW, 7), Renderer(real_kb))
    chat.say("meu cpf é 123.456.789-09")
    [relay] = [a for a in chat.actions if isinstance(a, RelayToTicket)]
    assert relay.text == "meu cpf é ***.***.***-**"


def test_a_cpf_the_inbox_hid_still_tells_the_user_not_to_send_it(chat: Conversation) -> None:
    assert hide_cpf("cpf 123.456.789-09 ou 12345678909") == "cpf ***.***.***-** ou ***********"
    chat.say("meu cpf é *********** e o eproc bloqueou meu usuário")
    assert "cpf_notice" in chat.templates


def test_a_cnj_number_goes_into_the_ticket_even_if_the_description_omits_it(
    chat: Conversation,
) -> None:
    chat.say("processo 1004567-21.2024.8.26.0224 não aparece na fila de publicação do eproc")
    chat.say("trabalho na 3ª vara cível de Guarulhos")
    assert "1004567-21.2024.8.26.0224" in chat.text()
    chat.say("a intimação não foi publicada desde ontem, aparece erro na fila")
    chat.tap("Confirmar")
    description = chat.opened().fields["descricao"]
    assert description.startswith("a intimação não foi publicada desde ontem")
    assert "Número do processo informado: 1004567-21.2024.8.26.0224" in description
