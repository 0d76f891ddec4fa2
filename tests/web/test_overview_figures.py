"""The overview's waits and 30-day charts in a real headless Chromium, after a scripted month,
against figures computed here from the store's rows (plain Python, the bot's clock)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import mean

import pytest
from playwright.async_api import Page
from sqlmodel import Session, select

from storage import Ticket, TicketEvent

from .browser import browser, page
from .conftest import WebBot
from .page_reading import PageChart, cell, charts, column_of, cut, log_in, shown_span, table_rows
from .supervision_day import current_code, enroll_staff, known_person
from .supervision_month import ZONE, final_statuses, play_month

__all__ = ["browser", "page"]
# One driver is enough for the page; the store's time zones differ, so both stores.
pytestmark = pytest.mark.parametrize(
    ("library", "backend"),
    [pytest.param("aiogram", "sqlite", id="aiogram"), pytest.param("aiogram", "postgresql")],
)

Key = tuple[str, str]  # (offer, office or "")


@dataclass
class Expected:
    """One overview row as computed here."""

    waiting: int = 0
    in_attendance: int = 0
    resolved_today: int = 0
    queued_since: list[datetime] = field(default_factory=list)
    waits: list[timedelta] = field(default_factory=list)


def first_taken(events: list[TicketEvent]) -> dict[int, datetime]:
    """When each ticket first left the queue for an agent (novo → em_atendimento)."""
    taken: dict[int, datetime] = {}
    for event in sorted(events, key=lambda e: e.created_at):
        if (event.from_status, event.to_status) == ("novo", "em_atendimento"):
            taken.setdefault(event.ticket_id, event.created_at)
    return taken


def expected_rows(
    tickets: list[Ticket], events: list[TicketEvent], now: datetime
) -> dict[Key, Expected]:
    """Per offer, and per office where a ticket names one: the overview's figures at `now`."""
    taken = first_taken(events)
    today = datetime.combine(now.astimezone(ZONE).date(), time(), ZONE)
    rows: defaultdict[Key, Expected] = defaultdict(Expected)
    for ticket in tickets:
        keys = [(ticket.offer_id, "")]
        if ticket.fields.get("office"):
            keys.append((ticket.offer_id, ticket.fields["office"]))
        for key in keys:
            row = rows[key]
            if ticket.status == "novo":
                row.waiting += 1
                row.queued_since.append(ticket.created_at)
            if ticket.status in ("em_atendimento", "aguardando_usuario"):
                row.in_attendance += 1
            if ticket.resolved_at is not None and ticket.resolved_at >= today:
                row.resolved_today += 1
            took = taken.get(ticket.id or 0)
            if took is not None and now - took <= timedelta(days=7):
                row.waits.append(took - ticket.created_at)
    return dict(rows)


def expected_days(tickets: list[Ticket], now: datetime) -> list[tuple[date, int, float | None]]:
    """The last 30 days (Brasília): tickets opened, mean hours to resolution of those resolved."""
    today = now.astimezone(ZONE).date()
    days = [today - timedelta(days=back) for back in range(29, -1, -1)]
    opened = {d: 0 for d in days}
    hours: dict[date, list[float]] = {d: [] for d in days}
    for ticket in tickets:
        if (made := ticket.created_at.astimezone(ZONE).date()) in opened:
            opened[made] += 1
        if ticket.resolved_at is not None:
            done = ticket.resolved_at.astimezone(ZONE).date()
            if done in hours:
                hours[done].append((ticket.resolved_at - ticket.created_at) / timedelta(hours=1))
    return [(d, opened[d], mean(hours[d]) if hours[d] else None) for d in days]


TITLE = re.compile(r"^(\d{2}/\d{2}): (?:(\d+(?:,\d)?) (?:chamados|h)|(sem dados))$")


def read_bars(chart: PageChart) -> list[tuple[str, float | None, float]]:
    """(day label, value or None, drawn height) of each bar."""
    bars = []
    for bar in chart.bars:
        match = TITLE.match(bar.title)
        assert match is not None, bar.title
        label, value, _ = match.groups()
        bars.append((label, None if value is None else float(value.replace(",", ".")), bar.height))
    return bars


