"""The supervisors' page in a real headless Chromium: login, CSRF, overview, agents, gaps."""

from __future__ import annotations

import aiohttp
import pytest
from playwright.async_api import Page
from sqlalchemy import func
from sqlmodel import Session, col, select

from storage import AuditEntry, Rating, Ticket, open_ticket
from storage.supervision_tables import KnowledgeGap

from .browser import browser, page, screenshot
from .conftest import WebBot
from .page_reading import cell, log_in, table_rows
from .supervision_day import (
    Staff,
    assign,
    current_code,
    enroll_staff,
    fire_timers,
    known_person,
    open_timed,
    rate,
)

__all__ = ["browser", "page"]
# The page does not depend on the Telegram library: one driver is enough here.
pytestmark = pytest.mark.parametrize("library", ["aiogram"])


async def test_no_page_without_a_session_and_a_code_is_required(
    web_bot: WebBot, page: Page
) -> None:
    staff = enroll_staff(web_bot.bot)
    for path in ("/", "/em-risco", "/agentes", "/lacunas", "/chamado/SUP-AAAAAA"):
        await page.goto(f"{web_bot.base}{path}")
        assert page.url == f"{web_bot.base}/entrar", path
    await screenshot(page, "entrar")

    await log_in(page, web_bot, staff.supervisor_telegram, "")
    assert page.url == f"{web_bot.base}/entrar"
    assert "Informe o código" in await page.inner_text("#erro")
    await page.goto(f"{web_bot.base}/")
    assert page.url == f"{web_bot.base}/entrar"
    with Session(web_bot.bot.engine) as session:
        refused = session.exec(
            select(AuditEntry).where(
                AuditEntry.action == "web_login", AuditEntry.outcome == "refused"
            )
        ).all()
    assert [(e.actor_telegram_id, e.details) for e in refused] == [
        (staff.supervisor_telegram, {"reason": "code_missing"})
    ]


async def test_a_code_is_accepted_once_and_a_replayed_one_refused(
    web_bot: WebBot, page: Page
) -> None:
    staff = enroll_staff(web_bot.bot)
    code = current_code(web_bot.bot, staff.secret)
    await log_in(page, web_bot, staff.supervisor_telegram, code)
    assert page.url == f"{web_bot.base}/"
    assert await page.inner_text("h1") == "Visão geral"
    cookie = next(c for c in await page.context.cookies() if c["name"] == "triagem_sessao")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

    await page.click("text=Sair")
    assert page.url == f"{web_bot.base}/entrar"
    await log_in(page, web_bot, staff.supervisor_telegram, code)
    assert page.url == f"{web_bot.base}/entrar"
    assert "já foi usado" in await page.inner_text("#erro")


async def test_agents_who_are_not_supervisors_are_refused(web_bot: WebBot, page: Page) -> None:
    staff = enroll_staff(web_bot.bot)
    await log_in(page, web_bot, staff.agent_telegram, "123456")
    assert "só para supervisores" in await page.inner_text("#erro")
    await log_in(page, web_bot, 5, "123456")
    assert "só para supervisores" in await page.inner_text("#erro")


async def test_a_post_without_the_csrf_token_is_refused(web_bot: WebBot, page: Page) -> None:
    staff = enroll_staff(web_bot.bot)
    await log_in(page, web_bot, staff.supervisor_telegram, current_code(web_bot.bot, staff.secret))
    assert page.url == f"{web_bot.base}/"
    cookies = {c["name"]: c["value"] for c in await page.context.cookies()}

    async with aiohttp.ClientSession(cookies=cookies) as client:
        async with client.post(f"{web_bot.base}/sair", data={}) as response:
            assert response.status == 403
            assert "Acesso negado" in await response.text()
        async with client.post(f"{web_bot.base}/sair", data={"csrf": "forjado"}) as response:
            assert response.status == 403
        # Without the login page's own token, no login either.
        form = {"telegram_id": str(staff.supervisor_telegram), "code": "000000"}
        async with client.post(f"{web_bot.base}/entrar", data=form) as response:
            assert response.status == 403
        # Behind an HTTPS proxy the cookies are Secure; on plain HTTP (this test) they cannot be.
        https = {"X-Forwarded-Proto": "https"}
        async with client.get(f"{web_bot.base}/entrar", headers=https) as response:
            cookie = response.headers["Set-Cookie"]
            assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
        async with client.get(f"{web_bot.base}/entrar") as response:
            assert "Secure" not in response.headers["Set-Cookie"]
        big = {"telegram_id": "1", "code": "1" * 40_000}
        async with client.post(f"{web_bot.base}/entrar", data=big) as response:
            assert response.status == 400
    # The session survived the forged logouts.
    await page.goto(f"{web_bot.base}/agentes")
    assert page.url == f"{web_bot.base}/agentes"


