"""LGPD erasure beyond the user's rows: raw updates, queued calls and the agents' copies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlmodel import Session, col, select

from storage.inbox import fail_update, finish_update, record_update
from storage.message_links import link_message
from storage.outbox import OutboxStatus, due_messages, enqueue, mark_sent
from storage.privacy import erase_user_data
from storage.tables import InboxUpdate, MessageLink, OutboxMessage, Ticket, User
from storage.traces import ERASURE, erased, take_erasure

from .conftest import NOW

MARIA, JOAO = 10, 20
FORUM, PLAIN = -1001, -1002
EMAIL = "maria@ma.gov.br"
AGENT = {"id": 999, "is_bot": False, "first_name": "Carlos"}


def private(user_id: int, text: str) -> dict[str, Any]:
    """A text the user typed in their private chat, as Telegram sends it."""
    person = {"id": user_id, "is_bot": False, "first_name": f"Pessoa {user_id}"}
    chat = {"id": user_id, "type": "private", "first_name": person["first_name"]}
    return {"message": {"message_id": 1, "from": person, "chat": chat, "date": 0, "text": text}}


def in_group(
    chat: int, message_id: int, text: str, *, thread: int | None = None, reply_to: int | None = None
) -> dict[str, Any]:
    """An agent's message in a group, in a topic or replying to a message."""
    message: dict[str, Any] = {
        "message_id": message_id,
        "from": AGENT,
        "chat": {"id": chat, "type": "supergroup"},
        "date": 0,
        "text": text,
    }
    if thread is not None:
        message["message_thread_id"] = thread
    if reply_to is not None:
        message["reply_to_message"] = {
            "message_id": reply_to,
            "chat": {"id": chat, "type": "supergroup"},
            "date": 0,
            "text": "cópia",
        }
    return {"message": message}


def on_card(chat: int, card: int, card_text: str) -> dict[str, Any]:
    """An agent's tap on a ticket card's button."""
    message = {"message_id": card, "chat": {"id": chat, "type": "supergroup"}, "text": card_text}
    return {"callback_query": {"id": "q1", "from": AGENT, "message": message, "data": "d:take"}}


@dataclass
class Story:
    maria: User
    joao: User
    forum: Ticket
    plain: Ticket
    joaos: Ticket
    updates: dict[str, int]
    search: OutboxMessage


class Builder:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.next_update = 100

    def update(self, chat: int | None, payload: dict[str, Any], status: str = "done") -> int:
        self.next_update += 1
        update_id = self.next_update
        record_update(self.session, update_id=update_id, chat_id=chat, payload=payload, now=NOW)
        row = self.session.exec(select(InboxUpdate).where(InboxUpdate.update_id == update_id)).one()
        if status == "done":
            finish_update(self.session, update=row, now=NOW)
        elif status == "failed":
            fail_update(self.session, update=row, error="boom", now=NOW, max_attempts=1)
        return update_id

    def call(
        self,
        chat: int,
        params: dict[str, Any],
        *,
        sent_as: int | None = None,
        ticket: Ticket | None = None,
        kind: str = "reply",
        method: str = "sendMessage",
        pending: bool = False,
    ) -> OutboxMessage:
        row = enqueue(
            self.session,
            chat_id=chat,
            method=method,
            params=params,
            now=NOW,
            kind=kind,
            ticket_id=ticket.id if ticket else None,
        )
        if not pending:
            mark_sent(self.session, message=row, telegram_message_id=sent_as, now=NOW)
        return row

    def copy(self, ticket: Ticket, user: User, text: str, copy_id: int | None) -> None:
        """A user's message relayed to the ticket's group (sent when it has a copy id)."""
        assert ticket.agent_chat_id is not None
        row = self.call(
            ticket.agent_chat_id,
            {"text": text},
            sent_as=copy_id,
            ticket=ticket,
            kind="relay",
            pending=copy_id is None,
        )
        link_message(
            self.session,
            ticket=ticket,
            direction="in",
            content="text",
            user_chat_id=user.chat_id,
            agent_chat_id=ticket.agent_chat_id,
            agent_message_id=copy_id,
            outbox_id=row.id,
            now=NOW,
        )


def at_desk(session: Session, ticket: Ticket, chat: int, card: int, topic: int | None) -> None:
    ticket.agent_chat_id, ticket.card_message_id, ticket.topic_thread_id = chat, card, topic
    session.add(ticket)
    session.flush()


