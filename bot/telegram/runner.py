"""`triagem run` with a token: intake (polling or webhook), dispatcher and sender together."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any

from aiohttp import web
from sqlmodel import Session

from bot.app import App
from bot.config import TelegramConfig
from bot.kb_notice import RefusalNotice
from bot.kb_reload import Knowledge, KnowledgeReloader
from bot.metrics import CountedTriage
from bot.scheduler import Scheduler
from bot.telegram.api_errors import TelegramError, Transient
from bot.telegram.counted_driver import CountedDriver
from bot.telegram.dispatcher import Dispatcher
from bot.telegram.driver import Driver
from bot.telegram.drivers import make_driver
from bot.telegram.polling import poll
from bot.telegram.rate_limits import RateLimiter
from bot.telegram.sender import Sender
from bot.telegram.updates import update_chat_id
from bot.telegram.webhook import make_webhook_app
from bot.turn_gate import TurnGate
from bot.web.server import serve
from knowledge_base.version import content_version
from storage import max_update_id, record_updates

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/telegram"
WEBHOOK_CONNECTIONS = 100
# One dispatcher worker: handling an update is Python work under the GIL, and a batch already
# serves up to 32 chats in one transaction. More workers added contention, not capacity: at
# 50 updates/s (bench/runtime.py (c), overall limit raised) p50 reply latency was 33-38 ms with
# 4 workers and 18-20 ms with 1 on SQLite, 366-800 ms and 26-29 ms on PostgreSQL; with 4 workers
# and a larger thread pool it got worse still. Scale out with processes (README, Several workers).
DISPATCH_WORKERS = 1


def configured_limiter(telegram: TelegramConfig) -> RateLimiter:
    """The sender's flood limits, as the [telegram] section sets them."""
    return RateLimiter(
        global_per_second=telegram.messages_per_second,
        private_per_second=telegram.chat_messages_per_second,
        group_per_minute=telegram.group_messages_per_minute,
    )


