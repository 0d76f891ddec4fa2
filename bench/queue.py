"""Balcão Virtual benchmark: one office's live queue of 500 people, an attendant calling fast.

Usage: python bench/queue.py [--people 500] [--calls 20] [--every 3] [--postgres URL]
                             [--write docs/benchmarks.md]

The real runtime (aiogram driver, dispatcher, sender with Telegram's limits, scheduler) runs in
this process against the fake Bot API server with its limits ON, edits counted like messages
(stricter than Telegram documents). The people join through the bot's own join action (the
position messages are the bot's, sent through the outbox); then an agent in the office's group
sends /proximo, and every `--every` seconds /encerrar and /proximo again, `--calls` times.

Measured: messages sent and edited in the people's chats and in the group, 429s served, and the
lag between a change and the last person's message showing it: for each call, from the command
reaching the server to the last person's position message showing a position at least that far
forward; and after the last call, until every person still waiting sees their exact position.
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
import importlib.util
import os
import platform
import re
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, select

from bot.app import build_app, utc_now
from bot.config import load_config
from bot.telegram.drivers import make_driver
from bot.telegram.runner import Runtime
from flows.queue_actions import JoinQueue
from storage import add_agent, get_or_create_user
from storage.agents import Role
from storage.queue_tables import QueueEntry
from storage.turns import Requester
from tests.fake_telegram import FakeTelegramServer, FakeUser, LimitConfig
from tests.fake_telegram.models import RequestRecord

SECTION = "## Balcão Virtual queue"
OFFICE = "bench-office"
POSITION = re.compile(r"Sua posição na fila: (\d+)º")
ALL_DAY = ", ".join(
    f'{day} = ["00:00-23:59"]' for day in ("seg", "ter", "qua", "qui", "sex", "sab", "dom")
)
KB_OFFICE = """
[[offers.offices]]
id = "bench-office"
name = "Cartório de Benchmark"
hours = { HOURS }
national_holidays = false
meeting_url = "https://teams.microsoft.com/l/meetup-join/bench"
"""


@dataclass
class Result:
    """One run's figures."""

    store: str
    people: int
    calls: int
    every: float
    sent_private: int = 0
    edited_private: int = 0
    sent_group: int = 0
    edited_group: int = 0
    served_429: int = 0
    call_lags: list[float] | None = None
    settle_lag: float = 0.0
    seed_seconds: float = 0.0


def shown_position(server: FakeTelegramServer, person: FakeUser) -> int | None:
    """The position the person's position message shows now."""
    for message in reversed(server.sent_messages(person)):
        found = POSITION.search(message.body)
        if found:
            return int(found.group(1))
    return None


async def run(store_url: str, label: str, people: int, calls: int, every: float) -> Result:
    """One benchmark run on one store."""
    result = Result(label, people, calls, every)
    work = Path(tempfile.mkdtemp(prefix="bench-queue-"))
    kb = work / "kb"
    shutil.copytree(REPO / "knowledge_base", kb)
    offers = kb / "offers.toml"
    # The office is also a choice of the offer's 'office' field (lint: office_not_chosen).
    choice = '  { id = "bench-office", label = "Cartório de Benchmark" },\n'
    anchor = '  { id = "coord-entrada-distribuicao-recursos"'
    text = offers.read_text(encoding="utf-8").replace(anchor, choice + anchor, 1)
    offers.write_text(text + KB_OFFICE.replace("HOURS", ALL_DAY), encoding="utf-8")
    limits = LimitConfig(count_edits=True)
    async with FakeTelegramServer(limits=limits) as server:
        group = server.add_group("Balcão", forum=False)
        attendant = server.add_user("Ana")
        server.set_member(group, attendant, "member")
        config_file = work / "config.toml"
        config_file.write_text(f'[knowledge_base]\npath = "{kb}"\n', encoding="utf-8")
        settings = {
            "TRIAGEM_TELEGRAM__TOKEN": server.token,
            "TRIAGEM_TELEGRAM__API_BASE_URL": server.base_url,
            "TRIAGEM_TELEGRAM__LIBRARY": "aiogram",
            "TRIAGEM_TELEGRAM__AGENT_CHAT_ID": str(group.id),
            "TRIAGEM_STORAGE__URL": store_url,
        }
        config = load_config(config_file, settings)
        app = build_app(config)
        driver = make_driver("aiogram", server.token, server.base_url)
        runtime = Runtime(app, driver)
        crowd = [server.add_user(f"Pessoa {n}") for n in range(people)]
        started = time.perf_counter()
        with Session(app.engine) as session, session.begin():
            now = utc_now()
            agent = add_agent(
                session, telegram_user_id=attendant.id, role=Role.AGENT, display_name="Ana", now=now
            )
            agent.totp_secret, agent.totp_confirmed = "JBSWY3DPEHPK3PXP", True
            agent.trusted_until = now + timedelta(hours=2)
        for person in crowd:
            server.chat_of(person).bot_started = True
            with Session(app.engine) as session, session.begin():
                now = utc_now()
                user = get_or_create_user(
                    session,
                    telegram_user_id=person.id,
                    chat_id=person.id,
                    name=person.first_name,
                    username=None,
                    now=now,
                )
                assert user.id is not None
                requester = Requester(user.id, person.id, person.id, user.name, None)
                runtime.live_queue.persons.apply(
                    session, requester, person.id, JoinQueue(OFFICE), now
                )
        result.seed_seconds = time.perf_counter() - started
        stop = asyncio.Event()
        task = asyncio.create_task(runtime.run(stop))
        try:
            await server.wait_until(
                lambda: all(shown_position(server, p) is not None for p in crowd),
                timeout=600,
                what="every first position message",
            )
            skip_send = len(server.requests_for("sendMessage"))
            skip_edit = len(server.requests_for("editMessageText"))
            base_429 = server.stats.served_429
            last = crowd[-1]
            lags: list[float] = []
            pending: list[tuple[float, int]] = []
            for call in range(1, calls + 1):
                if call > 1:
                    server.user_sends_text(attendant, "/encerrar", chat=group)
                server.user_sends_text(attendant, "/proximo", chat=group)
                pending.append((time.perf_counter(), people - call))
                deadline = time.perf_counter() + every
                while time.perf_counter() < deadline:
                    shown = shown_position(server, last)
                    while pending and shown is not None and shown <= pending[0][1]:
                        lags.append(time.perf_counter() - pending.pop(0)[0])
                    await asyncio.sleep(0.05)
            final = time.perf_counter()
            while pending or not _all_current(app, server, crowd):
                shown = shown_position(server, last)
                while pending and shown is not None and shown <= pending[0][1]:
                    lags.append(time.perf_counter() - pending.pop(0)[0])
                if time.perf_counter() - final > 600:
                    raise TimeoutError("positions never caught up")
                await asyncio.sleep(0.1)
            result.settle_lag = time.perf_counter() - final
            result.call_lags = lags
            private = {p.id for p in crowd}
            sent = [r for r in server.requests_for("sendMessage")[skip_send:] if r.status == 200]
            edits = [
                r for r in server.requests_for("editMessageText")[skip_edit:] if r.status == 200
            ]
            result.sent_private = sum(1 for r in sent if _chat(r) in private)
            result.sent_group = sum(1 for r in sent if _chat(r) == group.id)
            result.edited_private = sum(1 for r in edits if _chat(r) in private)
            result.edited_group = sum(1 for r in edits if _chat(r) == group.id)
            result.served_429 = server.stats.served_429 - base_429
        finally:
            stop.set()
            await asyncio.wait_for(task, 30)
            await driver.close()
            app.engine.dispose()
    shutil.rmtree(work, ignore_errors=True)
    return result


