"""Agent desk benchmark: agent command → user notification latency under Telegram's limits.

Usage: python bench/desk.py [--write docs/benchmarks.md] [--agents 20] [--tickets 200]
                            [--pace 2.0] [--library aiogram] [--postgres URL]

The bot runs in this process (the Runtime `triagem run` uses, polling) against the fake Bot API
server on 127.0.0.1. Setup, with the server's limits off: `--tickets` tickets of distinct users,
each opened as the desk opens one (store, forum topic and card in the agents' group), and
`--agents` registered agents past their second factor. Measured, with the limits ON on both
sides (the server's: 30 messages/s overall, ~1/s per private chat, 20/min per group; the bot's
own RateLimiter at the same rates): each agent works its share of the tickets in their topics,
`/assumir` then `/resolver`, one command every `--pace` seconds. Latency is from the command's
update being created at the server to the requester's notification (the status message for
/assumir, the rating request for /resolver) arriving at the server.
"""

# ruff: noqa: E402  (the import path is fixed before the project's imports, see below)
from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(REPO)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import argparse
import asyncio
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from bot.app import build_app, utc_now
from bot.config import load_config
from bot.telegram.drivers import make_driver
from bot.telegram.rate_limits import RateLimiter
from bot.telegram.runner import Runtime
from storage import (
    POSITION,
    OutboxMessage,
    Role,
    add_agent,
    enqueue,
    get_or_create_user,
    open_ticket,
    ticket_by_code,
)
from tests.fake_telegram import FakeChat, FakeTelegramServer, FakeUser

SECTION = "## Agent desk"
WHY = (
    "Why the tail was 5-7 s (measured 2026-12-04 with `--breakdown`, load average 5-7): the "
    "first `/assumir` on a queue of 200 moves every ticket behind it, and the position pushes "
    "of the 199 other requesters were queued before the next commands' status rows. The "
    "private lane sends due heads oldest first, so those statuses waited behind about 7 s of "
    "positions at 30 messages/s overall: /assumir p99 7,223 ms = 2.0 s to be queued + 5.2 s in "
    "the outbox; /resolver p99 7,379 ms. Due position heads now come after every other due "
    "head (`storage.outbox.due_messages`): in the next run, at the same load, /assumir p99 "
    "2,238 ms (2.0 s to be queued + 0.1-0.3 s in the outbox), /resolver p99 1,241 ms. What "
    "remains of the tail is the first wave: 20 "
    "agents send `/assumir` in the same second in one group, whose updates one dispatcher "
    "handles in order; each moves the queue, and that fan-out (a rendered position and two "
    "lookups per waiting ticket) is over half the dispatcher's time, and grows with the load: "
    "past a load average of about 8 the dispatcher falls behind and the whole latency is "
    "time to be queued. Next step: one fan-out per queue per pass (coalesced, off the "
    "command's transaction) or the two lookups made once per queue. The group's 20 "
    "messages/min limit delays only the group's own messages (cards, ✋), in their lane."
)
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
OFFER = "eproc-2g"


@dataclass
class Waiting:
    """A command sent, waiting for the requester's notification."""

    user: FakeUser
    seen: int
    sent_at: float
    kind: str
    sent_utc: datetime


