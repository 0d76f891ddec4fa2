"""What the supervisors' overview shows, read from the store in one pass.

Rows are per offer, and per office for offers whose tickets name one (Balcão Virtual's
`office` field). "Today" is the supervisors' calendar day in `zone`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import mean
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, or_, select

from storage.lifecycle import OPEN_STATUSES, Status
from storage.tables import Rating, Ticket, TicketEvent

CHART_DAYS = 30
CSAT_DAYS = 7
# The estimated wait is the mean wait of the tickets taken in this many last days.
WAIT_DAYS = 7
_OPEN = sorted(OPEN_STATUSES)
_ATTENDANCE = (Status.EM_ATENDIMENTO.value, Status.AGUARDANDO_USUARIO.value)


@dataclass
class Row:
    """One line of the overview: an offer, or one office of an offer."""

    offer_id: str
    office: str | None = None
    waiting: int = 0
    in_attendance: int = 0
    oldest_wait: timedelta | None = None
    estimated_wait: timedelta | None = None
    at_risk: int = 0
    breached_today: int = 0
    resolved_today: int = 0
    csat: float | None = None
    ratings: int = 0
    waits: list[float] = field(default_factory=list, repr=False)
    scores: list[int] = field(default_factory=list, repr=False)


@dataclass(frozen=True)
class Day:
    """One day of the charts: tickets opened, and mean hours to resolve those resolved."""

    day: date
    opened: int
    resolved: int
    resolution_hours: float | None


@dataclass(frozen=True)
class Overview:
    """The overview's rows (offers, then their offices) and the last 30 days."""

    rows: list[Row]
    days: list[Day]


def day_start(now: datetime, zone: ZoneInfo) -> datetime:
    """Midnight of `now`'s day in `zone`."""
    return datetime.combine(now.astimezone(zone).date(), time(), zone)


def at_risk(ticket: Ticket, now: datetime) -> bool:
    """Open, with a target, past its warning point and not yet breached."""
    return (
        ticket.status in _OPEN
        and ticket.due_at is not None
        and now < ticket.due_at
        and (ticket.warned_at is not None or (ticket.warn_at is not None and ticket.warn_at <= now))
    )


def overview(session: Session, *, now: datetime, zone: ZoneInfo) -> Overview:
    """Queues, attendance, risk, breaches, resolutions and CSAT per offer and office."""
    since = day_start(now, zone) - timedelta(days=CHART_DAYS - 1)
    today = day_start(now, zone)
    tickets = list(
        session.exec(
            select(Ticket).where(
                or_(
                    col(Ticket.status).in_(_OPEN),
                    col(Ticket.created_at) >= since,
                    col(Ticket.resolved_at) >= since,
                    col(Ticket.breached_at) >= today,
                )
            )
        )
    )
    taken = _taken_at(session, [t.id for t in tickets if t.id is not None])
    rated = _ratings_since(session, now - timedelta(days=CSAT_DAYS))
    rows: dict[tuple[str, str | None], Row] = {}
    for ticket in tickets:
        for key in _keys(ticket):
            row = rows.setdefault(key, Row(*key))
            _count(row, ticket, now, today, taken.get(ticket.id or 0))
            if ticket.id in rated:
                row.scores.append(rated[ticket.id])
    for row in rows.values():
        row.estimated_wait = timedelta(seconds=mean(row.waits)) if row.waits else None
        row.ratings = len(row.scores)
        row.csat = mean(row.scores) if row.scores else None
    ordered = sorted(rows.values(), key=lambda r: (r.offer_id, r.office is not None, r.office))
    return Overview(ordered, _days(tickets, since, zone))


def _keys(ticket: Ticket) -> list[tuple[str, str | None]]:
    office = ticket.fields.get("office") if isinstance(ticket.fields, dict) else None
    keys: list[tuple[str, str | None]] = [(ticket.offer_id, None)]
    if isinstance(office, str) and office:
        keys.append((ticket.offer_id, office))
    return keys


def _count(
    row: Row, ticket: Ticket, now: datetime, today: datetime, taken: datetime | None
) -> None:
    if ticket.status == Status.NOVO.value:
        row.waiting += 1
        age = now - ticket.created_at
        row.oldest_wait = age if row.oldest_wait is None else max(row.oldest_wait, age)
    elif ticket.status in _ATTENDANCE:
        row.in_attendance += 1
    if at_risk(ticket, now):
        row.at_risk += 1
    if ticket.breached_at is not None and ticket.breached_at >= today:
        row.breached_today += 1
    if ticket.resolved_at is not None and ticket.resolved_at >= today:
        row.resolved_today += 1
    if taken is not None and taken >= now - timedelta(days=WAIT_DAYS):
        row.waits.append((taken - ticket.created_at).total_seconds())


def _taken_at(session: Session, ids: list[int]) -> dict[int, datetime]:
    """When each ticket was first taken (its first move to em_atendimento)."""
    if not ids:
        return {}
    query = select(TicketEvent.ticket_id, TicketEvent.created_at).where(
        col(TicketEvent.ticket_id).in_(ids),
        col(TicketEvent.to_status) == Status.EM_ATENDIMENTO.value,
    )
    first: dict[int, datetime] = {}
    for ticket_id, at in session.exec(query):
        first[ticket_id] = at if ticket_id not in first else min(first[ticket_id], at)
    return first


def _ratings_since(session: Session, since: datetime) -> dict[int, int]:
    query = select(Rating.ticket_id, Rating.score).where(col(Rating.created_at) >= since)
    return {ticket_id: score for ticket_id, score in session.exec(query)}


def _days(tickets: Iterable[Ticket], since: datetime, zone: ZoneInfo) -> list[Day]:
    opened: defaultdict[date, int] = defaultdict(int)
    hours: defaultdict[date, list[float]] = defaultdict(list)
    for ticket in tickets:
        if ticket.created_at >= since:
            opened[ticket.created_at.astimezone(zone).date()] += 1
        if ticket.resolved_at is not None and ticket.resolved_at >= since:
            spent = (ticket.resolved_at - ticket.created_at).total_seconds() / 3600
            hours[ticket.resolved_at.astimezone(zone).date()].append(spent)
    first = since.astimezone(zone).date()
    days = [first + timedelta(days=n) for n in range(CHART_DAYS)]
    return [Day(d, opened[d], len(hours[d]), mean(hours[d]) if hours[d] else None) for d in days]
