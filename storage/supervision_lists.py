"""The supervisors' lists: tickets at risk or breached, agents with their work and CSAT."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import mean

from sqlmodel import Session, col, select

from storage.lifecycle import OPEN_STATUSES, Status
from storage.supervision import at_risk
from storage.tables import Agent, Rating, Ticket

_OPEN = sorted(OPEN_STATUSES)


@dataclass(frozen=True)
class RiskRow:
    """An open ticket past its warning point (or its target): how old, how much time is left."""

    code: str
    offer_id: str
    status: str
    age: timedelta
    left: timedelta
    agent: str | None
    breached: bool


@dataclass
class AgentRow:
    """An agent: what they work on now, what they resolved, how requesters rate them."""

    telegram_id: int
    name: str
    role: str
    working: list[str] = field(default_factory=list)
    resolved: int = 0
    csat: float | None = None
    ratings: int = 0


def tickets_at_risk(session: Session, *, now: datetime) -> list[RiskRow]:
    """Open tickets at risk or already breached, least time left first."""
    query = select(Ticket).where(
        col(Ticket.status).in_(_OPEN),
        col(Ticket.due_at).is_not(None),
        col(Ticket.warn_at).is_not(None)
        | col(Ticket.warned_at).is_not(None)
        | (col(Ticket.due_at) <= now),
    )
    names = _agent_names(session)
    rows = []
    for ticket in session.exec(query):
        assert ticket.due_at is not None
        breached = ticket.due_at <= now
        if not breached and not at_risk(ticket, now):
            continue
        rows.append(
            RiskRow(
                ticket.code,
                ticket.offer_id,
                ticket.status,
                now - ticket.created_at,
                ticket.due_at - now,
                names.get(ticket.assigned_agent_id or 0),
                breached,
            )
        )
    return sorted(rows, key=lambda r: (r.left, r.code))


def agents_overview(session: Session, *, since: datetime) -> list[AgentRow]:
    """Every agent: tickets in attendance now, resolved since `since`, CSAT of those rated."""
    agents = list(session.exec(select(Agent).order_by(col(Agent.display_name))))
    rows = {a.id: AgentRow(a.telegram_user_id, a.display_name, a.role) for a in agents}
    assigned = select(Ticket).where(col(Ticket.assigned_agent_id).is_not(None))
    scores: dict[int, list[int]] = {}
    for ticket in session.exec(assigned):
        row = rows.get(ticket.assigned_agent_id)
        if row is None:
            continue
        if ticket.status in (Status.EM_ATENDIMENTO.value, Status.AGUARDANDO_USUARIO.value):
            row.working.append(ticket.code)
        if ticket.resolved_at is not None and ticket.resolved_at >= since:
            row.resolved += 1
    rated = select(Ticket.assigned_agent_id, Rating.score).join(
        Rating, col(Rating.ticket_id) == col(Ticket.id)
    )
    for agent_id, score in session.exec(rated.where(col(Rating.created_at) >= since)):
        if agent_id is not None:
            scores.setdefault(agent_id, []).append(score)
    for agent_id, given in scores.items():
        if (row := rows.get(agent_id)) is not None:
            row.csat, row.ratings = mean(given), len(given)
    for row in rows.values():
        row.working.sort()
    return list(rows.values())


def _agent_names(session: Session) -> dict[int, str]:
    return {a.id or 0: a.display_name for a in session.exec(select(Agent))}


def actor_names(session: Session) -> dict[str, str]:
    """History actors ("agent:<Telegram id>") to the agents' display names."""
    return {f"agent:{a.telegram_user_id}": a.display_name for a in session.exec(select(Agent))}