@dataclass
class Result:
    """Latencies (ms) per command kind, and what never arrived."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    missing: int = 0
    seconds: float = 0.0
    commands: int = 0
    # Per notification: (kind, ms, the command's wall time, the requester's chat).
    arrivals: list[tuple[str, float, datetime, int]] = field(default_factory=list)
    # Per kind, the parts of the slowest notifications (--breakdown).
    parts: dict[str, list[Parts]] = field(default_factory=dict)
    turns: str = ""  # what the dispatcher spent (--breakdown)
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average at the start and the end

    def add(self, kind: str, ms: float, sent_utc: datetime, chat_id: int) -> None:
        self.latencies.setdefault(kind, []).append(ms)
        self.arrivals.append((kind, ms, sent_utc, chat_id))


@dataclass(frozen=True)
class Parts:
    """Where one notification's time went, from the store's outbox row (ms)."""

    total: float
    to_queued: float  # command at the server → its row queued (intake, dispatcher)
    to_sent: float  # queued → recorded as sent (sender: lanes, limits, the call)
    kind: str  # the row's outbox kind
    before: int  # messages sent to the same chat in the second before it


def percentile(values: Sequence[float], q: float) -> float:
    """The q-quantile (0..1) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def settle(server: FakeTelegramServer, runtime: Runtime, count: int, timeout: float) -> None:
    """Wait until the group holds `count` bot messages (topics' cards) or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runtime.sender.wake()
        if len(server.topics(runtime.agents.services.settings.agent_chat_id or 0)) >= count:
            return
        await asyncio.sleep(0.05)
    raise TimeoutError("the tickets' topics were not all created")


def open_tickets(runtime: Runtime, users: list[FakeUser]) -> list[str]:
    """One ticket per user, opened as the desk opens one (topic and card queued)."""
    app = runtime.app
    offer = app.kb.offers[OFFER]
    codes = []
    with Session(app.engine) as session, session.begin():
        for user in users:
            now = utc_now()
            stored = get_or_create_user(
                session,
                telegram_user_id=user.id,
                chat_id=user.id,
                name=user.first_name,
                username=None,
                now=now,
            )
            ticket = open_ticket(
                session,
                offer_id=offer.id,
                code_prefix=offer.code_prefix,
                category="tramitacao",
                priority=3,
                requester_id=stored.id,
                fields={"descricao": "A redistribuição do recurso deu erro no eproc."},
                target_hours=offer.target_hours,
                now=now,
            )
            codes.append(ticket.code)
            for call in runtime.agents.on_ticket_opened(session, ticket):
                enqueue(
                    session,
                    chat_id=call.chat_id,
                    method=call.method,
                    params=call.params,
                    now=now,
                    kind=call.kind,
                    ticket_id=call.ticket_id,
                )
    return codes


def register_agents(
    runtime: Runtime, server: FakeTelegramServer, group: FakeChat, n: int
) -> list[FakeUser]:
    """`n` agents, members of the group, enrolled and trusted for the run."""
    agents = []
    with Session(runtime.app.engine) as session, session.begin():
        for number in range(n):
            person = server.add_user(f"Agente {number}")
            server.set_member(group, person, "member")
            agent = add_agent(
                session,
                telegram_user_id=person.id,
                role=Role.AGENT,
                display_name=person.first_name,
                now=utc_now(),
            )
            agent.totp_secret = SECRET
            agent.totp_confirmed = True
            agent.trusted_until = utc_now() + timedelta(hours=12)
            agents.append(person)
    return agents


async def run(args: argparse.Namespace) -> Result:
    """One measured run."""
    async with FakeTelegramServer() as server:
        server.limits.enabled = False
        group = server.add_group("Mesa de suporte", forum=True)
        with tempfile.TemporaryDirectory() as tmp:
            url = args.postgres or f"sqlite:///{tmp}/desk.db"
            environ = {
                "TRIAGEM_TELEGRAM__TOKEN": server.token,
                "TRIAGEM_TELEGRAM__API_BASE_URL": server.base_url,
                "TRIAGEM_TELEGRAM__LIBRARY": args.library,
                "TRIAGEM_TELEGRAM__POLL_TIMEOUT": "5",
                "TRIAGEM_TELEGRAM__AGENT_CHAT_ID": str(group.id),
                "TRIAGEM_STORAGE__URL": url,
                "TRIAGEM_DESK__TOTP_KEY": "",
            }
            config = load_config(None, environ)
            app = build_app(config)
            token = config.telegram.token.get_secret_value()
            driver = make_driver(config.telegram.library, token, config.telegram.api_base_url)
            # Setup without limits (400 group messages would take 20 minutes at 20/min); the
            # measured phase swaps in the sender's default limiter, Telegram's rates.
            loose = RateLimiter(
                global_per_second=10_000, private_per_second=10_000, group_per_minute=600_000
            )
            runtime = Runtime(app, driver, limiter=loose)
            stop = asyncio.Event()
            task = asyncio.create_task(runtime.run(stop))
            try:
                return await measure(args, server, runtime, group)
            finally:
                stop.set()
                await task
                await driver.close()


async def measure(
    args: argparse.Namespace, server: FakeTelegramServer, runtime: Runtime, group: FakeChat
) -> Result:
    """Set up with the limits off, then time the agents' commands with the limits on."""
    users = [server.add_user(f"Usuária {n}") for n in range(args.tickets)]
    for user in users:
        server.chat_of(user).bot_started = True
    agents = register_agents(runtime, server, group, args.agents)
    codes = open_tickets(runtime, users)
    await settle(server, runtime, len(codes), timeout=300)
    with Session(runtime.app.engine) as session:
        threads = {c: ticket_by_code(session, code=c).topic_thread_id for c in codes}  # type: ignore[union-attr]
    fanout = watch_fanout(runtime) if args.breakdown else [0.0, 0]
    server.limits.enabled = True
    runtime.sender.limiter = RateLimiter(time.monotonic)
    result = Result()
    waiting: list[Waiting] = []
    share = {agent.id: codes[n :: len(agents)] for n, agent in enumerate(agents)}
    owner = dict(zip(codes, users, strict=True))
    started = time.monotonic()
    load_at_start = os.getloadavg()[0]

    async def work(agent: FakeUser) -> None:
        for code in share[agent.id]:
            for command, kind in (("/assumir", "assumir"), ("/resolver", "resolver")):
                user = owner[code]
                seen = len(server.sent_messages(user))
                sent_utc = utc_now()
                server.user_sends_text(agent, command, chat=group, thread_id=threads[code])
                waiting.append(Waiting(user, seen, time.monotonic(), kind, sent_utc))
                result.commands += 1
                await asyncio.sleep(args.pace)

    async def watch() -> None:
        deadline = None
        while True:
            now = time.monotonic()
            for item in list(waiting):
                if len(server.sent_messages(item.user)) > item.seen:
                    result.add(item.kind, (now - item.sent_at) * 1000, item.sent_utc, item.user.id)
                    waiting.remove(item)
            if workers.done() and not waiting:
                return
            if workers.done():
                deadline = deadline or now + args.timeout
                if now > deadline:
                    result.missing = len(waiting)
                    return
            await asyncio.sleep(0.005)

    workers = asyncio.gather(*(work(agent) for agent in agents))
    await asyncio.gather(workers, watch())
    result.seconds = time.monotonic() - started
    result.load = (load_at_start, os.getloadavg()[0])
    if args.breakdown:
        # The last answers may still be on their way into the store (recorded as sent).
        await asyncio.sleep(2)
        result.parts = breakdown(runtime, result)
        result.turns = spent(runtime, fanout)
    return result


