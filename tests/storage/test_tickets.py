"""Opening tickets, due times, status changes with history, and finding tickets again."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, timedelta, timezone

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import StatementError
from sqlmodel import Session

from storage.attachments import attachments_of
from storage.errors import InvalidTransition
from storage.history import SYSTEM, USER, EventKind, add_event, agent_actor, history
from storage.lifecycle import Status
from storage.tables import Ticket, User
from storage.tickets import (
    cancel_ticket,
    change_status,
    ticket_by_code,
    tickets_in_attendance,
    tickets_of_user,
)

from .conftest import NOW

AGENT = agent_actor(555)


@dataclass(frozen=True)
class File:
    file_id: str
    file_name: str | None
    size: int | None
    mime_type: str | None
    kind: str


def test_new_ticket_is_queued_with_a_prefixed_code_and_an_opening_entry(
    session: Session, make_ticket: Callable[..., Ticket], make_user: Callable[..., User]
) -> None:
    user = make_user(42)
    ticket = make_ticket(code_prefix="EPR", offer_id="eproc-2g", requester_id=user.id)
    session.commit()

    stored = ticket_by_code(session, code=ticket.code)
    assert stored is not None
    assert stored.code.startswith("EPR-")
    assert (stored.status, stored.offer_id, stored.requester_id) == ("novo", "eproc-2g", user.id)
    assert stored.fields == {"descricao": "O portal não abre"}
    [opening] = history(session, ticket_id=stored.id or 0, for_user=True)
    assert (opening.kind, opening.actor, opening.from_status, opening.to_status) == (
        "status",
        USER,
        None,
        "novo",
    )


@pytest.mark.parametrize("hours", [2, 4, 24, 120, 0.5])
def test_due_time_is_opening_time_plus_target_running_hours(
    session: Session, make_ticket: Callable[..., Ticket], hours: float
) -> None:
    ticket = make_ticket(target_hours=hours)
    session.commit()
    session.expire_all()

    assert ticket.due_at == NOW + timedelta(hours=hours)
    assert ticket.due_at is not None and ticket.due_at.tzinfo is not None


def test_no_target_means_no_due_time(session: Session, make_ticket: Callable[..., Ticket]) -> None:
    ticket = make_ticket(target_hours=None)
    session.commit()
    session.expire_all()
    assert ticket.due_at is None


def test_timestamps_come_back_aware_in_utc_whatever_zone_went_in(
    session: Session, make_ticket: Callable[..., Ticket]
) -> None:
    brasilia = timezone(timedelta(hours=-3))
    ticket = make_ticket(now=NOW.astimezone(brasilia))
    session.commit()
    session.expire_all()
    assert ticket.created_at == NOW
    assert ticket.created_at.tzinfo is UTC


def test_naive_timestamps_are_refused(session: Session, make_ticket: Callable[..., Ticket]) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        make_ticket(now=NOW.replace(tzinfo=None))
        session.flush()


def test_attachments_are_stored_with_the_ticket(
    session: Session, make_ticket: Callable[..., Ticket]
) -> None:
    files = [
        File("AgAD-print", "erro.png", 48_213, "image/png", "photo"),
        File("BQAD-pdf", "oficio.pdf", 3_000_000_000, "application/pdf", "document"),
    ]
    ticket = make_ticket(attachments=files)
    session.commit()

    stored = attachments_of(session, ticket_id=ticket.id or 0)
    assert [(a.file_id, a.file_name, a.size, a.mime_type, a.kind) for a in stored] == [
        (f.file_id, f.file_name, f.size, f.mime_type, f.kind) for f in files
    ]


def test_status_change_records_who_moved_it_from_where_to_where(
    session: Session, make_ticket: Callable[..., Ticket]
) -> None:
    ticket = make_ticket()
    later = NOW + timedelta(minutes=5)
    change_status(session, ticket=ticket, to="em_atendimento", actor=AGENT, now=later, text="Oi")
    session.commit()

    events = history(session, ticket_id=ticket.id or 0, for_user=False)
    last = events[-1]
    assert (last.kind, last.actor, last.from_status, last.to_status, last.text) == (
        "status",
        AGENT,
        "novo",
        "em_atendimento",
        "Oi",
    )
    assert ticket.status == "em_atendimento"
    assert ticket.updated_at == later


def test_resolving_and_closing_stamp_their_times_and_reopening_clears_resolution(
    session: Session, make_ticket: Callable[..., Ticket]
) -> None:
    ticket = make_ticket()
    t1, t2, t3 = (NOW + timedelta(hours=n) for n in (1, 2, 3))
    change_status(session, ticket=ticket, to=Status.RESOLVIDO, actor=AGENT, now=t1)
    assert ticket.resolved_at == t1
    change_status(session, ticket=ticket, to=Status.EM_ATENDIMENTO, actor=USER, now=t2)
    assert ticket.resolved_at is None
    change_status(session, ticket=ticket, to=Status.RESOLVIDO, actor=AGENT, now=t3)
    change_status(session, ticket=ticket, to=Status.FECHADO, actor=SYSTEM, now=t3)
    session.commit()
    session.expire_all()
    assert (ticket.status, ticket.resolved_at, ticket.closed_at) == ("fechado", t3, t3)


def test_refused_transition_changes_nothing(
    session: Session, make_ticket: Callable[..., Ticket]
) -> None:
    ticket = make_ticket()
    cancel_ticket(session, ticket=ticket, actor=USER, now=NOW)
    session.commit()
    with pytest.raises(InvalidTransition):
        change_status(session, ticket=ticket, to="em_atendimento", actor=AGENT, now=NOW)
    session.rollback()

    assert ticket.status == "cancelado"
    assert [e.to_status for e in history(session, ticket_id=ticket.id or 0, for_user=False)] == [
        "novo",
        "cancelado",
    ]


def test_cancelling_stamps_the_closing_time(
    session: Session, make_ticket: Callable[..., Ticket]
) -> None:
    ticket = make_ticket()
    event = cancel_ticket(session, ticket=ticket, actor=USER, now=NOW, text="resolvi sozinho")
    assert (ticket.status, ticket.closed_at, event.text) == ("cancelado", NOW, "resolvi sozinho")


def test_two_agents_taking_the_same_ticket_at_once_one_is_refused(
    engine: Engine, make_ticket: Callable[..., Ticket], session: Session
) -> None:
    code = make_ticket().code
    session.commit()
    first = Session(engine)
    taken = ticket_by_code(first, code=code)
    assert taken is not None
    change_status(first, ticket=taken, to="em_atendimento", actor=agent_actor(1), now=NOW)
    outcome: list[BaseException | None] = []

    def second_agent() -> None:
        with Session(engine) as second:
            try:
                ticket = ticket_by_code(second, code=code)
                assert ticket is not None
                change_status(
                    second, ticket=ticket, to="em_atendimento", actor=agent_actor(2), now=NOW
                )
                second.commit()
                outcome.append(None)
            except InvalidTransition as error:
                outcome.append(error)

    thread = threading.Thread(target=second_agent)
    thread.start()
    thread.join(timeout=0.5)
    assert thread.is_alive(), "the second agent must wait for the first one's transaction"
    first.commit()
    first.close()
    thread.join(timeout=10)

    assert len(outcome) == 1 and isinstance(outcome[0], InvalidTransition)
    session.expire_all()
    ticket = ticket_by_code(session, code=code)
    assert ticket is not None
    assert [e.actor for e in history(session, ticket_id=ticket.id or 0, for_user=False)] == [
        USER,
        agent_actor(1),
    ]


@pytest.mark.parametrize("typed", ["{code}", "{lower}", "{spaced}", "{nodash}"])
def test_ticket_is_found_by_the_code_however_it_is_typed(
    session: Session, make_ticket: Callable[..., Ticket], typed: str
) -> None:
    code = make_ticket().code
    variants = {
        "code": code,
        "lower": code.lower(),
        "spaced": " " + code.replace("-", " ") + " ",
        "nodash": code.replace("-", ""),
    }
    found = ticket_by_code(session, code=typed.format(**variants))
    assert found is not None and found.code == code


def test_unknown_or_malformed_code_finds_nothing(
    session: Session, make_ticket: Callable[..., Ticket]
) -> None:
    make_ticket()
    assert ticket_by_code(session, code="SUP-ZZZZZZ") is None
    assert ticket_by_code(session, code="qualquer coisa") is None


def test_user_sees_only_their_own_tickets_newest_first(
    session: Session, make_ticket: Callable[..., Ticket], make_user: Callable[..., User]
) -> None:
    ana, bruno = make_user(1, "Ana"), make_user(2, "Bruno")
    old = make_ticket(requester_id=ana.id, now=NOW)
    new = make_ticket(requester_id=ana.id, now=NOW + timedelta(days=1))
    make_ticket(requester_id=bruno.id)
    cancel_ticket(session, ticket=old, actor=USER, now=NOW + timedelta(days=2))
    session.commit()

    assert [t.code for t in tickets_of_user(session, user_id=ana.id or 0)] == [new.code, old.code]
    open_only = tickets_of_user(session, user_id=ana.id or 0, statuses=[Status.NOVO])
    assert [t.code for t in open_only] == [new.code]


def test_internal_notes_stay_out_of_the_users_history(
    session: Session, make_ticket: Callable[..., Ticket]
) -> None:
    ticket = make_ticket()
    add_event(session, ticket=ticket, kind=EventKind.MESSAGE, actor=AGENT, now=NOW, text="Olá")
    add_event(session, ticket=ticket, kind="note", actor=AGENT, now=NOW, text="ligar para CSG")
    session.commit()

    for_user = history(session, ticket_id=ticket.id or 0, for_user=True)
    for_agents = history(session, ticket_id=ticket.id or 0, for_user=False)
    assert [e.text for e in for_user] == [None, "Olá"]
    assert [e.text for e in for_agents] == [None, "Olá", "ligar para CSG"]


def test_status_entries_only_come_from_change_status(
    session: Session, make_ticket: Callable[..., Ticket]
) -> None:
    ticket = make_ticket()
    with pytest.raises(ValueError, match="change_status"):
        add_event(session, ticket=ticket, kind="status", actor=AGENT, now=NOW)
    with pytest.raises(ValueError):
        add_event(session, ticket=ticket, kind="gossip", actor=AGENT, now=NOW)


def test_tickets_in_attendance_are_the_users_open_tickets_an_agent_took(
    session: Session, make_ticket: Callable[..., Ticket], make_user: Callable[..., User]
) -> None:
    ana, bruno = make_user(1, "Ana"), make_user(2, "Bruno")
    queued = make_ticket(requester_id=ana.id, now=NOW)
    taken = make_ticket(requester_id=ana.id, now=NOW + timedelta(hours=1))
    later = make_ticket(requester_id=ana.id, now=NOW + timedelta(hours=2))
    done = make_ticket(requester_id=ana.id, now=NOW + timedelta(hours=3))
    others = make_ticket(requester_id=bruno.id)
    for ticket in (taken, later, done, others):
        ticket.assigned_agent_id = 42
        change_status(session, ticket=ticket, to=Status.EM_ATENDIMENTO, actor=AGENT, now=NOW)
    change_status(session, ticket=done, to=Status.RESOLVIDO, actor=AGENT, now=NOW)
    session.commit()

    rows = tickets_in_attendance(session, user_id=ana.id or 0)
    assert [r.code for r in rows] == [later.code, taken.code]
    assert (rows[0].offer_id, rows[0].status) == ("suporte-tecnico", "em_atendimento")
    assert queued.code not in [r.code for r in rows]
