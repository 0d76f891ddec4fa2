"""The web login's lockout in a real headless Chromium: wrong codes up to `[desk]
max_failed_codes` lock the supervisor, politely; the right code is refused until an unlock; the
store's audit log and agent row say the same."""

from __future__ import annotations

import pytest
from playwright.async_api import Page
from sqlmodel import Session, col, select

from bot.two_factor.totp import code_at, time_step
from storage import AuditEntry, agent_by_telegram_id, unlock_agent
from storage.tables import Agent

from .browser import browser, page
from .conftest import WebBot
from .page_reading import log_in
from .supervision_day import current_code, enroll_staff

__all__ = ["browser", "page"]
pytestmark = pytest.mark.parametrize("library", ["aiogram"])

WRONG = "Código incorreto"
LOCKED = "Acesso bloqueado por tentativas erradas"


def stored_supervisor(web_bot: WebBot, telegram_id: int) -> Agent:
    with Session(web_bot.bot.engine) as session:
        agent = agent_by_telegram_id(session, telegram_user_id=telegram_id)
        assert agent is not None
        return agent


def web_logins(web_bot: WebBot) -> list[AuditEntry]:
    with Session(web_bot.bot.engine) as session:
        query = select(AuditEntry).where(AuditEntry.action == "web_login")
        return list(session.exec(query.order_by(col(AuditEntry.id))))


async def refused_politely(page: Page, web_bot: WebBot, status: int, says: str) -> None:
    """The login form again with a plain sentence: no session, no traceback."""
    assert status == 401
    assert page.url == f"{web_bot.base}/entrar"
    assert says in await page.inner_text("#erro")
    body = await page.inner_text("body")
    assert "Traceback" not in body and "Error" not in body
    assert await page.is_visible("form[action='/entrar']")


async def test_wrong_codes_up_to_the_limit_lock_the_supervisor_until_unlocked(
    web_bot: WebBot, page: Page
) -> None:
    bot = web_bot.bot
    staff = enroll_staff(bot)
    limit = bot.app.config.desk.max_failed_codes
    step = time_step(bot.clock())
    # Wrong in every step the check tolerates around now, even if a step ends meanwhile.
    nearby = {code_at(staff.secret, step + d) for d in range(-3, 4)}
    wrong = next(c for c in (f"{n:06d}" for n in range(123_456, 1_000_000, 7)) if c not in nearby)
    spent = stored_supervisor(web_bot, staff.supervisor_telegram).totp_last_step

    for attempt in range(1, limit):
        status = await log_in(page, web_bot, staff.supervisor_telegram, wrong)
        await refused_politely(page, web_bot, status, WRONG)
        stored = stored_supervisor(web_bot, staff.supervisor_telegram)
        assert (stored.failed_attempts, stored.locked) == (attempt, False)

    status = await log_in(page, web_bot, staff.supervisor_telegram, wrong)
    await refused_politely(page, web_bot, status, LOCKED)
    stored = stored_supervisor(web_bot, staff.supervisor_telegram)
    assert (stored.failed_attempts, stored.locked) == (limit, True)

    # The right code changes nothing while locked: refused, not spent, no session.
    status = await log_in(page, web_bot, staff.supervisor_telegram, current_code(bot, staff.secret))
    await refused_politely(page, web_bot, status, LOCKED)
    stored = stored_supervisor(web_bot, staff.supervisor_telegram)
    assert (stored.failed_attempts, stored.locked, stored.totp_last_step) == (limit, True, spent)
    await page.goto(f"{web_bot.base}/")
    assert page.url == f"{web_bot.base}/entrar"

    refusals = [(e.actor_telegram_id, e.outcome, e.details) for e in web_logins(web_bot)]
    supervisor = staff.supervisor_telegram
    assert refusals == [
        *[(supervisor, "refused", {"reason": "wrong"})] * (limit - 1),
        (supervisor, "refused", {"reason": "locked"}),
        (supervisor, "refused", {"reason": "locked"}),
    ]

    # What /desbloquear does at the desk (tests/agents/test_two_factor.py drives it there).
    with bot.session() as session:
        agent = agent_by_telegram_id(session, telegram_user_id=supervisor)
        assert agent is not None
        unlock_agent(session, agent=agent)
    status = await log_in(page, web_bot, supervisor, current_code(bot, staff.secret))
    assert status == 303  # See Other: the overview
    assert page.url == f"{web_bot.base}/" and await page.inner_text("h1") == "Visão geral"
    stored = stored_supervisor(web_bot, supervisor)
    assert (stored.failed_attempts, stored.locked) == (0, False)
    assert [(e.outcome, e.details) for e in web_logins(web_bot)][-1] == ("ok", {})
