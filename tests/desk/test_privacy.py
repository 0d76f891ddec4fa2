"""LGPD through the desk: the export holds the user's tickets; erasure keeps only statistics."""

from __future__ import annotations

import base64
import json
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from storage import Conversation, EventKind, User, add_event, agent_actor, ticket_by_code

from .driver import (
    Chat,
    Clock,
    all_tickets,
    count_rows,
    move_ticket,
    open_sei_ticket,
    open_support_ticket,
    stored_attachments,
    stored_events,
    stored_rating,
    stored_ticket,
)


def exported(chat: Chat) -> dict[str, Any]:
    """The JSON document the export sent as a file, after its readable summary."""
    [summary, file] = chat.calls
    assert (summary.method, file.method) == ("sendMessage", "sendDocument")
    upload = file.params["document"]
    assert upload["filename"].startswith("meus-dados-") and upload["filename"].endswith(".json")
    document: dict[str, Any] = json.loads(base64.b64decode(upload["upload"]))
    return document


def agent_says(engine: Engine, code: str, text: str, clock: Clock) -> None:
    """An agent's message on the ticket (it quotes the user)."""
    with Session(engine) as session, session.begin():
        ticket = ticket_by_code(session, code=code)
        assert ticket is not None
        add_event(
            session,
            ticket=ticket,
            kind=EventKind.MESSAGE,
            actor=agent_actor(77),
            now=clock.now,
            text=text,
        )


def test_my_data_export_contains_the_user_and_their_tickets(chat: Chat) -> None:
    code = open_sei_ticket(chat)

    chat.say("/meus_dados")

    assert "Seus dados" in chat.text
    assert "Nome: Maria Souza" in chat.text
    assert f"• {code} · Helpdesk do SEI · Novo (na fila), aberto em 02/06/2025" in chat.text
    assert "1 anexo(s)" in chat.text
    assert "{" not in chat.calls[0].text  # people read the summary; the JSON is the file
    data = exported(chat)
    assert data["user"]["name"] == "Maria Souza"
    assert data["user"]["telegram_user_id"] == chat.telegram_user_id
    [ticket] = data["tickets"]
    assert (ticket["code"], ticket["offer_id"], ticket["status"]) == (code, "sei", "novo")
    assert ticket["fields"]["email"] == "maria.souza@ma.gov.br"
    assert ticket["fields"]["nome"] == "Maria da Conceição Souza"
    assert [a["file_name"] for a in ticket["attachments"]] == ["print-da-tela.png"]
    assert [h["to_status"] for h in ticket["history"]] == ["novo"]
    assert [c["state"] for c in data["conversations"]] == ["idle"]
    assert chat.state == "idle"


def test_erasing_data_removes_personal_data_and_keeps_ticket_statistics(
    chat: Chat, engine: Engine, clock: Clock
) -> None:
    sei = open_sei_ticket(chat)
    support = open_support_ticket(chat, "Consulta Técnica", "Como uso o token na Minha Área?")
    move_ticket(engine, sei, "em_atendimento", now=clock.now)
    agent_says(engine, sei, "Maria, o processo 2025.123 voltou para a SEAD.", clock)
    move_ticket(engine, sei, "resolvido", now=clock.now)
    chat.status(sei, "resolvido")
    chat.tap("5 ⭐")
    chat.say("A Maria agradece!")
    before = {
        t.code: (t.offer_id, t.category, t.priority, t.created_at, t.due_at)
        for t in all_tickets(engine)
    }
    clock.advance(days=1)

    chat.say("/apagar_dados")
    assert "Apagar os seus dados pessoais?" in chat.text
    assert stored_ticket(engine, support).status == "novo"
    chat.tap("Sim, apagar meus dados")

    assert "os seus dados pessoais foram apagados" in chat.text
    assert chat.user() is None
    assert count_rows(engine, User) == 0
    assert count_rows(engine, Conversation) == 0
    tickets = all_tickets(engine)
    after = {t.code: (t.offer_id, t.category, t.priority, t.created_at, t.due_at) for t in tickets}
    assert after == before
    for ticket in tickets:
        assert (ticket.requester_id, ticket.fields) == (None, {})
        assert stored_attachments(engine, ticket) == []
        assert all(event.text is None for event in stored_events(engine, ticket))
    assert stored_ticket(engine, sei).status == "resolvido"
    cancelled = stored_ticket(engine, support)
    assert (cancelled.status, cancelled.closed_at) == ("cancelado", clock.now)
    assert stored_events(engine, cancelled)[-1].actor == "system"
    rating = stored_rating(engine, stored_ticket(engine, sei))
    assert rating is not None
    assert (rating.score, rating.comment) == (5, None)


def test_after_erasure_the_same_person_starts_afresh(chat: Chat, engine: Engine) -> None:
    open_sei_ticket(chat)
    chat.say("/apagar_dados")
    chat.tap("Sim, apagar meus dados")

    chat.say("/meus_chamados")

    assert "Você ainda não tem chamados" in chat.text
    user = chat.user()
    assert user is not None
    assert len(all_tickets(engine)) == 1


def test_declining_erasure_keeps_everything_and_returns_to_the_form(
    chat: Chat, engine: Engine
) -> None:
    code = open_sei_ticket(chat)
    chat.say("o portal está fora do ar")
    if chat.state == "ask_system":
        chat.tap("Suporte técnico")
    chat.say("/apagar_dados")
    chat.tap("Não, manter meus dados")

    assert "nada foi apagado" in chat.text
    assert "2/3 · Descrição" in chat.text
    assert chat.state == "intake"
    ticket = stored_ticket(engine, code)
    assert ticket.fields["nome"] == "Maria da Conceição Souza"
    assert ticket.requester_id == chat.user().id  # type: ignore[union-attr]
    assert len(stored_attachments(engine, ticket)) == 1


def test_typing_yes_does_not_erase(chat: Chat, engine: Engine) -> None:
    open_sei_ticket(chat)
    chat.say("/apagar_dados")
    chat.say("sim")

    assert chat.state == "erase_confirm"
    assert chat.user() is not None
    assert all_tickets(engine)[0].requester_id is not None
