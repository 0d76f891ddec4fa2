"""Build the bot's parts from the config: knowledge base, triage, renderer, store, desk; and
`wire_desk`, the one place the user turn, the pushes and the agents' desk are put together."""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from bot.agents.desk import AgentDesk, TicketThreads
from bot.agents.desk_services import DeskServices
from bot.agents.executor import DeskExecutor
from bot.agents.group_turn import GroupTurn
from bot.agents.message_relay import Relay
from bot.agents.relocation import Relocation
from bot.agents.settings import DeskSettings
from bot.config import Config
from bot.database import open_store
from bot.pushes import Pushes, StatusNews
from bot.rendering import Renderer
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
    """Everything a front end (terminal or Telegram) needs."""

    config: Config
    kb: KnowledgeBase
    engine: Engine
    desk: UserTurn
    renderer: Renderer
    triage: Triage


def build_app(config: Config) -> App:
    """Load and check the knowledge base, open (and migrate) the store, wire the desk."""
    kb = load_knowledge_base(config.knowledge_base.path)
    renderer = Renderer(kb)
    engine = open_store(config)
    triage = KnowledgeTriage(kb)
    # The terminal's turn: no agents' desk behind it (the Telegram runtime wires its own).
    desk = UserTurn(kb, triage, renderer, utc_now)
    # The index is built once and lives as long as the process: keep the garbage collector
    # from walking its hundreds of thousands of objects again and again (tail latency).
    gc.freeze()
    return App(config=config, kb=kb, engine=engine, desk=desk, renderer=renderer, triage=triage)


@dataclass(frozen=True)
class WiredDesk:
    """The user turn with the agents' desk behind it, and the pushes they share."""

    turn: UserTurn
    pushes: Pushes
    news: StatusNews
    agents: AgentDesk


def wire_desk(
    kb: KnowledgeBase,
    triage: Triage,
    renderer: Renderer,
    settings: DeskSettings,
    clock: Callable[[], datetime],
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
    pushes = Pushes(renderer, clock)
    relay = Relay(services, on_resumed=pushes.moved)
    threads = TicketThreads(services, relay)
    turn = UserTurn(
        kb,
        triage,
        renderer,
        clock,
        on_ticket_opened=threads.on_ticket_opened,
        on_queue_changed=pushes.queue_changed,
        on_relay=threads.relay_from_user,
    )
    news = StatusNews(turn, pushes, clock)
    executor = DeskExecutor(services, relay, Relocation(services, pushes), pushes, news)
    group = GroupTurn(services, relay, executor)
    private = PrivateCommands(renderer, factor, clock)
    agents = AgentDesk(services, relay, threads, group, private)
    return WiredDesk(turn, pushes, news, agents)
