"""Ratings: one 1–5 score per resolved ticket, with an optional comment."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from storage.errors import TicketNotRateable
from storage.history import history
from storage.lifecycle import Status
from storage.ratings import comment_rating, rate_ticket, rating_of
from storage.tables import Rating, Ticket
from storage.tickets import change_status

from .conftest import NOW


@pytest.fixture
def resolved(session: Session, make_ticket: Callable[..., Ticket]) -> Ticket:
    ticket = make_ticket()
    change_status(session, ticket=ticket, to=Status.RESOLVIDO, actor="agent:1", now=NOW)
    return ticket


def test_resolved_ticket_takes_a_score_and_comment(session: Session, resolved: Ticket) -> None:
    rate_ticket(session, ticket=resolved, score=5, comment="Rápido!", now=NOW)
    session.commit()

    rating = rating_of(session, ticket_id=resolved.id or 0)
    assert rating is not None and (rating.score, rating.comment) == (5, "Rápido!")
    last = history(session, ticket_id=resolved.id or 0, for_user=True)[-1]
    assert (last.kind, last.actor) == ("rating", "user")


def test_closed_ticket_can_be_rated_too(session: Session, resolved: Ticket) -> None:
    change_status(session, ticket=resolved, to=Status.FECHADO, actor="system", now=NOW)
    assert rate_ticket(session, ticket=resolved, score=3, now=NOW).comment is None


@pytest.mark.parametrize("status", [None, "em_atendimento", "cancelado"])
def test_unresolved_ticket_cannot_be_rated(
    session: Session, make_ticket: Callable[..., Ticket], status: str | None
) -> None:
    ticket = make_ticket()
    if status:
        change_status(session, ticket=ticket, to=status, actor="agent:1", now=NOW)
    with pytest.raises(TicketNotRateable, match="not resolved"):
        rate_ticket(session, ticket=ticket, score=4, now=NOW)


def test_a_ticket_is_rated_only_once(session: Session, resolved: Ticket) -> None:
    rate_ticket(session, ticket=resolved, score=2, now=NOW)
    with pytest.raises(TicketNotRateable, match="already rated"):
        rate_ticket(session, ticket=resolved, score=5, now=NOW)
    assert (rating := rating_of(session, ticket_id=resolved.id or 0)) and rating.score == 2


@pytest.mark.parametrize("score", [0, 6, -1])
def test_score_outside_one_to_five_is_refused(
    session: Session, resolved: Ticket, score: int
) -> None:
    with pytest.raises(ValueError, match="1 to 5"):
        rate_ticket(session, ticket=resolved, score=score, now=NOW)


def test_the_database_itself_refuses_a_score_of_six(session: Session, resolved: Ticket) -> None:
    session.add(Rating(ticket_id=resolved.id or 0, score=6, created_at=NOW))
    with pytest.raises(IntegrityError):
        session.flush()


def test_a_comment_joins_the_rating_given_at_the_tap(session: Session, resolved: Ticket) -> None:
    assert comment_rating(session, ticket=resolved, comment="ok", now=NOW) is None
    rate_ticket(session, ticket=resolved, score=4, now=NOW)
    rating = comment_rating(session, ticket=resolved, comment="Rápido", now=NOW)
    assert rating is not None and (rating.score, rating.comment) == (4, "Rápido")
