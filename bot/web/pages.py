"""The supervisors' pages: overview, tickets at risk, a ticket, agents, knowledge gaps."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from aiohttp import web
from sqlmodel import Session

from bot.web.auth import SUPERVISOR_KEY
from bot.web.charts import bar_chart
from bot.web.web_context import WEB, WebContext, render
from knowledge_base.gap_report import Gap, group_gaps
from storage import history, ticket_by_code
from storage.gaps import gaps_since
from storage.supervision import CSAT_DAYS, overview
from storage.supervision_lists import actor_names, agents_overview, tickets_at_risk

T = TypeVar("T")
GAP_DAYS = 30
MAX_GAP_DAYS = 365


async def _read(request: web.Request, read: Callable[[WebContext, Session], T]) -> T:
    context = request.app[WEB]

    def run() -> T:
        # The rows are rendered after the transaction: keep their loaded values.
        with Session(context.engine, expire_on_commit=False) as session, session.begin():
            return read(context, session)

    return await asyncio.to_thread(run)


def _page(request: web.Request, template: str, params: dict[str, object]) -> web.Response:
    context = request.app[WEB]
    common = {
        "session": request[SUPERVISOR_KEY],
        "offers": context.kb().offers,
        "now": context.clock(),
        "zone": context.zone,
    }
    body = render(context, template, {**common, **params})
    return web.Response(text=body, content_type="text/html")


async def overview_page(request: web.Request) -> web.Response:
    """Per offer and office: queues, attendance, risk, breaches, resolutions, CSAT, 30 days."""
    data = await _read(request, lambda c, s: overview(s, now=c.clock(), zone=c.zone))
    volume = bar_chart([(f"{d.day:%d/%m}", float(d.opened)) for d in data.days])
    hours = bar_chart([(f"{d.day:%d/%m}", d.resolution_hours) for d in data.days])
    offices = {
        o.id: o.name for offer in request.app[WEB].kb().offers.values() for o in offer.offices
    }
    params = {
        "rows": data.rows,
        "days": data.days,
        "volume": volume,
        "hours": hours,
        "office_names": offices,
        "csat_days": CSAT_DAYS,
    }
    return _page(request, "visao_geral.html.j2", params)


async def risk_page(request: web.Request) -> web.Response:
    """Open tickets past their warning point or target, least time left first."""
    rows = await _read(request, lambda c, s: tickets_at_risk(s, now=c.clock()))
    return _page(request, "em_risco.html.j2", {"rows": rows})


async def ticket_page(request: web.Request) -> web.Response:
    """One ticket and its history, as the agents see it."""
    code = request.match_info["code"]
    if len(code) > 32:
        raise web.HTTPNotFound()

    def read(context: WebContext, session: Session) -> dict[str, object] | None:
        ticket = ticket_by_code(session, code=code)
        if ticket is None or ticket.id is None:
            return None
        events = history(session, ticket_id=ticket.id, for_user=False)
        offer = context.kb().offers.get(ticket.offer_id)
        category = offer.category(ticket.category or "") if offer else None
        return {
            "ticket": ticket,
            "events": events,
            "actors": actor_names(session),
            "category": category.label if category else ticket.category,
        }

    found = await _read(request, read)
    if found is None:
        raise web.HTTPNotFound()
    return _page(request, "chamado.html.j2", found)


async def agents_page(request: web.Request) -> web.Response:
    """Who works what, tickets resolved and CSAT per agent over the last 7 days."""
    rows = await _read(
        request,
        lambda c, s: agents_overview(s, since=c.clock() - timedelta(days=CSAT_DAYS)),
    )
    return _page(request, "agentes.html.j2", {"rows": rows, "days": CSAT_DAYS})


async def gaps_page(request: web.Request) -> web.Response:
    """The knowledge gaps report (`?dias=N`, 30 by default)."""
    text = request.query.get("dias", str(GAP_DAYS))
    if not text.isdigit() or not 1 <= int(text) <= MAX_GAP_DAYS:
        raise web.HTTPBadRequest()
    days = int(text)

    def read(context: WebContext, session: Session) -> list[Gap]:
        since = context.clock() - timedelta(days=days)
        return [Gap(r.kind, r.text, r.article_id, r.at) for r in gaps_since(session, since=since)]

    gaps = await _read(request, read)
    groups = group_gaps(gaps, request.app[WEB].kb().language)
    return _page(request, "lacunas.html.j2", {"groups": groups, "days": days})