@pytest.fixture
def story(
    session: Session, make_user: Callable[..., User], make_ticket: Callable[..., Ticket]
) -> Story:
    """Maria has a ticket in a forum group (topic 77) and one in a group without topics, where
    João has one too; both talked to the bot and the agents worked on their tickets."""
    maria, joao = make_user(MARIA, "Maria Souza", "maria_s"), make_user(JOAO, "João Lima")
    forum = make_ticket(requester_id=maria.id, fields={"email": EMAIL})
    plain = make_ticket(requester_id=maria.id, fields={"descricao": "SEI fora do ar"})
    joaos = make_ticket(requester_id=joao.id, fields={"descricao": "do João"})
    at_desk(session, forum, FORUM, 500, 77)
    at_desk(session, plain, PLAIN, 600, None)
    at_desk(session, joaos, PLAIN, 700, None)
    b = Builder(session)
    # Calls to the users' chats.
    b.call(MARIA, {"text": f"Resumo: {EMAIL}"}, sent_as=9000)
    b.call(MARIA, {"text": "posição 3"}, ticket=plain, kind="position", pending=True)
    b.call(JOAO, {"text": "Resumo do João"}, sent_as=9100)
    # The forum ticket: its topic, card and copies.
    b.call(FORUM, {"name": forum.code}, ticket=forum, kind="topic", method="createForumTopic")
    b.call(FORUM, {"text": "Maria Souza"}, sent_as=500, ticket=forum, kind="card")
    b.copy(forum, maria, "Maria Souza: socorro", 501)
    b.copy(forum, maria, "Maria Souza: oi de novo", None)
    # The ticket in the group without topics: card, a copy, a file, an agent's reply to Maria.
    b.call(PLAIN, {"text": "Maria Souza"}, sent_as=600, ticket=plain, kind="card")
    b.copy(plain, maria, "Maria Souza: o SEI caiu", 601)
    document = {"document": "file-1", "caption": "print"}
    b.call(PLAIN, document, sent_as=602, ticket=plain, kind="desk", method="sendDocument")
    reply = b.call(MARIA, {"text": "Carlos: já vejo"}, sent_as=9001, ticket=plain, kind="relay_out")
    link_message(
        session,
        ticket=plain,
        direction="out",
        content="text",
        user_chat_id=MARIA,
        agent_chat_id=PLAIN,
        agent_message_id=650,
        outbox_id=reply.id,
        now=NOW,
    )
    # An agent's search lists Maria's ticket (and names her) outside its thread.
    search = b.call(PLAIN, {"text": f"{plain.code} · Maria Souza"}, sent_as=610, kind="desk_reply")
    # João's ticket in the same group.
    b.call(PLAIN, {"text": "João Lima"}, sent_as=700, ticket=joaos, kind="card")
    b.copy(joaos, joao, "João Lima: bom dia", 701)
    updates = {
        "maria_done": b.update(MARIA, private(MARIA, f"meu e-mail é {EMAIL}")),
        "maria_failed": b.update(MARIA, private(MARIA, "isso falhou"), "failed"),
        "maria_pending": b.update(MARIA, private(MARIA, "ainda na fila"), "pending"),
        "maria_inline": b.update(None, {"inline_query": {"id": "i", "from": {"id": MARIA}}}),
        "joao_inline": b.update(None, {"inline_query": {"id": "j", "from": {"id": JOAO}}}),
        "in_topic": b.update(FORUM, in_group(FORUM, 90, "Maria, confirme", thread=77)),
        "other_topic": b.update(FORUM, in_group(FORUM, 91, "outro chamado", thread=88)),
        "reply_to_copy": b.update(PLAIN, in_group(PLAIN, 92, "Vou ver", reply_to=601)),
        "card_button": b.update(PLAIN, on_card(PLAIN, 600, "Maria Souza")),
        "names_code": b.update(PLAIN, in_group(PLAIN, 93, f"/nota {plain.code} ligou")),
        "reply_to_joao": b.update(PLAIN, in_group(PLAIN, 94, "Oi João", reply_to=701)),
        "pending_reply": b.update(PLAIN, in_group(PLAIN, 95, "Maria?", reply_to=601), "pending"),
        "joao_done": b.update(JOAO, private(JOAO, "sou o João")),
    }
    session.commit()
    return Story(maria, joao, forum, plain, joaos, updates, search)


def erase_maria(session: Session, story: Story) -> None:
    erase_user_data(session, user_id=story.maria.id or 0, now=NOW)
    session.commit()
    session.expire_all()


def payloads(session: Session, story: Story) -> dict[str, dict[str, Any]]:
    rows = {r.update_id: r.payload for r in session.exec(select(InboxUpdate))}
    return {name: rows[update_id] for name, update_id in story.updates.items()}


def calls(session: Session, chat: int) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.chat_id == chat)
    return list(session.exec(query.order_by(col(OutboxMessage.id))).all())


def deletions(session: Session, chat: int) -> list[tuple[str, dict[str, Any]]]:
    return [(r.method, r.params) for r in calls(session, chat) if r.kind == ERASURE]