def _chat(request: RequestRecord) -> int | None:
    value = request.params.get("chat_id")
    return int(value) if value is not None else None


def _all_current(app: object, server: FakeTelegramServer, crowd: list[FakeUser]) -> bool:
    """Every person still waiting sees their exact position."""
    engine = app.engine  # type: ignore[attr-defined]
    with Session(engine) as session:
        line = session.exec(
            select(QueueEntry.chat_id)
            .where(col(QueueEntry.office_id) == OFFICE, col(QueueEntry.status) == "waiting")
            .order_by(col(QueueEntry.joined_at), col(QueueEntry.id))
        ).all()
    by_id = {p.id: p for p in crowd}
    return all(
        shown_position(server, by_id[chat]) == number for number, chat in enumerate(line, start=1)
    )


def table(results: list[Result]) -> str:
    """The section for docs/benchmarks.md."""
    lines = [
        SECTION,
        "",
        f"`python bench/queue.py` on {platform.machine()} with {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; the fake Bot API server's limits on (1/s per "
        "private chat, 20/min per group, 30/s overall, edits counted like messages). One "
        "office; people join through the bot's join action, then an agent sends /proximo, "
        "and every few seconds /encerrar and /proximo. Each position message is one message "
        "per person, edited in place, at most once per max(15 s, line length / 15 per s).",
        "",
        "| store | people | calls, every | sent (people / group) | edited (people / group) "
        "| 429 | last person's lag per call: median / max | all positions exact after the last "
        "call |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lags = r.call_lags or [0.0]
        lines.append(
            f"| {r.store} | {r.people} | {r.calls}, {r.every:g} s | {r.sent_private} / "
            f"{r.sent_group} | {r.edited_private} / {r.edited_group} | {r.served_429} | "
            f"{statistics.median(lags):.1f} s / {max(lags):.1f} s | {r.settle_lag:.1f} s |"
        )
    return "\n".join(lines) + "\n"


def write_section(path: Path, section: str) -> None:
    """Replace (or append) the section in the benchmarks file."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    start = text.find(SECTION)
    if start == -1:
        text = text.rstrip() + "\n\n" + section
    else:
        end = text.find("\n## ", start + len(SECTION))
        text = text[:start] + section + ("" if end == -1 else text[end:])
    path.write_text(text, encoding="utf-8")


def main() -> None:
    """Run and print (and write) the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--every", type=float, default=3.0)
    parser.add_argument("--postgres", default="")
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        results.append(asyncio.run(run(url, "SQLite", args.people, args.calls, args.every)))
        print(table(results))
    if args.postgres:
        # A schema made for the run and dropped after it (bench/flows.py's postgres_store).
        spec = importlib.util.spec_from_file_location("bench_flows", _HERE / "flows.py")
        assert spec is not None and spec.loader is not None
        bench_flows = importlib.util.module_from_spec(spec)
        sys.modules["bench_flows"] = bench_flows
        spec.loader.exec_module(bench_flows)
        with bench_flows.postgres_store(args.postgres) as url:
            results.append(asyncio.run(run(url, "PostgreSQL", args.people, args.calls, args.every)))
    section = table(results)
    print(section)
    if args.write:
        write_section(args.write, section)


if __name__ == "__main__":
    main()
