"""Supervisors' login: Telegram id + the desk's TOTP code, and logout.

The code goes through the desk's SecondFactor: the same lockout after too many wrong codes,
the same refusal of a code already used (at the desk or here). Every attempt is audited.
Before login a CSRF token rides in a cookie and the form (double submit); after, each session
has its own token (bot/web/auth.py checks it).
"""

from __future__ import annotations

import asyncio
import hmac
import secrets

from aiohttp import web
from sqlmodel import Session

from bot.web.auth import COOKIE, LOGIN, LOGIN_CSRF_COOKIE, SUPERVISOR_KEY, set_cookie
from bot.web.web_context import WEB, WebContext, render
from storage import Agent, agent_by_telegram_id, audit
from storage.audit import REFUSED
from storage.web_sessions import close_web_session, open_web_session

SUPERVISOR = "supervisor"


async def login_form(request: web.Request) -> web.Response:
    """The login form, with a fresh CSRF token in a cookie and a hidden field."""
    return _login_page(request, None, 200)


def _login_page(request: web.Request, error: str | None, status: int) -> web.Response:
    context = request.app[WEB]
    csrf = secrets.token_urlsafe(24)
    body = render(context, "entrar.html.j2", {"session": None, "csrf": csrf, "error": error})
    response = web.Response(text=body, status=status, content_type="text/html")
    set_cookie(request, response, LOGIN_CSRF_COOKIE, csrf)
    return response


async def login(request: web.Request) -> web.StreamResponse:
    """Check the id and code; a supervisor gets a session, anyone else a polite refusal."""
    form = await request.post()
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(str(form.get("csrf", "")), expected):
        raise web.HTTPForbidden()
    typed_id, code = str(form.get("telegram_id", "")).strip(), str(form.get("code", ""))
    if not typed_id.isdigit() or len(typed_id) > 20:
        return _login_page(request, "id_invalido", 400)
    context = request.app[WEB]
    outcome, token = await asyncio.to_thread(_check, context, int(typed_id), code)
    if token is None:
        return _login_page(request, outcome, 401)
    response = web.HTTPSeeOther("/")
    set_cookie(request, response, COOKIE, token)
    response.del_cookie(LOGIN_CSRF_COOKIE, path="/")
    raise response


def _check(context: WebContext, telegram_id: int, code: str) -> tuple[str, str | None]:
    """(outcome, session token or None), audited in the same transaction."""
    now = context.clock()
    with Session(context.engine) as session, session.begin():
        agent = agent_by_telegram_id(session, telegram_user_id=telegram_id)
        outcome = _outcome(context, session, agent, code)
        token = None
        if outcome == "ok" and agent is not None:
            token = secrets.token_urlsafe(32)
            csrf = secrets.token_urlsafe(24)
            expires = now + context.session_for
            open_web_session(session, agent=agent, token=token, csrf=csrf, now=now, expires=expires)
        audit(
            session,
            action="web_login",
            now=now,
            actor_telegram_id=telegram_id,
            actor_name=agent.display_name if agent else "",
            outcome="ok" if token else REFUSED,
            details={} if token else {"reason": outcome},
        )
    return outcome, token


def _outcome(context: WebContext, session: Session, agent: Agent | None, code: str) -> str:
    if agent is None:
        return "not_agent"
    if agent.role != SUPERVISOR:
        return "not_supervisor"
    if agent.locked:
        return "locked"
    if not agent.totp_confirmed or agent.totp_secret is None:
        return "not_enrolled"
    if not code.strip():
        return "code_missing"
    result = context.factor.submit(session, agent, code)
    if result.outcome in ("accepted", "confirmed"):
        return "ok"
    return result.outcome


async def logout(request: web.Request) -> web.StreamResponse:
    """End the session (the middleware has checked its CSRF token)."""
    supervisor = request[SUPERVISOR_KEY]
    context = request.app[WEB]

    def close() -> None:
        with Session(context.engine) as session, session.begin():
            close_web_session(session, token=supervisor.token)

    await asyncio.to_thread(close)
    response = web.HTTPSeeOther(LOGIN)
    response.del_cookie(COOKIE, path="/")
    raise response