def watch_fanout(runtime: Runtime) -> list[float]:
    """Time the position pushes' fan-out (Pushes.queue_changed): [seconds, calls, tickets]."""
    spent = [0.0, 0, 0]
    pushes = runtime.pushes
    inner = pushes.queue_changed

    def timed(session: Session, offer_id: str, from_position: int = 1) -> None:
        started = time.perf_counter()
        inner(session, offer_id, from_position)
        spent[0] += time.perf_counter() - started
        spent[1] += 1

    pushes.queue_changed = timed  # type: ignore[method-assign]
    return spent


def spent(runtime: Runtime, fanout: list[float]) -> str:
    """Updates handled and their time, and the share of the position fan-out."""
    total = count = 0.0
    for metric in runtime.metrics.registry.collect():
        for sample in metric.samples:
            if sample.name == "triagem_update_duration_seconds_sum":
                total = sample.value
            elif sample.name == "triagem_update_duration_seconds_count":
                count = sample.value
    return (
        f"{count:.0f} updates in {total:.1f} s ({1000 * total / max(count, 1):.1f} ms each); "
        f"position fan-out {fanout[0]:.1f} s in {fanout[1]:.0f} calls"
    )


def breakdown(runtime: Runtime, result: Result, slowest: int = 10) -> dict[str, list[Parts]]:
    """The slowest notifications of each kind, split at their outbox row's queued and sent
    times (the bot's clock is the wall clock here)."""
    parts: dict[str, list[Parts]] = {}
    with Session(runtime.app.engine) as session:
        for kind in result.latencies:
            mine = sorted((a for a in result.arrivals if a[0] == kind), key=lambda a: -a[1])
            for _, ms, sent_utc, chat_id in mine[:slowest]:
                rows = session.exec(
                    select(OutboxMessage)
                    .where(OutboxMessage.chat_id == chat_id)
                    .order_by(col(OutboxMessage.id))
                ).all()
                # The chat's k-th command is answered by its k-th news row (not a position).
                commands = sorted(a[2] for a in result.arrivals if a[3] == chat_id)
                news = [r for r in rows if r.kind != POSITION and r.created_at >= commands[0]]
                k = commands.index(sent_utc)
                row = news[k] if k < len(news) else None
                if row is None or row.sent_at is None:
                    continue
                before = sum(
                    1
                    for r in rows
                    if r.sent_at is not None
                    and row.sent_at - timedelta(seconds=1) <= r.sent_at < row.sent_at
                )
                parts.setdefault(kind, []).append(
                    Parts(
                        ms,
                        (row.created_at - sent_utc).total_seconds() * 1000,
                        (row.sent_at - row.created_at).total_seconds() * 1000,
                        row.kind,
                        before,
                    )
                )
    return parts