class Runtime:
    """The Telegram side of the bot around one App and one driver."""

    def __init__(
        self,
        app: App,
        driver: Driver,
        *,
        limiter: RateLimiter | None = None,
        workers: int = DISPATCH_WORKERS,
    ) -> None:
        self.app = app
        # Set once the web server ([web] enabled) listens.
        self.web_started = asyncio.Event()
        # The parts build_app wired (bot.app.wire_desk), on its clock.
        self.metrics = app.metrics
        self.clock = app.clock
        clock = app.clock
        wired = app.wired
        self.turn, self.pushes, self.news = wired.turn, wired.pushes, wired.news
        self.agents, self.clocks, self.live_queue = wired.agents, wired.clocks, wired.live_queue
        self.driver = CountedDriver(driver, self._count_call)
        hooks = self.agents.outbox
        self.sender = Sender(
            app.engine,
            self.driver,
            clock,
            limiter=limiter or configured_limiter(app.config.telegram),
            on_sent=hooks.on_sent,
            on_failed=hooks.on_failed,
            resolve_params=hooks.resolve_params,
            on_thread_lost=hooks.on_thread_lost,
        )
        # The one scheduler of durable timers; the Balcão Virtual's queues register theirs.
        self.scheduler = Scheduler(
            app.engine, clock, after_commit=self.sender.wake, handlers=wired.timers
        )
        gate = TurnGate()
        self.dispatcher = Dispatcher(
            app.engine,
            self.turn,
            clock,
            workers=workers,
            after_commit=self.sender.wake,
            group_handler=self.agents.handle_update,
            private_handler=self.agents.handle_private,
            on_handled=self.metrics.observe_update,
            gate=gate,
        )
        root = app.config.knowledge_base.path
        self.knowledge = KnowledgeReloader(
            root,
            Knowledge(app.kb, app.triage, content_version(root)),
            use=self.use_knowledge,
            gate=gate,
            language=app.config.knowledge_base.lint_language,
            on_refused=RefusalNotice(
                app.engine,
                app.renderer,
                chat_id=app.config.telegram.agent_chat_id,
                root=root,
                clock=clock,
                current_version=lambda: self.knowledge.version,
                wake=self._wake_sender,
            ),
        )
        self._loop: asyncio.AbstractEventLoop | None = None

    def _wake_sender(self) -> None:
        """Wake the sender from another thread (a reload's notice)."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self.sender.wake)

    def use_knowledge(self, knowledge: Knowledge) -> None:
        """Swap a reloaded knowledge base in (called with the turn gate held: no turn runs)."""
        self.turn.kb = knowledge.kb
        self.turn.triage = CountedTriage(knowledge.triage, self.metrics)
        self.app.renderer.use(knowledge.kb)
        self.agents.services.kb = knowledge.kb
        self.live_queue.use(knowledge.kb)

    async def _set_menus(self) -> None:
        """The users' command menu, and the desk's in each agents' group (from its table)."""
        await self._optional("setMyCommands", {"commands": self._commands()})
        for menu in self.agents.command_menus():
            await self._optional("setMyCommands", menu)

    def _count_call(self, method: str, code: str) -> None:
        self.metrics.telegram_requests.labels(method, code).inc()

    async def store_updates(self, updates: list[dict[str, Any]]) -> None:
        """Commit received updates to the inbox, in one transaction (before Telegram hears)."""
        await asyncio.to_thread(self._record, updates)
        self.dispatcher.wake()

    def _start_desk(self) -> None:
        with Session(self.app.engine) as session, session.begin():
            self.agents.start(session)

    def _record(self, updates: list[dict[str, Any]]) -> None:
        rows = [(int(u["update_id"]), update_chat_id(u), u) for u in updates]
        with Session(self.app.engine) as session, session.begin():
            record_updates(session, updates=rows, now=self.clock())

    async def run(self, stop: asyncio.Event) -> None:
        """Serve until `stop` is set."""
        self._loop = asyncio.get_running_loop()
        await asyncio.to_thread(self._start_desk)
        me = await self.driver.get_me()
        log.info("connected as @%s", me.get("username"))
        log.info("knowledge base version %s", self.knowledge.version)
        # The command menus are a nicety: set them beside the first getUpdates, not before it.
        parts = [
            self._set_menus(),
            self.dispatcher.run(stop),
            self.sender.run(stop),
            self.scheduler.run(stop),
            self._intake(stop),
        ]
        if self.app.config.knowledge_base.live_reload:
            parts.append(self.knowledge.watch(stop))
        if self.app.config.web.enabled:
            parts.append(self._web(stop))
        await asyncio.gather(*parts)

    async def _web(self, stop: asyncio.Event) -> None:
        from bot.web import supervisor_site

        web_config = self.app.config.web
        services = self.agents.services
        site = supervisor_site(
            self.app,
            self.driver,
            self.metrics,
            self.clock,
            services.factor,
            lambda: services.kb,
            lambda: self.knowledge.version,
        )
        await serve(site, web_config.host, web_config.port, stop, self.web_started)

    async def _intake(self, stop: asyncio.Event) -> None:
        telegram = self.app.config.telegram
        if telegram.mode == "webhook":
            await self._webhook(stop)
            return
        await self._optional("deleteWebhook", {})
        with Session(self.app.engine) as session:
            last = max_update_id(session)
        offset = None if last is None else last + 1
        await poll(
            self.driver,
            store_updates=self.store_updates,
            offset=offset,
            timeout=telegram.poll_timeout,
            stop=stop,
        )

    async def _webhook(self, stop: asyncio.Event) -> None:
        telegram = self.app.config.telegram
        secret = telegram.webhook_secret.get_secret_value()
        runner = web.AppRunner(
            make_webhook_app(path=WEBHOOK_PATH, secret=secret, store_updates=self.store_updates)
        )
        await runner.setup()
        site = web.TCPSite(runner, telegram.webhook_host, telegram.webhook_port)
        await site.start()
        try:
            url = telegram.webhook_url.rstrip("/") + WEBHOOK_PATH
            # Telegram's most parallel deliveries (default 40): posts arriving together are
            # stored in one transaction, so more at once means fewer commits under a burst.
            hook = {"url": url, "secret_token": secret, "max_connections": WEBHOOK_CONNECTIONS}
            await self.driver.call("setWebhook", hook)
            await stop.wait()
        finally:
            await runner.cleanup()

    async def _optional(self, method: str, params: dict[str, Any]) -> None:
        # A failing nicety at start (command menu, webhook cleanup) must not keep the bot down.
        try:
            await self.driver.call(method, params)
        except TelegramError as exc:
            log.warning("%s failed at start: %s", method, exc.description)

    def _commands(self) -> list[dict[str, str]]:
        lines = self.app.renderer.render("commands", {}).splitlines()
        pairs = (line.split(" - ", 1) for line in lines if " - " in line)
        return [{"command": c.strip(), "description": d.strip()} for c, d in pairs]


def run_telegram(app: App) -> int:
    """Run the bot on Telegram until SIGINT/SIGTERM (logging set up by `bot.logs`); exit code."""
    telegram = app.config.telegram
    if telegram.mode == "webhook" and not telegram.webhook_secret.get_secret_value():
        log.error("webhook mode needs telegram.webhook_secret")
        return 2
    return asyncio.run(_serve(app))


async def _serve(app: App) -> int:
    telegram = app.config.telegram
    driver = make_driver(telegram.library, telegram.token.get_secret_value(), telegram.api_base_url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await Runtime(app, driver).run(stop)
    except Transient as exc:
        log.error("cannot reach the Bot API at %s: %s", telegram.api_base_url, exc.description)
        return 1
    except TelegramError as exc:
        log.error("the Bot API refused the bot (check the token): %s", exc.description)
        return 1
    finally:
        await driver.close()
    return 0