def check_chart(chart: PageChart, expected: list[tuple[date, float | None]], caption: str) -> None:
    """Every bar's day and value as computed, heights in proportion, the scale in the caption."""
    shown = read_bars(chart)
    assert [label for label, _, _ in shown] == [f"{d:%d/%m}" for d, _ in expected]
    for (label, value, _), (_, wanted) in zip(shown, expected, strict=True):
        if wanted is None:
            assert value is None, (label, value)
        else:
            assert value is not None and abs(value - wanted) <= 0.05 + 1e-9, (label, value, wanted)
    top = max(v for _, v in expected if v is not None)
    tallest = max(height for _, _, height in shown)
    for (label, _, height), (_, wanted) in zip(shown, expected, strict=True):
        assert abs(height / tallest - (wanted or 0.0) / top) < 0.01, (label, height)
    assert chart.caption == caption


async def test_overview_waits_and_charts_after_a_scripted_month_match_the_store(
    web_bot: WebBot, page: Page
) -> None:
    bot = web_bot.bot
    staff = enroll_staff(bot)
    ana = await known_person(bot, "Ana")
    codes = play_month(bot, ana, staff.agent_telegram)

    await log_in(page, web_bot, staff.supervisor_telegram, current_code(bot, staff.secret))
    # Real time runs under the clock's offset: the page's "now" lies between these two.
    before = bot.clock()
    await page.goto(f"{web_bot.base}/")
    after = bot.clock()
    assert after - before < timedelta(seconds=30)
    shown = {(r["offer"], r["office"]): r for r in await table_rows(page, "#visao-geral")}
    oldest_col = await column_of(page, "#visao-geral", "Maior espera")
    estimated_col = await column_of(page, "#visao-geral", "Espera estimada")
    pictures = await charts(page)

    with Session(bot.engine) as session:
        tickets = list(session.exec(select(Ticket)))
        events = list(session.exec(select(TicketEvent)))
    # Nothing moved behind the script's back (the page read the same rows).
    by_code = {t.code: t.status for t in tickets}
    assert {name: by_code[code] for name, code in codes.items()} == final_statuses()

    expected = expected_rows(tickets, events, before)
    assert expected == expected_rows(tickets, events, after)
    assert set(shown) == set(expected)
    for key, row in expected.items():
        page_row = shown[key]
        figures = (cell(page_row, "waiting"), cell(page_row, "in_attendance"))
        assert figures == (row.waiting, row.in_attendance), key
        assert cell(page_row, "resolved_today") == row.resolved_today, key

        oldest = shown_span(page_row[oldest_col])
        if not row.queued_since:
            assert oldest is None, key
        else:
            assert oldest is not None, key
            span, unit = oldest
            queued = min(row.queued_since)
            assert cut(before - queued, unit) <= span <= cut(after - queued, unit), (key, span)

        estimated = shown_span(page_row[estimated_col])
        if not row.waits:
            assert estimated is None, key
        else:
            assert estimated is not None, key
            span, unit = estimated
            waited = timedelta(seconds=mean(w.total_seconds() for w in row.waits))
            assert span == cut(waited, unit), (key, span, waited)

    # The script's own arithmetic, for a reader: takes within 7 days after 150, 5, 30, 12 and
    # 45 min (support); 20 and 61 min at the office, and 46 min without one (Balcão Virtual). Means
    # away from whole minutes: the script's times run a few milliseconds late.
    waits = {key: page_row[estimated_col] for key, page_row in shown.items()}
    office = next(iter(bot.app.kb.offers["balcao-virtual"].offices)).id
    assert waits == {
        ("suporte-tecnico", ""): "48 min",
        ("balcao-virtual", ""): "42 min",
        ("balcao-virtual", office): "40 min",
    }

    days = expected_days(tickets, before)
    assert days == expected_days(tickets, after)
    most = max(opened for _, opened, _ in days)
    check_chart(
        pictures["Chamados abertos por dia"],
        [(d, float(opened)) for d, opened, _ in days],
        f"Chamados abertos por dia (máximo {most} chamados)",
    )
    longest = max(h for _, _, h in days if h is not None)
    check_chart(
        pictures["Tempo médio de resolução por dia"],
        [(d, hours) for d, _, hours in days],
        f"Tempo médio de resolução por dia (máximo {longest:.1f} h)".replace(".", ","),
    )
