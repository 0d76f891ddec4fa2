"""Supervisors' login (Telegram id + the desk's TOTP code), sessions and CSRF tokens.

The code goes through the desk's SecondFactor: the same lockout after too many wrong codes,
the same refusal of a code already used (at the desk or here). Every attempt is audited.
Before login a CSRF token rides in a cookie and the form (double submit); after, each session
has its own token, checked on every POST.
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
from dataclasses import dataclass

from aiohttp import web
from aiohttp.typedefs import Handler
from sqlmodel import Session

from bot.web.context import WEB, WebContext, render
from storage import Agent, agent_by_telegram_id, audit
from storage.audit import REFUSED
from storage.web_sessions import close_web_session, open_web_session, web_session

COOKIE = "triagem_sessao"
LOGIN_CSRF_COOKIE = "triagem_csrf"
LOGIN = "/entrar"
# Paths served without a session: the login form, and the probes (no data in them).
PUBLIC = frozenset({LOGIN, "/healthz", "/readyz", "/metrics"})
SUPERVISOR = "supervisor"


@dataclass(frozen=True)
class Supervisor:
    """The logged-in supervisor as the pages see them."""

    agent_id: int
    telegram_id: int
    name: str
    csrf: str
    token: str


SUPERVISOR_KEY = web.RequestKey("supervisor", Supervisor)


def _secure(request: web.Request) -> bool:
    # Behind an HTTPS reverse proxy the proxy says so; spoofing it only makes the cookie stricter.
    return request.secure or request.headers.get("X-Forwarded-Proto", "") == "https"


def set_cookie(request: web.Request, response: web.StreamResponse, name: str, value: str) -> None:
    """A cookie scripts cannot read, never sent cross-site, Secure behind HTTPS."""
    response.set_cookie(
        name, value, httponly=True, samesite="Strict", secure=_secure(request), path="/"
    )


@web.middleware
async def sessions(request: web.Request, handler: Handler) -> web.StreamResponse:
    """No page without a supervisor's session; no POST without its CSRF token."""
    if request.match_info.http_exception is not None or request.path in PUBLIC:
        return await handler(request)
    context = request.app[WEB]
    token = request.cookies.get(COOKIE, "")
    found = await asyncio.to_thread(_lookup, context, token) if token else None
    if found is None:
        if request.method == "GET":
            raise web.HTTPSeeOther(LOGIN)
        raise web.HTTPForbidden()
    if request.method == "POST":
        form = await request.post()
        if not hmac.compare_digest(str(form.get("csrf", "")), found.csrf):
            raise web.HTTPForbidden()
    request[SUPERVISOR_KEY] = found
    return await handler(request)


def _lookup(context: WebContext, token: str) -> Supervisor | None:
    with Session(context.engine) as session, session.begin():
        found = web_session(session, token=token, now=context.clock())
        if found is None:
            return None
        stored, agent = found
        return Supervisor(
            stored.agent_id, agent.telegram_user_id, agent.display_name, stored.csrf, token
        )


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