async def test_overview_agents_and_gaps_after_a_scripted_day_match_the_store(
    web_bot: WebBot, page: Page
) -> None:
    bot = web_bot.bot
    staff: Staff = enroll_staff(bot)
    ana = await known_person(bot, "Ana")
    # Gaps from real conversations: no route twice (similar), an abandoned clarification, and
    # an article that did not solve the problem.
    await ana.say("minha impressora nao imprime")
    await ana.say("a impressora do setor não imprime nada")
    await ana.say("não consigo entrar no sistema")
    await ana.say("/cancelar")
    await ana.say("como ativar a autenticação em dois fatores no eproc")
    await ana.press("Não resolveu, falar com o suporte")

    codes = [bot.queue_ticket(ana, f"pedido {n}") for n in range(5)]
    assign(bot, codes[0], staff.agent, "em_atendimento")
    assign(bot, codes[1], staff.agent, "em_atendimento", "aguardando_usuario")
    assign(bot, codes[2], staff.agent, "em_atendimento", "resolvido")
    assign(bot, codes[3], staff.supervisor, "resolvido")
    rate(bot, codes[2], 5)
    rate(bot, codes[3], 2)
    office = next(iter(bot.app.kb.offers["balcao-virtual"].offices))
    with bot.session() as session:
        open_ticket(
            session,
            offer_id="balcao-virtual",
            code_prefix="BAL",
            category=None,
            priority=3,
            requester_id=None,
            fields={"office": office.id},
            target_hours=None,
            now=bot.clock(),
        )

    await log_in(page, web_bot, staff.supervisor_telegram, current_code(bot, staff.secret))
    await page.goto(f"{web_bot.base}/")
    every = await table_rows(page, "#visao-geral")
    rows = {r["offer"]: r for r in every if not r["office"]}
    support = rows["suporte-tecnico"]
    # Offers whose tickets name an office get a row per office under theirs.
    [by_office] = [r for r in every if r["office"]]
    assert (by_office["offer"], by_office["office"]) == ("balcao-virtual", office.id)
    assert cell(by_office, "waiting") == cell(rows["balcao-virtual"], "waiting") == 1
    assert office.name in await page.inner_text(f"tr[data-office='{office.id}']")
    with Session(bot.engine) as session:

        def count(*where: object) -> int:
            query = select(func.count()).select_from(Ticket).where(*where)  # type: ignore[arg-type]
            return int(session.exec(query).one())

        offer = col(Ticket.offer_id) == "suporte-tecnico"
        stored_waiting = count(offer, col(Ticket.status) == "novo")
        stored_attending = count(
            offer, col(Ticket.status).in_(["em_atendimento", "aguardando_usuario"])
        )
        stored_resolved = count(offer, col(Ticket.resolved_at).is_not(None))
        scores = session.exec(select(Rating.score)).all()
    assert (cell(support, "waiting"), stored_waiting) == (1, 1)
    assert (cell(support, "in_attendance"), stored_attending) == (2, 2)
    assert (cell(support, "resolved_today"), stored_resolved) == (2, 2)
    assert support["csat"] == "3,5 (2)" and sorted(scores) == [2, 5]
    await screenshot(page, "visao-geral")

    await page.click("text=Agentes")
    agents = {r["agent"]: r for r in await table_rows(page, "#agentes")}
    assert (
        agents[str(staff.agent_telegram)]["resolved"] == "1"
        and agents[str(staff.agent_telegram)]["csat"] == "5,0 (1)"
    )
    assert agents[str(staff.supervisor_telegram)]["csat"] == "2,0 (1)"
    working = await page.inner_text(f"tr[data-agent='{staff.agent_telegram}'] td:nth-child(3)")
    assert sorted(working.split(", ")) == sorted(codes[:2])
    await screenshot(page, "agentes")

    await page.click("text=Lacunas")
    gaps = await table_rows(page, "#lacunas")
    with Session(bot.engine) as session:
        stored = session.exec(select(KnowledgeGap.kind)).all()
    assert sorted(stored) == ["abandoned", "none", "none", "not_solved"]
    # Most frequent first; equal counts, the most recent first.
    assert [(g["count"], g["example"]) for g in gaps] == [
        ("2", "minha impressora nao imprime"),
        ("1", "como ativar a autenticação em dois fatores no eproc"),
        ("1", "não consigo entrar no sistema"),
    ]
    await screenshot(page, "lacunas")

    await page.goto(f"{web_bot.base}/chamado/{codes[2]}")
    history = await page.inner_text("#historico")
    assert "Na fila → Em atendimento" in history and "Em atendimento → Resolvido" in history
    await page.goto(f"{web_bot.base}/chamado/NAO-EXISTE")
    assert await page.inner_text("h1") == "Página não encontrada"


