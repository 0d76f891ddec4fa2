"""Supervisors' sessions: the cookie, and the middleware that wants a session for every page
and the session's CSRF token on every POST (bot/web/login.py opens and closes them)."""

from __future__ import annotations

import asyncio
import hmac
from dataclasses import dataclass

from aiohttp import web
from aiohttp.typedefs import Handler
from sqlmodel import Session

from bot.web.web_context import WEB, WebContext
from storage.web_sessions import web_session

COOKIE = "triagem_sessao"
LOGIN_CSRF_COOKIE = "triagem_csrf"
LOGIN = "/entrar"
# Paths served without a session: the login form, and the probes (no data in them).
PUBLIC = frozenset({LOGIN, "/healthz", "/readyz", "/metrics"})


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
