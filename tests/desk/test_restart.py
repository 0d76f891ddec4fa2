"""A conversation survives a process restart: the state lives in the store, not in memory."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session

from bot.app import App, build_app
from bot.config import Config
from bot.user_turn import UserTurn
from storage import Conversation

from .driver import (
    SEI_PROBLEM,
    Chat,
    Clock,
    move_ticket,
    open_support_ticket,
    stored_attachments,
    stored_ticket,
)


@pytest.fixture
def start_app(config: Config, clock: Clock) -> Iterator[Callable[[], tuple[App, Chat]]]:
    """Build the whole app from the config, as a fresh process does; the user talks to it."""
    apps: list[App] = []

    def start() -> tuple[App, Chat]:
        app = build_app(config)
        apps.append(app)
        desk = UserTurn(app.kb, app.desk.triage, app.renderer, clock)
        return app, Chat(desk, app.engine, 4242, "Maria Souza")

    yield start
    for app in apps:
        app.engine.dispose()


def test_a_form_left_midway_continues_after_a_restart_and_opens_the_ticket(
    start_app: Callable[[], tuple[App, Chat]], clock: Clock
) -> None:
    first, chat = start_app()
    chat.say(SEI_PROBLEM)
    chat.tap("SEFAZ")
    chat.say("Maria da Conceição Souza")
    chat.say("maria.souza@ma.gov.br")
    first.engine.dispose()

    second, chat = start_app()
    assert second.engine is not first.engine
    clock.advance(hours=2)
    chat.resume()
    assert "digite o e-mail (Email) mais uma vez: maria.souza@ma.gov.br" in chat.text
    chat.say("maria.souza@ma.gov.br")
    chat.tap("Usar a mensagem que enviei")
    chat.attach("tela.pdf", 120_000, "application/pdf")
    chat.tap("Continuar")
    chat.tap("Confirmar")

    ticket = stored_ticket(second.engine, chat.opened_code())
    assert ticket.fields == {
        "orgao": "SEFAZ – Secretaria de Estado da Fazenda",
        "nome": "Maria da Conceição Souza",
        "email": "maria.souza@ma.gov.br",
        "descricao": "um processo sumiu da minha unidade no SEI",
    }
    [attachment] = stored_attachments(second.engine, ticket)
    assert (attachment.file_name, attachment.kind) == ("tela.pdf", "document")
    assert ticket.created_at == clock.now


def resume_at_article(chat: Chat, engine: Engine) -> None:
    chat.say("O eproc fala que o código de autenticação é inválido, o que eu faço?")


def resume_at_grau(chat: Chat, engine: Engine) -> None:
    chat.say("erro na redistribuição do recurso no eproc")


def resume_at_summary(chat: Chat, engine: Engine) -> None:
    chat.say("o portal está fora do ar")
    if chat.state == "ask_system":
        chat.tap("Suporte técnico")
    chat.tap("Usar a mensagem que enviei")
    chat.tap("Pular")


def resume_at_rating(chat: Chat, engine: Engine) -> None:
    code = open_support_ticket(chat, "Consulta Técnica", "Como uso o token na Minha Área?")
    move_ticket(engine, code, "resolvido")
    chat.status(code, "resolvido")


@pytest.mark.parametrize(
    ("reach", "state", "question"),
    [
        (resume_at_article, "article", "Essa orientação resolveu o seu problema?"),
        (resume_at_grau, "ask_grau", "Em qual grau de jurisdição você está?"),
        (resume_at_summary, "intake_summary", "Confira o seu chamado antes de enviar"),
        (resume_at_rating, "rating_score", "Como você avalia o atendimento?"),
    ],
)
def test_resume_after_a_restart_asks_the_pending_question_again(
    start_app: Callable[[], tuple[App, Chat]],
    reach: Callable[[Chat, Engine], None],
    state: str,
    question: str,
) -> None:
    first, chat = start_app()
    reach(chat, first.engine)
    labels = chat.labels
    first.engine.dispose()

    _, chat = start_app()
    chat.resume()

    assert question in chat.text
    assert chat.labels == labels
    assert chat.state == state


def test_resume_when_idle_greets_the_user(start_app: Callable[[], tuple[App, Chat]]) -> None:
    _, chat = start_app()
    chat.resume()

    assert "Eu sou o Triagem" in chat.text
    assert chat.state == "idle"


def test_resume_of_a_state_the_knowledge_base_no_longer_fits_starts_over(
    start_app: Callable[[], tuple[App, Chat]],
) -> None:
    first, chat = start_app()
    chat.say(SEI_PROBLEM)
    with Session(first.engine) as session, session.begin():
        session.exec(update(Conversation).values(data={"offer": "oferta-removida", "step": 0}))
    first.engine.dispose()

    _, chat = start_app()
    chat.resume()

    assert "Eu sou o Triagem" in chat.text
    assert chat.state == "idle"
