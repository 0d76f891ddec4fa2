"""Webhook intake: an aiohttp app that answers Telegram 200 only once the update is stored.

Telegram keeps re-sending an update until it gets a 2xx, so a failed store answers 500 and the
update comes back; `store_updates` must therefore accept update_ids it already holds. Posts that
arrive together are stored together, in one transaction (bot/telegram/batching.py).
"""

from __future__ import annotations

import hmac
import logging

from aiohttp import web

from bot.telegram.batching import Batches, StoreUpdates

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def make_webhook_app(*, path: str, secret: str, store_updates: StoreUpdates) -> web.Application:
    """An app taking Telegram's POSTs at `path`, checking the secret token set with setWebhook."""
    if not secret:
        raise ValueError("a webhook needs a secret token, or anyone could post updates")
    expected = secret.encode()
    batches = Batches(store_updates)

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            return web.Response(status=403)
        try:
            update = await request.json()
        except ValueError:
            return web.Response(status=400, text="body is not JSON")
        if not isinstance(update, dict) or type(update.get("update_id")) is not int:
            return web.Response(status=400, text="not an Update")
        try:
            await batches.store(update)
        except Exception:
            log.exception("could not store update %s; it will come again", update["update_id"])
            return web.Response(status=500)
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post(path, receive)
    return app