async def test_at_risk_list_and_overview_follow_the_clocks(web_bot: WebBot, page: Page) -> None:
    bot = web_bot.bot
    staff = enroll_staff(bot)
    ana = await known_person(bot, "Ana")
    # A 4 h target opened first; 2 h 30 min later a 2 h one and a 24 h one.
    outage = open_timed(bot, ana, "defeito-com-paralisacao")
    bot.advance(hours=2, minutes=30)
    question = open_timed(bot, ana, "consulta-tecnica")
    later = open_timed(bot, ana, "defeito-sem-paralisacao")
    assign(bot, question, staff.agent, "em_atendimento")
    # 1 h 40 min later: the 2 h one is past 80% (96 min), 20 min before its target; the 4 h
    # one passed its target 10 min ago.
    bot.advance(hours=1, minutes=40)
    await fire_timers(bot)
    with Session(bot.engine) as session:
        stored = {t.code: t for t in session.exec(select(Ticket))}
    assert stored[outage].breached_at is not None and stored[question].warned_at is not None
    assert stored[question].breached_at is None
    assert stored[later].warned_at is None

    await log_in(page, web_bot, staff.supervisor_telegram, current_code(bot, staff.secret))
    await page.click("text=Em risco")
    rows = await page.eval_on_selector_all(
        "#em-risco tbody tr",
        "rows => rows.map(r => [r.dataset.code, ...[...r.cells].map(c => c.innerText.trim())])",
    )
    assert [r[0] for r in rows] == [outage, question]
    # Real seconds pass under the test's clock offset: a minute may tick over.
    assert rows[0][5] in ("estourado há 10 min", "estourado há 11 min")
    assert rows[0][4] in ("4 h 10 min", "4 h 11 min")
    assert rows[1][5] in ("19 min", "20 min") and rows[1][6] == "Ana Agente"
    await screenshot(page, "em-risco")

    await page.click(f"text={question}")
    assert await page.inner_text("#situacao") == "Em atendimento"
    history = await page.inner_text("#historico")
    assert "Ana Agente" in history and "Na fila → Em atendimento" in history
    await screenshot(page, "chamado")

    await page.click("text=Visão geral")
    overview = {r["offer"]: r for r in await table_rows(page, "#visao-geral") if not r["office"]}
    support = overview["suporte-tecnico"]
    assert (cell(support, "at_risk"), cell(support, "breached_today")) == (1, 1)
    assert (cell(support, "waiting"), cell(support, "in_attendance")) == (2, 1)