def test_erasure_blanks_the_users_processed_updates_but_not_pending_ones(
    session: Session, story: Story
) -> None:
    pending_before = payloads(session, story)["maria_pending"]

    erase_maria(session, story)

    after = payloads(session, story)
    for name in ("maria_done", "maria_failed", "maria_inline"):
        assert after[name] == erased(), name
    assert after["maria_pending"] == pending_before
    assert after["maria_pending"]["message"]["text"] == "ainda na fila"


def test_erasure_blanks_the_agents_updates_about_the_users_tickets(
    session: Session, story: Story
) -> None:
    before = payloads(session, story)

    erase_maria(session, story)

    after = payloads(session, story)
    for name in ("in_topic", "reply_to_copy", "card_button", "names_code"):
        assert after[name] == erased(), name
    for name in ("other_topic", "reply_to_joao", "pending_reply"):
        assert after[name] == before[name], name


def test_erasure_blanks_every_call_to_the_users_chat_and_the_next_one_goes_out(
    session: Session, story: Story
) -> None:
    erase_maria(session, story)
    confirmation = enqueue(
        session, chat_id=MARIA, method="sendMessage", params={"text": "apagados"}, now=NOW
    )
    session.commit()

    *before, last = calls(session, MARIA)
    assert last.id == confirmation.id
    assert (last.status, last.params) == (OutboxStatus.PENDING, {"text": "apagados"})
    # The summary with her e-mail, the position update waiting to go, the agent's reply.
    assert [(r.status, r.params) for r in before] == [
        (OutboxStatus.SENT, erased()),
        (OutboxStatus.DROPPED, erased()),
        (OutboxStatus.SENT, erased()),
    ]
    assert [r.id for r in due_messages(session, now=NOW, limit=10) if r.chat_id == MARIA] == [
        confirmation.id
    ]


def test_erasure_blanks_the_tickets_desk_calls_and_drops_pending_ones(
    session: Session, story: Story
) -> None:
    ids = (story.forum.id, story.plain.id)

    erase_maria(session, story)

    query = select(OutboxMessage).where(
        col(OutboxMessage.ticket_id).in_(ids), col(OutboxMessage.chat_id) != MARIA
    )
    made = [r for r in session.exec(query).all() if r.kind != ERASURE]
    # Topic, two cards, three copies (one still pending), the file.
    assert len(made) == 7
    assert all(r.params == erased() for r in made)
    assert sorted(r.status for r in made) == [OutboxStatus.DROPPED] + [OutboxStatus.SENT] * 6
    search = session.get(OutboxMessage, story.search.id)
    assert search is not None and search.params == erased()


def test_erasure_queues_deleting_the_topic_of_a_forum_ticket(
    session: Session, story: Story
) -> None:
    erase_maria(session, story)

    # The topic takes its card and copies along: no call for each of them.
    assert deletions(session, FORUM) == [("deleteForumTopic", {"message_thread_id": 77})]
    [row] = [r for r in calls(session, FORUM) if r.kind == ERASURE]
    assert (row.status, row.ticket_id) == (OutboxStatus.PENDING, story.forum.id)


def test_erasure_queues_deleting_card_copies_and_files_in_a_group_without_topics(
    session: Session, story: Story
) -> None:
    erase_maria(session, story)

    # Card, copy, file and the search that named her; not the agent's own message (650).
    assert deletions(session, PLAIN) == [
        ("deleteMessage", {"message_id": m}) for m in (600, 601, 602, 610)
    ]


def test_erasure_leaves_other_users_rows_alone(session: Session, story: Story) -> None:
    before = payloads(session, story)
    joaos = [(r.id, r.params, r.status) for r in calls(session, JOAO)]
    joao_card = [(r.id, r.params) for r in calls(session, PLAIN) if r.ticket_id == story.joaos.id]

    erase_maria(session, story)

    after = payloads(session, story)
    for name in ("joao_inline", "joao_done", "reply_to_joao"):
        assert after[name] == before[name], name
    assert [(r.id, r.params, r.status) for r in calls(session, JOAO)] == joaos
    assert [
        (r.id, r.params) for r in calls(session, PLAIN) if r.ticket_id == story.joaos.id
    ] == joao_card
    [link] = session.exec(select(MessageLink)).all()
    assert (link.ticket_id, link.agent_message_id) == (story.joaos.id, 701)
    joao = session.get(User, story.joao.id)
    assert joao is not None and joao.name == "João Lima"


def test_the_transaction_remembers_who_was_erased_once_for_whoever_finishes_the_update(
    session: Session, story: Story
) -> None:
    assert not take_erasure(session, MARIA)

    erase_maria(session, story)

    assert not take_erasure(session, JOAO)
    assert take_erasure(session, MARIA)
    assert not take_erasure(session, MARIA)  # asked once
