"""Queue position: within the offer, by priority then age, from one indexed COUNT."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, event, text
from sqlmodel import Session, delete

from storage.history import agent_actor
from storage.outbox import enqueue
from storage.position_messages import POSITION
from storage.queue import (
    QueuedTicket,
    pending_out_of_queue,
    queue_fronts_of_user,
    queue_position,
    queue_positions,
)
from storage.queue import (
    queued_tickets as queue_of,
)
from storage.tables import Ticket, TicketEvent, User
from storage.tickets import cancel_ticket, change_status

from .conftest import NOW


def at(minutes: int) -> dict[str, object]:
    return {"now": NOW + timedelta(minutes=minutes)}


Sent = tuple[str, Any]


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[Sent]]:
    """(SQL, parameters) of each statement the engine sends while the test runs."""
    seen: list[Sent] = []

    def record(conn: object, cursor: object, statement: str, parameters: Any, *_: object) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_urgent_tickets_go_first_then_the_oldest_within_each_offer(
    session: Session, make_ticket: Callable[..., Ticket]
) -> None:
    sup_old_low = make_ticket(offer_id="suporte-tecnico", priority=3, **at(0))
    sei_first = make_ticket(offer_id="sei", code_prefix="SEI", priority=3, **at(1))
    sup_new_urgent = make_ticket(offer_id="suporte-tecnico", priority=1, **at(2))
    sup_mid_urgent = make_ticket(offer_id="suporte-tecnico", priority=1, **at(1))
    sup_normal = make_ticket(offer_id="suporte-tecnico", priority=2, **at(3))
    sei_second = make_ticket(offer_id="sei", code_prefix="SEI", priority=3, **at(5))
    session.commit()

    expected = [
        (sup_mid_urgent, 1),
        (sup_new_urgent, 2),
        (sup_normal, 3),
        (sup_old_low, 4),
        (sei_first, 1),
        (sei_second, 2),
    ]
    assert [(t.code, queue_position(session, ticket=t)) for t, _ in expected] == [
        (t.code, n) for t, n in expected
    ]


def test_tickets_opened_in_the_same_instant_keep_their_opening_order(
    session: Session, make_ticket: Callable[..., Ticket]
) -> None:
    tickets = [make_ticket(**at(0)) for _ in range(3)]
    assert [queue_position(session, ticket=t) for t in tickets] == [1, 2, 3]


def test_tickets_behind_move_up_when_one_is_taken(
    session: Session, make_ticket: Callable[..., Ticket]
) -> None:
    first, second, third = (make_ticket(**at(n)) for n in range(3))
    change_status(session, ticket=first, to="em_atendimento", actor=agent_actor(9), now=NOW)

    assert queue_position(session, ticket=first) is None
    assert (queue_position(session, ticket=second), queue_position(session, ticket=third)) == (1, 2)


def test_a_users_queue_fronts_are_their_first_queued_ticket_in_each_offer(
    session: Session, make_ticket: Callable[..., Ticket], make_user: Callable[..., User]
) -> None:
    ana, bia = make_user(401), make_user(402)
    make_ticket(requester_id=bia.id, **at(0))
    make_ticket(requester_id=ana.id, **at(1))  # 2nd in suporte-tecnico
    make_ticket(requester_id=ana.id, **at(2))
    taken = make_ticket(requester_id=ana.id, offer_id="sei", code_prefix="SEI", **at(0))
    change_status(session, ticket=taken, to="em_atendimento", actor=agent_actor(9), now=NOW)
    make_ticket(requester_id=ana.id, offer_id="sei", code_prefix="SEI", priority=1, **at(3))

    assert queue_fronts_of_user(session, user_id=ana.id) == {"suporte-tecnico": 2, "sei": 1}
    assert queue_fronts_of_user(session, user_id=bia.id) == {"suporte-tecnico": 1}


@pytest.mark.parametrize("status", ["em_atendimento", "resolvido", "cancelado"])
def test_tickets_out_of_the_queue_have_no_position(
    session: Session, make_ticket: Callable[..., Ticket], status: str
) -> None:
    ticket = make_ticket()
    change_status(session, ticket=ticket, to=status, actor=agent_actor(9), now=NOW)
    assert queue_position(session, ticket=ticket) is None


def test_position_reflects_the_database_even_when_the_object_is_stale(
    engine: Engine, session: Session, make_ticket: Callable[..., Ticket]
) -> None:
    ticket = make_ticket()
    ticket_id = ticket.id
    session.commit()
    with Session(engine) as other:
        fresh = other.get(Ticket, ticket_id)
        assert fresh is not None
        change_status(other, ticket=fresh, to="em_atendimento", actor=agent_actor(9), now=NOW)
        other.commit()
    assert queue_position(session, ticket=ticket) is None


def test_queue_positions_lists_the_whole_offer_in_order(
    session: Session, make_ticket: Callable[..., Ticket]
) -> None:
    low = make_ticket(priority=4, **at(0))
    urgent = make_ticket(priority=1, **at(9))
    make_ticket(offer_id="sei", code_prefix="SEI")
    positions = queue_positions(session, offer_id="suporte-tecnico")
    assert positions == {urgent.id: 1, low.id: 2}
    assert all(queue_position(session, ticket=t) == positions[t.id] for t in (low, urgent))


def test_position_is_one_count_query_that_loads_no_ticket_rows(
    session: Session, make_ticket: Callable[..., Ticket], statements: list[Sent]
) -> None:
    tickets = [make_ticket(priority=n % 3 + 1, **at(n)) for n in range(20)]
    session.commit()
    statements.clear()

    queue_position(session, ticket=tickets[7])

    queries = [sql for sql, _ in statements if not sql.upper().startswith("BEGIN")]
    assert len(queries) == 1, queries
    select_list = re.match(r"\s*SELECT\s+(.*?)\s+FROM\s", queries[0], flags=re.S | re.I)
    assert select_list is not None and select_list.group(1).lower().startswith("count(*)")
    assert "," not in select_list.group(1)


def test_position_query_is_served_by_the_queue_index(
    session: Session, make_ticket: Callable[..., Ticket], statements: list[Sent]
) -> None:
    ticket = make_ticket()
    session.commit()
    statements.clear()
    queue_position(session, ticket=ticket)
    [(query, params)] = [(sql, p) for sql, p in statements if sql.upper().startswith("SELECT")]
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        plan = " ".join(
            str(row[-1])
            for row in session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {query}", params)
        )
        assert "COVERING INDEX ix_tickets_queue" in plan, plan
    else:
        # A table this small would be scanned; forbid that to see which index the plan uses.
        session.connection().execute(text("SET LOCAL enable_seqscan = off"))
        plan = " ".join(
            str(row[0]) for row in session.connection().exec_driver_sql(f"EXPLAIN {query}", params)
        )
        assert "Index Only Scan using ix_tickets_queue" in plan, plan


queued_tickets = st.lists(
    st.tuples(
        st.sampled_from(["sei", "suporte-tecnico", "eproc-1g"]),
        st.integers(min_value=1, max_value=3),  # priority
        st.integers(min_value=0, max_value=5),  # minutes after NOW, ties on purpose
        st.booleans(),  # taken by an agent, so out of the queue
    ),
    max_size=12,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(specs=queued_tickets)
def test_position_matches_sorting_the_queue_in_python(
    session: Session, make_ticket: Callable[..., Ticket], specs: list[tuple[str, int, int, bool]]
) -> None:
    session.exec(delete(TicketEvent))
    session.exec(delete(Ticket))
    tickets = []
    for offer, priority, minute, taken in specs:
        ticket = make_ticket(offer_id=offer, priority=priority, **at(minute))
        if taken:
            change_status(session, ticket=ticket, to="em_atendimento", actor="agent:1", now=NOW)
        tickets.append(ticket)

    for ticket in tickets:
        line = sorted(
            (t for t in tickets if t.offer_id == ticket.offer_id and t.status == "novo"),
            key=lambda t: (t.priority, t.created_at, t.id),
        )
        expected = line.index(ticket) + 1 if ticket in line else None
        assert queue_position(session, ticket=ticket) == expected
    session.rollback()


def test_queued_tickets_lists_the_queue_in_order_with_each_reachable_requesters_chat(
    session: Session, make_ticket: Callable[..., Ticket], make_user: Callable[..., User]
) -> None:
    ana, bia = make_user(7_123_456_789), make_user(7_123_456_790)
    bia.unreachable = True  # blocked the bot: no one to tell
    session.add(bia)
    old = make_ticket(requester_id=ana.id, **at(0))
    urgent = make_ticket(requester_id=bia.id, priority=1, **at(2))
    nobody = make_ticket(**at(1))
    make_ticket(offer_id="sei", code_prefix="SEI", requester_id=ana.id, **at(3))

    queued = queue_of(session, offer_id="suporte-tecnico")

    assert queued == [
        QueuedTicket(urgent.id or 0, urgent.code, 1, None),
        QueuedTicket(old.id or 0, old.code, 2, ana.chat_id),
        QueuedTicket(nobody.id or 0, nobody.code, 3, None),
    ]
    assert [t.id for t in queued] == list(queue_positions(session, offer_id="suporte-tecnico"))


def test_pending_out_of_queue_names_the_tickets_that_left_with_a_message_pending(
    session: Session, make_ticket: Callable[..., Ticket]
) -> None:
    stays, leaves, sent_only = make_ticket(), make_ticket(), make_ticket()
    elsewhere = make_ticket(offer_id="sei", code_prefix="SEI")
    for ticket in (stays, leaves, elsewhere):
        enqueue(
            session,
            chat_id=1,
            method="sendMessage",
            params={"text": "x"},
            now=NOW,
            kind=POSITION,
            ticket_id=ticket.id,
        )
    for ticket in (leaves, sent_only, elsewhere):
        cancel_ticket(session, ticket=ticket, actor="user", now=NOW)

    # Pending changes count: the statement flushes them first, as an ORM query would.
    assert pending_out_of_queue(session, offer_id="suporte-tecnico", kind=POSITION) == [leaves.id]
    assert pending_out_of_queue(session, offer_id="suporte-tecnico", kind="status") == []
