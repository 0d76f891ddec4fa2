"""LGPD: export everything about a user; erase personal data, keep anonymous statistics."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from storage.attachments import attachments_of
from storage.conversations import load_conversation, save_conversation
from storage.history import EventKind, add_event, agent_actor, history
from storage.inbox import record_update
from storage.lifecycle import Status
from storage.privacy import erase_user_data, export_user_data
from storage.ratings import rate_ticket, rating_of
from storage.tables import Attachment, Conversation, Ticket, TicketEvent, User
from storage.tickets import change_status

from .conftest import NOW

LATER = NOW + timedelta(days=2)
FIELDS = {"nome": "Maria Souza", "email": "maria@ma.gov.br", "descricao": "SEI fora do ar"}


@dataclass(frozen=True)
class Photo:
    file_id: str = "AgAD-print"
    file_name: str | None = None
    size: int | None = 1234
    mime_type: str | None = "image/jpeg"
    kind: str = "photo"


@dataclass
class Story:
    maria: User
    other: User
    resolved: Ticket
    waiting: Ticket
    others_ticket: Ticket


@pytest.fixture
def story(
    session: Session, make_user: Callable[..., User], make_ticket: Callable[..., Ticket]
) -> Story:
    """Maria has a resolved, rated SEI ticket and an open one; João has one ticket."""
    maria = make_user(10, "Maria Souza", "maria_s")
    other = make_user(20, "João")
    resolved = make_ticket(
        offer_id="sei",
        code_prefix="SEI",
        category=None,
        requester_id=maria.id,
        fields=FIELDS,
        attachments=[Photo()],
        target_hours=120,
    )
    agent = agent_actor(999)
    change_status(session, ticket=resolved, to="em_atendimento", actor=agent, now=NOW)
    add_event(
        session,
        ticket=resolved,
        kind=EventKind.MESSAGE,
        actor=agent,
        now=NOW,
        text="Maria, qual é o seu órgão?",
    )
    add_event(
        session,
        ticket=resolved,
        kind=EventKind.MESSAGE,
        actor="user",
        now=NOW,
        text="SEFAZ, ramal 1234",
    )
    add_event(
        session,
        ticket=resolved,
        kind=EventKind.NOTE,
        actor=agent,
        now=NOW,
        text="Maria já ligou duas vezes",
    )
    change_status(session, ticket=resolved, to="resolvido", actor=agent, now=NOW)
    rate_ticket(session, ticket=resolved, score=4, comment="Obrigada, Carlos", now=NOW)
    waiting = make_ticket(requester_id=maria.id, fields={"descricao": "erro 500"})
    others_ticket = make_ticket(requester_id=other.id, fields={"descricao": "do João"})
    for person in (maria, other):
        save_conversation(
            session,
            chat_id=person.chat_id,
            user_id=person.id or 0,
            state="menu",
            data={"rascunho": f"texto de {person.name}"},
            expected_version=None,
            now=NOW,
        )
    session.commit()
    return Story(maria, other, resolved, waiting, others_ticket)


def test_export_holds_profile_conversation_and_every_ticket(session: Session, story: Story) -> None:
    data = export_user_data(session, user_id=story.maria.id or 0)

    assert data["user"]["name"] == "Maria Souza"
    assert data["user"]["username"] == "maria_s"
    assert data["user"]["telegram_user_id"] == 10
    assert [c["data"] for c in data["conversations"]] == [{"rascunho": "texto de Maria Souza"}]
    tickets = {t["code"]: t for t in data["tickets"]}
    assert set(tickets) == {story.resolved.code, story.waiting.code}
    sei = tickets[story.resolved.code]
    assert sei["fields"] == FIELDS
    assert sei["attachments"][0]["file_id"] == "AgAD-print"
    assert sei["rating"]["score"] == 4 and sei["rating"]["comment"] == "Obrigada, Carlos"
    texts = [e["text"] for e in sei["history"]]
    assert "SEFAZ, ramal 1234" in texts and "Maria, qual é o seu órgão?" in texts


def test_export_is_json_and_names_no_agent_nor_internal_note(
    session: Session, story: Story
) -> None:
    dumped = json.dumps(export_user_data(session, user_id=story.maria.id or 0))

    assert "Maria já ligou duas vezes" not in dumped
    assert "999" not in dumped
    assert "do João" not in dumped and "texto de João" not in dumped
    assert NOW.isoformat().replace("+00:00", "") in dumped


def test_export_of_an_unknown_user_is_an_error(session: Session) -> None:
    with pytest.raises(LookupError):
        export_user_data(session, user_id=12345)


def test_erasure_removes_every_piece_of_personal_data(session: Session, story: Story) -> None:
    maria_id = story.maria.id or 0
    assert erase_user_data(session, user_id=maria_id, now=LATER) == 2
    session.commit()
    session.expire_all()

    assert session.get(User, maria_id) is None
    assert load_conversation(session, chat_id=10, user_id=maria_id) is None
    for ticket in (story.resolved, story.waiting):
        assert ticket.requester_id is None
        assert ticket.fields == {}
        assert attachments_of(session, ticket_id=ticket.id or 0) == []
        assert {e.text for e in history(session, ticket_id=ticket.id or 0, for_user=False)} == {
            None
        }
    rating = rating_of(session, ticket_id=story.resolved.id or 0)
    assert rating is not None and rating.comment is None
    everything = " ".join(
        repr(row.model_dump())
        for model in (User, Conversation, Ticket, TicketEvent, Attachment)
        for row in session.exec(select(model)).all()
    )
    for secret in ("Maria", "maria", "SEFAZ", "AgAD", "Obrigada"):
        assert secret not in everything


def test_erasure_keeps_anonymous_statistics(session: Session, story: Story) -> None:
    resolved = story.resolved
    before = (
        resolved.offer_id,
        resolved.category,
        resolved.status,
        resolved.priority,
        resolved.created_at,
        resolved.due_at,
        resolved.resolved_at,
        resolved.code,
    )
    kinds_before = [e.kind for e in history(session, ticket_id=resolved.id or 0, for_user=False)]

    erase_user_data(session, user_id=story.maria.id or 0, now=LATER)
    session.commit()
    session.expire_all()

    assert (
        resolved.offer_id,
        resolved.category,
        resolved.status,
        resolved.priority,
        resolved.created_at,
        resolved.due_at,
        resolved.resolved_at,
        resolved.code,
    ) == before
    events = history(session, ticket_id=resolved.id or 0, for_user=False)
    assert [e.kind for e in events] == kinds_before
    rating = rating_of(session, ticket_id=resolved.id or 0)
    assert rating is not None and rating.score == 4


def test_erasure_cancels_open_tickets_nobody_could_answer(session: Session, story: Story) -> None:
    erase_user_data(session, user_id=story.maria.id or 0, now=LATER)
    session.commit()
    session.expire_all()

    assert (story.waiting.status, story.waiting.closed_at) == (Status.CANCELADO, LATER)
    last = history(session, ticket_id=story.waiting.id or 0, for_user=False)[-1]
    assert (last.actor, last.from_status, last.to_status) == ("system", "novo", "cancelado")
    assert story.resolved.status == Status.RESOLVIDO


def test_erasure_leaves_other_users_alone(session: Session, story: Story) -> None:
    erase_user_data(session, user_id=story.maria.id or 0, now=LATER)
    session.commit()
    session.expire_all()

    other = export_user_data(session, user_id=story.other.id or 0)
    assert other["user"]["name"] == "João"
    assert other["conversations"][0]["data"] == {"rascunho": "texto de João"}
    assert other["tickets"][0]["fields"] == {"descricao": "do João"}


def test_erasing_an_unknown_user_touches_nothing(session: Session, story: Story) -> None:
    assert erase_user_data(session, user_id=54321, now=LATER) == 0
    assert len(session.exec(select(User)).all()) == 2


def test_export_holds_what_the_user_wrote_and_sent_as_the_inbox_keeps_it(
    session: Session, story: Story
) -> None:
    chat = {"id": 10, "type": "private"}

    def receive(update_id: int, payload: dict[str, Any], chat_id: int = 10) -> None:
        record_update(session, update_id=update_id, chat_id=chat_id, payload=payload, now=NOW)

    receive(1, {"message": {"message_id": 1, "chat": chat, "text": "meu CPF é 123"}})
    document = {"file_id": "BQAD", "file_name": "oficio.pdf", "file_size": 99}
    receive(
        2, {"message": {"message_id": 2, "chat": chat, "document": document, "caption": "ofício"}}
    )
    receive(3, {"message": {"message_id": 3, "chat": chat, "photo": [{"file_id": "AgAD"}]}})
    receive(4, {"edited_message": {"message_id": 1, "chat": chat, "text": "meu CPF é 124"}})
    receive(5, {"callback_query": {"id": "q", "from": {"id": 10}, "data": "menu"}})
    other = {"message": {"message_id": 1, "chat": {"id": 20}, "text": "do João"}}
    receive(6, other, chat_id=20)
    session.commit()

    messages = export_user_data(session, user_id=story.maria.id or 0)["messages"]

    received = NOW.isoformat().replace("+00:00", "Z")
    assert messages == [
        {"received_at": received, "text": "meu CPF é 123"},
        {
            "received_at": received,
            "caption": "ofício",
            "files": [{"kind": "document", "name": "oficio.pdf"}],
        },
        {"received_at": received, "files": [{"kind": "photo"}]},
        {"received_at": received, "edited": True, "text": "meu CPF é 124"},
    ]
    # Only what they wrote: not the raw update with Telegram's file ids.
    assert "BQAD" not in json.dumps(messages)
