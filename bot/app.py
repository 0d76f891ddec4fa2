"""Build the bot's parts from the config: knowledge base, triage, renderer, store; and
`wire_desk`, the one place the user turn, the pushes, the resolution clocks, the live queues and
the agents' desk are put together, each given its collaborators."""

from __future__ import annotations

import gc
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from bot.agents.desk import AgentDesk, TicketThreads
from bot.agents.desk_services import DeskServices
from bot.agents.executor import DeskExecutor
from bot.agents.group_turn import GroupTurn
from bot.agents.relay_executor import RelayExecutor
from bot.agents.relocation import Relocation
from bot.agents.settings import DeskSettings
from bot.clock_alarms import ResolutionClocks
from bot.config import Config
from bot.database import open_store
from bot.live_queue import LiveQueue
from bot.metrics import CountedTriage, Metrics
from bot.pushes import Pushes, StatusNews
from bot.rendering import Renderer
from bot.scheduler import TimerHandler
from bot.two_factor.enrollment_chat import PrivateCommands
from bot.two_factor.policy import SecondFactor
from bot.two_factor.secret_box import SecretBox
from bot.two_factor.totp_key import TotpKey
from bot.user_turn import UserTurn
from flows.ports import Triage
from knowledge_base.loader import load_knowledge_base
from knowledge_base.models import KnowledgeBase
from knowledge_base.triage import Triage as KnowledgeTriage


def utc_now() -> datetime:
    """The real clock (injected everywhere else, so tests can use their own)."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class App:
    """Everything a front end (terminal or Telegram) needs, wired once."""

    config: Config
    kb: KnowledgeBase
    engine: Engine
    renderer: Renderer
    # The knowledge base's engine as loaded (the turn's is wrapped to count its decisions).
    triage: Triage
    clock: Callable[[], datetime]
    metrics: Metrics
    wired: WiredDesk

    @property
    def desk(self) -> UserTurn:
        """The user turn (the terminal's and the Telegram runtime's)."""
        return self.wired.turn


def build_app(config: Config, clock: Callable[[], datetime] = utc_now) -> App:
    """Load and check the knowledge base, open (and migrate) the store, wire every part once."""
    kb = load_knowledge_base(config.knowledge_base.path)
    renderer = Renderer(kb)
    engine = open_store(config)
    triage = KnowledgeTriage(kb)
    metrics = Metrics()
    metrics.watch_store(engine)
    wired = wire_desk(
        kb,
        triage,
        renderer,
        DeskSettings.from_config(config),
        clock,
        warn_share=config.clocks.warn_share,
        metrics=metrics,
    )
    # The index is built once and lives as long as the process: keep the garbage collector
    # from walking its hundreds of thousands of objects again and again (tail latency).
    gc.freeze()
    return App(config, kb, engine, renderer, triage, clock, metrics, wired)


@dataclass(frozen=True)
class WiredDesk:
    """The user turn with the agents' desk behind it, and the parts they share."""

    turn: UserTurn
    pushes: Pushes
    news: StatusNews
    agents: AgentDesk
    clocks: ResolutionClocks
    live_queue: LiveQueue
    # The durable timers' handlers by kind, for the runtime's scheduler.
    timers: Mapping[str, TimerHandler]


def wire_desk(
    kb: KnowledgeBase,
    triage: Triage,
    renderer: Renderer,
    settings: DeskSettings,
    clock: Callable[[], datetime],
    *,
    warn_share: float,
    metrics: Metrics | None = None,
) -> WiredDesk:
    """Build every part once, each given its collaborators (nothing is assigned afterwards)."""
    key = TotpKey(settings.totp_key, settings.totp_key_file)
    factor = SecondFactor(
        clock,
        box=SecretBox(key),
        trusted_for=settings.trusted_for,
        max_failures=settings.max_failed_codes,
    )
    services = DeskServices(kb, renderer, settings, clock, factor)
    clocks = ResolutionClocks(services, warn_share)
    live_queue = LiveQueue(services, clock)
    # Every status change moves the ticket's resolution clock, in the same transaction.
    pushes = Pushes(renderer, clock, on_moved=clocks.moved)
    relay = RelayExecutor(services, on_resumed=pushes.moved)
    # A new ticket's clock starts before its topic and card are queued.
    threads = TicketThreads(services, relay, on_opened=clocks.moved)
    turn = UserTurn(
        kb,
        triage if metrics is None else CountedTriage(triage, metrics),
        renderer,
        clock,
        on_ticket_opened=threads.on_ticket_opened,
        on_queue_changed=pushes.queue_changed,
        on_relay=threads.relay_from_user,
        queue_reader=live_queue.reader,
        on_queue_action=live_queue.persons.apply,
    )
    news = StatusNews(turn, pushes, clock)
    executor = DeskExecutor(
        services, relay, Relocation(services, pushes), pushes, news, counter=live_queue
    )
    group = GroupTurn(services, executor)
    private = PrivateCommands(renderer, factor, clock)
    agents = AgentDesk(services, threads, group, private, live_queue=live_queue)
    timers = {**clocks.timers(), **live_queue.timers()}
    return WiredDesk(turn, pushes, news, agents, clocks, live_queue, timers)
