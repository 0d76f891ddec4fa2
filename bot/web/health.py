"""/healthz and /readyz: the process is alive; the store, Telegram and the outbox work."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from bot.telegram.api_errors import TelegramError
from bot.telegram.driver import Driver
from storage.store_metrics import oldest_due_outbox, ping

# A probe must answer quickly: a Bot API that does not answer within this is not ready.
TELEGRAM_TIMEOUT = 5.0
OK = "ok"


@dataclass(frozen=True)
class Readiness:
    """The checks behind /readyz, each answering "ok" or one line saying what is wrong."""

    engine: Engine
    driver: Driver
    clock: Callable[[], datetime]
    outbox_stuck: timedelta
    webhook_error: timedelta
    # The content hash of the knowledge base in use (it may be reloaded): several workers
    # behind one webhook show here whether they serve the same version.
    knowledge_version: Callable[[], str] | None = None

    async def check(self) -> dict[str, str]:
        """Every check's outcome, by name (store, telegram, webhook, outbox)."""
        store = await asyncio.to_thread(self._store)
        outbox = await asyncio.to_thread(self._outbox) if store == OK else "store unreachable"
        telegram, webhook = await self._telegram()
        return {"store": store, "telegram": telegram, "webhook": webhook, "outbox": outbox}

    def _store(self) -> str:
        try:
            with Session(self.engine) as session, session.begin():
                ping(session)
        except Exception as exc:  # any driver error means "not reachable"; the URL is not shown
            return f"unreachable: {type(exc).__name__}"
        return OK

    def _outbox(self) -> str:
        now = self.clock()
        try:
            with Session(self.engine) as session, session.begin():
                oldest = oldest_due_outbox(session, now=now)
        except Exception as exc:
            return f"unreadable: {type(exc).__name__}"
        if oldest is not None and now - oldest > self.outbox_stuck:
            return f"stuck: a call due since {oldest:%Y-%m-%dT%H:%M:%SZ} is not sent"
        return OK

    async def _telegram(self) -> tuple[str, str]:
        try:
            async with asyncio.timeout(TELEGRAM_TIMEOUT):
                await self.driver.get_me()
                info = await self.driver.call("getWebhookInfo", {})
        except TimeoutError:
            return "getMe did not answer", "not asked"
        except TelegramError as exc:
            return f"refused: {exc.description}", "not asked"
        return OK, self._webhook(info)

    def _webhook(self, info: object) -> str:
        last = info.get("last_error_date") if isinstance(info, dict) else None
        if not isinstance(last, int):
            return OK
        at = datetime.fromtimestamp(last, UTC)
        if self.clock() - at <= self.webhook_error:
            message = info.get("last_error_message", "") if isinstance(info, dict) else ""
            return f"Telegram reported a delivery error at {at:%H:%M:%SZ}: {message}"
        return OK
