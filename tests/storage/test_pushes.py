"""Queue-position pushes: one statement for the queue, writes only for tickets that moved."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlmodel import Session, col, select

from bot.pushes import LEFT_QUEUE, Pushes
from storage.position_messages import POSITION
from storage.tables import OutboxMessage, Ticket, User
from storage.tickets import cancel_ticket

from .conftest import NOW


class Texts:
    def render(self, template: str, params: Mapping[str, object]) -> str:
        return f"{template} {params['code']} {params['position']}"


@pytest.fixture
def pushes() -> Pushes:
    return Pushes(Texts(), lambda: NOW)


@pytest.fixture
def writes(engine: Engine) -> Iterator[list[str]]:
    """Every INSERT, UPDATE and DELETE the engine sends while the test runs."""
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def positions(session: Session) -> dict[int | None, tuple[str, str]]:
    rows = session.exec(
        select(OutboxMessage).where(col(OutboxMessage.kind) == POSITION).order_by(OutboxMessage.id)  # type: ignore[arg-type]
    ).all()
    return {m.ticket_id: (m.status, m.params.get("text", "")) for m in rows}


def test_positions_go_to_reachable_requesters_at_or_behind_the_change(
    session: Session,
    make_ticket: Callable[..., Ticket],
    make_user: Callable[..., User],
    pushes: Pushes,
) -> None:
    ana, bia, caio = make_user(101), make_user(102), make_user(103)
    caio.unreachable = True
    session.add(caio)
    first = make_ticket(requester_id=ana.id, now=NOW)
    second = make_ticket(requester_id=bia.id, now=NOW + timedelta(minutes=1))
    make_ticket(requester_id=caio.id, now=NOW + timedelta(minutes=2))
    make_ticket(now=NOW + timedelta(minutes=3))  # no requester
    fourth_offer = make_ticket(offer_id="sei", code_prefix="SEI", requester_id=ana.id)
    session.commit()

    pushes.queue_changed(session, "suporte-tecnico", 2)
    session.commit()

    assert positions(session) == {second.id: ("pending", f"queue_position {second.code} 2")}
    assert first.id not in positions(session) and fourth_offer.id not in positions(session)


def test_a_repeated_push_with_nothing_changed_writes_nothing(
    session: Session,
    make_ticket: Callable[..., Ticket],
    make_user: Callable[..., User],
    pushes: Pushes,
    writes: list[str],
) -> None:
    users = [make_user(200 + n) for n in range(5)]
    for n, user in enumerate(users):
        make_ticket(requester_id=user.id, now=NOW + timedelta(minutes=n))
    pushes.queue_changed(session, "suporte-tecnico", 1)
    session.commit()
    writes.clear()

    pushes.queue_changed(session, "suporte-tecnico", 1)
    session.commit()

    assert writes == []
    assert len(positions(session)) == 5


def test_a_ticket_that_left_the_queue_has_its_pending_position_dropped(
    session: Session,
    make_ticket: Callable[..., Ticket],
    make_user: Callable[..., User],
    pushes: Pushes,
) -> None:
    ana, bia = make_user(301), make_user(302)
    leaves = make_ticket(requester_id=ana.id, now=NOW)
    stays = make_ticket(requester_id=bia.id, now=NOW + timedelta(minutes=1))
    pushes.queue_changed(session, "suporte-tecnico", 1)
    session.commit()

    cancel_ticket(session, ticket=leaves, actor="user", now=NOW)  # not flushed yet
    pushes.queue_changed(session, "suporte-tecnico", 1)
    session.commit()

    stored = positions(session)
    assert stored[leaves.id] == ("dropped", f"queue_position {leaves.code} 1")
    assert stored[stays.id] == ("pending", f"queue_position {stays.code} 1")
    dropped = session.exec(
        select(OutboxMessage.error).where(OutboxMessage.ticket_id == leaves.id)  # type: ignore[arg-type]
    ).one()
    assert dropped == LEFT_QUEUE
