"""Agents, the audit log and relayed-message links, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from storage import (
    AgentExists,
    MessageLink,
    Role,
    Ticket,
    User,
    add_agent,
    agent_by_telegram_id,
    audit,
    audit_entries,
    copy_sent,
    enqueue,
    erase_user_data,
    link_message,
    link_of_agent_message,
    link_of_user_message,
    list_agents,
    queued_by_offer,
    remove_agent,
    search_tickets,
    ticket_by_card,
    ticket_by_topic,
)
from storage.audit import REFUSED
from storage.schema import alembic_config, upgrade

from .conftest import NOW


def test_agents_are_added_once_listed_and_removed_with_their_assignments(
    session: Session, make_ticket: Callable[..., Ticket]
) -> None:
    ana = add_agent(
        session, telegram_user_id=9_000_000_001, role=Role.AGENT, display_name="Ana", now=NOW
    )
    add_agent(session, telegram_user_id=5, role="supervisor", display_name="Sofia", now=NOW)
    with pytest.raises(AgentExists):
        add_agent(session, telegram_user_id=5, role="agent", display_name="Outra", now=NOW)
    assert [a.telegram_user_id for a in list_agents(session)] == [5, 9_000_000_001]
    ticket = make_ticket()
    ticket.assigned_agent_id = ana.id
    session.add(ticket)
    session.flush()

    assert remove_agent(session, telegram_user_id=9_000_000_001)
    session.refresh(ticket)
    assert ticket.assigned_agent_id is None
    assert agent_by_telegram_id(session, telegram_user_id=9_000_000_001) is None
    assert not remove_agent(session, telegram_user_id=9_000_000_001)
    with pytest.raises(ValueError):
        add_agent(session, telegram_user_id=6, role="chefe", display_name="X", now=NOW)


def test_audit_entries_by_time_and_ticket(
    session: Session, make_ticket: Callable[..., Ticket]
) -> None:
    ticket = make_ticket()
    audit(session, action="take", now=NOW, actor_telegram_id=1, actor_name="Ana", ticket=ticket)
    audit(
        session,
        action="reply",
        now=NOW + timedelta(hours=1),
        actor_telegram_id=2,
        outcome=REFUSED,
        details={"reason": "not_agent"},
    )
    audit(
        session, action="resolve", now=NOW + timedelta(hours=2), actor_telegram_id=1, ticket=ticket
    )
    session.commit()

    assert [e.action for e in audit_entries(session)] == ["take", "reply", "resolve"]
    since = audit_entries(session, since=NOW + timedelta(minutes=30))
    assert [e.action for e in since] == ["reply", "resolve"]
    assert [e.action for e in audit_entries(session, ticket_id=ticket.id)] == ["take", "resolve"]
    newest = audit_entries(session, limit=1, newest_first=True)
    assert [(e.action, e.ticket_code) for e in newest] == [("resolve", ticket.code)]
    assert audit_entries(session)[1].details == {"reason": "not_agent"}


def test_links_follow_copies_and_are_erased_with_the_user(
    session: Session, make_ticket: Callable[..., Ticket], make_user: Callable[..., User]
) -> None:
    user = make_user(7_000_000_001)
    ticket = make_ticket(requester_id=user.id)
    row = enqueue(session, chat_id=-100123, method="sendMessage", params={"text": "x"}, now=NOW)
    link_message(
        session,
        ticket=ticket,
        direction="in",
        content="text",
        user_chat_id=user.chat_id,
        user_message_id=11,
        agent_chat_id=-100123,
        outbox_id=row.id,
        now=NOW,
    )
    assert row.id is not None
    copy_sent(session, outbox_id=row.id, message_id=99)
    found = link_of_agent_message(session, chat_id=-100123, message_id=99)
    assert found is not None and found.user_message_id == 11
    assert link_of_user_message(session, chat_id=user.chat_id, message_id=11) == found

    assert user.id is not None
    erase_user_data(session, user_id=user.id, now=NOW)
    assert session.exec(select(MessageLink)).all() == []


def test_tickets_by_topic_card_text_and_queue(
    session: Session, make_ticket: Callable[..., Ticket]
) -> None:
    first = make_ticket(fields={"descricao": "A redistribuição falhou"})
    second = make_ticket(priority=1, now=NOW + timedelta(minutes=5))
    first.agent_chat_id, first.topic_thread_id = -100123, 77
    second.agent_chat_id, second.card_message_id = -100123, 501
    session.add_all([first, second])
    session.flush()

    assert ticket_by_topic(session, chat_id=-100123, thread_id=77) == first
    assert ticket_by_card(session, chat_id=-100123, message_id=501) == second
    assert search_tickets(session, text="REDISTRIBUIÇÃO") in ([first], [])
    assert search_tickets(session, text="redistribuição") == [first]
    assert search_tickets(session, text=second.code.lower()) == [second]
    assert queued_by_offer(session) == {"suporte-tecnico": [second, first]}


def test_upgrading_from_0002_keeps_every_row(database_url: str, empty_engine: Engine) -> None:
    upgrade(database_url, "0002")
    with empty_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, telegram_user_id, chat_id, name, unreachable, created_at)"
                " VALUES (1, 10, 10, 'Ana', false, :now)"
            ),
            {"now": NOW},
        )
        connection.execute(
            text(
                "INSERT INTO tickets (id, code, offer_id, status, priority, requester_id, fields,"
                " created_at, updated_at) VALUES (1, 'SUP-AAAAAA', 'sei', 'novo', 3, 1, '{}',"
                " :now, :now)"
            ),
            {"now": NOW},
        )
        connection.execute(
            text(
                "INSERT INTO ticket_events (ticket_id, kind, actor, visible_to_user, created_at)"
                " VALUES (1, 'status', 'user', true, :now)"
            ),
            {"now": NOW},
        )
    upgrade(empty_engine)
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM ticket_events")).scalar() == 1
        assert connection.execute(text("SELECT agent_chat_id FROM tickets")).scalar() is None
    with empty_engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM ticket_events")).scalar() == 1