def report(args: argparse.Namespace, result: Result) -> str:
    """The section for docs/benchmarks.md."""
    cores = os.cpu_count()
    lines = [
        SECTION,
        "",
        f"`python bench/desk.py --agents {args.agents} --tickets {args.tickets} "
        f"--pace {args.pace} --library {args.library}` on {platform.machine()} "
        f"({cores} cores, shared with other work), "
        f"{'PostgreSQL' if args.postgres else 'SQLite'}, {datetime.now(UTC):%Y-%m-%d}; "
        f"load average (1 min) {result.load[0]:.1f} at the start, {result.load[1]:.1f} at "
        "the end.",
        "",
        f"{args.agents} agents work {args.tickets} tickets in their topics (`/assumir`, then "
        f"`/resolver`), each agent one command every {args.pace} s: {result.commands} commands "
        f"in {result.seconds:.0f} s, limits on (server and bot: 30 messages/s overall, about "
        "1/s per private chat, 20/min per group). Latency: the command's update created at "
        "the fake Bot API server → the requester's notification arriving there.",
        "",
        "| command | notifications | p50 ms | p99 ms | max ms |",
        "|---|---|---|---|---|",
    ]
    for kind, values in sorted(result.latencies.items()):
        lines.append(
            f"| /{kind} | {len(values)} | {statistics.median(values):,.0f} | "
            f"{percentile(values, 0.99):,.0f} | {max(values):,.0f} |"
        )
    lines += [
        "",
        f"Notifications that never arrived within {args.timeout:.0f} s: {result.missing}.",
        "",
    ]
    if result.parts:
        lines += ["`--breakdown`: " + result.turns + ". The 10 slowest of each command:", ""]
        for kind, parts in sorted(result.parts.items()):
            queued = sorted(p.to_queued for p in parts)
            sent = sorted(p.to_sent for p in parts)
            lines.append(
                f"- /{kind}: command → outbox row {queued[0]:,.0f}–{queued[-1]:,.0f} ms "
                f"(intake, dispatcher), then row → sent {sent[0]:,.0f}–{sent[-1]:,.0f} ms."
            )
        lines.append("")
    lines += [WHY, ""]
    return "\n".join(lines)


def write_section(doc: Path, body: str) -> None:
    """Replace (or add) this benchmark's section of the document."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    start = text.find(SECTION)
    if start < 0:
        text = text.rstrip() + "\n\n" + body
    else:
        end = text.find("\n## ", start + len(SECTION))
        text = text[:start] + body + (text[end + 1 :] if end >= 0 else "")
    doc.write_text(text.rstrip() + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print the table, optionally write it to the document."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--tickets", type=int, default=200)
    parser.add_argument("--pace", type=float, default=2.0)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--library", default="aiogram")
    parser.add_argument("--postgres", default="")
    parser.add_argument("--write", type=Path)
    parser.add_argument("--breakdown", action="store_true", help="split the slowest (stderr)")
    args = parser.parse_args(argv)
    result = asyncio.run(run(args))
    body = report(args, result)
    print(body)
    if args.breakdown:
        print(f"dispatcher: {result.turns}", file=sys.stderr)
    for kind, rows in sorted(result.parts.items()):
        for r in rows:
            print(
                f"/{kind} {r.total:,.0f} ms: queued after {r.to_queued:,.0f} ms, sent after "
                f"{r.to_sent:,.0f} ms more ({r.kind}; {r.before} sent to the chat just before)",
                file=sys.stderr,
            )
    if args.write:
        write_section(args.write, body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
