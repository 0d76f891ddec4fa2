"""Every answer of the web server is a page of ours: 404, 400 and 500 without a traceback."""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler

log = logging.getLogger(__name__)

# Oversized bodies are bad requests too: nothing of ours takes more than a login form.
_AS_BAD_REQUEST = frozenset({413})


@web.middleware
async def plain_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn HTTP errors into short pages and anything unexpected into a logged 500."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        status = 400 if exc.status in _AS_BAD_REQUEST else exc.status
        return error_page(request, status)
    except Exception:
        # The traceback goes to the operator's log, never to the browser.
        log.exception("web request %s %s failed", request.method, request.path)
        return error_page(request, 500)


def error_page(request: web.Request, status: int) -> web.Response:
    """The error page for `status`, rendered from bot/templates/web/erro.html.j2."""
    from bot.web.web_context import WEB, render

    context = request.app.get(WEB)
    if context is None:
        return web.Response(status=status, text=f"{status}\n")
    body = render(context, "erro.html.j2", {"status": status, "session": None})
    return web.Response(status=status, text=body, content_type="text/html")
