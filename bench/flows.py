"""UserTurn benchmark: triage turns per second through flows and a real store, on one core.

Usage: python bench/flows.py [--write docs/benchmarks.md] [--postgres URL] [--turns 5000]
                             [--warmup 500] [--core N] [--profile] [--cases FILE]

Each turn is what the terminal chat does for one typed line: `UserTurn.handle` inside one
transaction (`Session.begin()`), commit included. Simulated users open with a first message from
the dev cases file, then answer what the bot asks (buttons, form fields, e-mail twice, a file,
the summary) for a few turns; every conversation is a new user, so the users, conversations,
tickets and history tables grow during the run. The first --warmup turns are not measured.
SQLite is a file in WAL mode (as the bot opens it); PostgreSQL gets a schema of its own, dropped
at the end. The process is pinned to one core with os.sched_setaffinity.
"""

# ruff: noqa: E402  (the import path is fixed before the project's imports, see below)
from __future__ import annotations

import sys
from pathlib import Path

# This script is named like the `flows` package, and Python puts the script's folder first on
# the import path: without that folder, `import flows` finds the package instead of this file.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import platform
import pstats
import random
import re
import secrets
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace

import psycopg
from psycopg import sql
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, func, select

from bot.config import Config, StorageConfig
from bot.database import open_store
from bot.outbound import Outbound
from bot.rendering import Renderer
from bot.user_turn import Incoming, UserTurn
from flows.events import Attachment, Button, Event, Text
from knowledge_base.loader import load_knowledge_base
from knowledge_base.models import KnowledgeBase
from knowledge_base.triage import Triage
from storage import Ticket

REPO = Path(__file__).resolve().parents[1]
DEV_CASES_CANDIDATES = (
    REPO.parent / "shared" / "eval" / "triage-dev.jsonl",
    REPO / "tests" / "eval" / "triage-dev.jsonl",
)
SECTION = "## Flows"
TARGET_SQLITE_TURNS_PER_S = 1000.0
# Updates the Telegram dispatcher handles per transaction at most (its batch_size).
BATCH = 32
# A conversation is abandoned after this many turns (a user who stops answering).
MAX_TURNS = 8
# A Monday, 09:00 in Brasília, so the Balcão Virtual offices attend; each turn moves it 100 ms.
START = dt.datetime(2025, 6, 2, 12, 0, tzinfo=dt.UTC)
TICK = dt.timedelta(milliseconds=100)
FIELD_HEADER = re.compile(r"<b>\d+/\d+ · (.+?)</b>")
EMAIL_AGAIN = "mais uma vez"


@dataclass(frozen=True)
class Result:
    """Figures of one backend."""

    backend: str
    # Turns per transaction (1: one commit per turn).
    batch: int
    turns: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    first_messages: int
    conversations: int
    tickets: int
    # turns/s of every run of this configuration (the figures above are the median run's).
    runs: tuple[float, ...] = ()

    @property
    def per_second(self) -> float:
        """Measured turns per wall-clock second."""
        return self.turns / self.seconds


class SteppingClock:
    """The desk's clock: moves a little at every reading, so rows get distinct timestamps."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        self.now += TICK
        return self.now


class User:
    """One simulated person: answers whatever the bot asks, picking buttons at random."""

    def __init__(self, telegram_id: int, first_message: str, kb: KnowledgeBase, rng: random.Random):
        self.telegram_id = telegram_id
        self.first_message = first_message
        self.rng = rng
        self.email = f"pessoa{telegram_id}@orgao.gov.br"
        self.kinds = {f.label: f.kind for o in kb.offers.values() for f in o.fields}
        self.turns = 0

    def next_event(self, calls: Sequence[Outbound]) -> Event | None:
        """The answer to the bot's last messages; None when there is nothing left to answer."""
        if self.turns == 0:
            return Text(self.first_message)
        if self.turns >= MAX_TURNS or not calls:
            return None
        data = [d for call in calls for _, d in call.buttons]
        html = "\n".join(call.text for call in calls)
        pick = self.rng.choice
        for prefix in ("g:", "s:", "o:", "k:", "c:"):
            options = [d for d in data if d.startswith(prefix)]
            if options:
                return Button(pick(options))
        for fixed in ("ok", "use", "next"):
            if fixed in data:
                return Button(fixed)
        if "solved" in data:
            return Button("support" if self.rng.random() < 0.6 else "solved")
        if EMAIL_AGAIN in html:
            return Text(self.email)
        header = FIELD_HEADER.search(html)
        kind = self.kinds.get(header.group(1)) if header else None
        if kind == "attachment":
            return Attachment(f"file-{self.telegram_id}", "print.png", 48_213, "image/png", "photo")
        if kind == "email":
            return Text(self.email)
        if kind == "text":
            return Text(f"{self.first_message} (pessoa {self.telegram_id}, detalhes do erro)")
        return None


def cases(path: Path | None) -> list[str]:
    """First messages: the `text` of every dev case."""
    found = path or next((p for p in DEV_CASES_CANDIDATES if p.exists()), None)
    if found is None:
        raise SystemExit("no dev cases found; pass --cases FILE")
    return [json.loads(line)["text"] for line in found.read_text("utf-8").splitlines() if line]


def run(
    desk: UserTurn, engine: Engine, texts: Sequence[str], turns: int, warmup: int, batch: int = 1
) -> Result:
    """Simulated users until `warmup + turns` turns; the last `turns` are timed.

    batch == 1: one user at a time, one transaction per turn (the terminal chat).
    batch > 1: `batch` users at once, as the Telegram dispatcher serves them: each transaction
    takes the next event of every one of them, with no savepoints, and commits once;
    a turn's latency is its whole transaction's (all its events arrived when it began).
    """
    rng = random.Random(7)
    latencies: list[float] = []
    first_messages = 0
    users = 0
    started = 0.0
    done = 0
    # (person, the bot's last answer to them)
    active: list[tuple[User, list[Outbound]]] = []
    while done < warmup + turns:
        ready: list[tuple[User, Event]] = []
        for person, calls in active:
            event = person.next_event(calls)
            if event is not None:
                ready.append((person, event))
        while len(ready) < batch:
            users += 1
            person = User(10_000 + users, rng.choice(texts), desk.kb, rng)
            first = person.next_event([])
            assert first is not None
            ready.append((person, first))
        ready = ready[: warmup + turns - done]
        if done <= warmup < done + len(ready):
            started = time.perf_counter()
        begin = time.perf_counter()
        answers = handle_all(desk, engine, ready)
        elapsed = time.perf_counter() - begin
        for person, _ in ready:
            if done >= warmup:
                latencies.append(elapsed)
                first_messages += person.turns == 0
            person.turns += 1
            done += 1
        active = list(zip((person for person, _ in ready), answers, strict=True))
    seconds = time.perf_counter() - started
    with Session(engine) as session:
        tickets = session.exec(select(func.count()).select_from(Ticket)).one()
    cut = statistics.quantiles(latencies, n=100, method="inclusive")
    return Result(
        backend="",
        batch=batch,
        turns=len(latencies),
        seconds=seconds,
        p50_ms=statistics.median(latencies) * 1000,
        p99_ms=cut[98] * 1000,
        max_ms=max(latencies) * 1000,
        first_messages=first_messages,
        conversations=users,
        tickets=int(tickets),
    )


def handle_all(
    desk: UserTurn, engine: Engine, ready: Sequence[tuple[User, Event]]
) -> list[list[Outbound]]:
    """One transaction for these events (of different users), as the dispatcher commits them
    (no savepoints: it retries a failed batch one update per transaction)."""
    answers = []
    with Session(engine) as session, session.begin():
        for person, event in ready:
            incoming = Incoming(person.telegram_id, person.telegram_id, "Pessoa", event)
            # As the dispatcher does before each update: fresh reads, no stale ORM objects.
            session.expire_all()
            answers.append(desk.handle(session, incoming))
    return answers


@contextmanager
def sqlite_store(directory: str | None) -> Iterator[str]:
    """URL of a fresh SQLite file (removed afterwards unless a directory was given)."""
    if directory:
        path = Path(directory) / f"bench-{secrets.token_hex(3)}.db"
        yield f"sqlite:///{path}"
        return
    with tempfile.TemporaryDirectory(prefix="triagem-bench-") as folder:
        yield f"sqlite:///{Path(folder) / 'bench.db'}"


@contextmanager
def postgres_store(url: str) -> Iterator[str]:
    """URL of a fresh schema on the PostgreSQL server at `url`, dropped afterwards."""
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(False)
    schema = f"bench_{secrets.token_hex(4)}"
    with psycopg.connect(conninfo, autocommit=True, connect_timeout=3) as admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield scoped.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(conninfo, autocommit=True, connect_timeout=3) as admin:
            admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def measure(
    backend: str,
    url: str,
    parts: tuple[KnowledgeBase, Triage, Renderer],
    args: argparse.Namespace,
    batch: int,
) -> tuple[Result, dict[str, str]]:
    """Open (and migrate) the store, run the turns, and describe the store's settings."""
    engine = open_store(Config(storage=StorageConfig(url=url)))
    try:
        desk = UserTurn(*parts, SteppingClock())
        result = run(desk, engine, args.texts, args.turns, args.warmup, batch)
        return replace(result, backend=backend), store_settings(engine)
    finally:
        engine.dispose()


def median_run(
    backend: str,
    parts: tuple[KnowledgeBase, Triage, Renderer],
    args: argparse.Namespace,
    batch: int,
) -> tuple[Result, dict[str, str]]:
    """`--repeat` runs on fresh stores; the median run (by turns/s), knowing all of them.

    One run on a shared 2-vCPU machine swings by a third; the median of several does not.
    """
    runs = []
    for _ in range(args.repeat):
        store = (
            sqlite_store(args.sqlite_dir) if backend == "sqlite" else postgres_store(args.postgres)
        )
        with store as url:
            runs.append(measure(backend, url, parts, args, batch))
    runs.sort(key=lambda run: run[0].per_second)
    result, settings = runs[len(runs) // 2]
    return replace(result, runs=tuple(r.per_second for r, _ in runs)), settings


def store_settings(engine: Engine) -> dict[str, str]:
    """What decides the cost of a commit on this store."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
            sync = connection.exec_driver_sql("PRAGMA synchronous").scalar()
            names = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
            return {
                "version": f"SQLite {sqlite3.sqlite_version}",
                "settings": f"journal_mode={mode}, synchronous={names.get(int(sync or 0), sync)}",
                "where": filesystem_of(Path(str(engine.url.database))),
            }
        version = str(connection.execute(text("SHOW server_version")).scalar())
        sync = str(connection.execute(text("SHOW synchronous_commit")).scalar())
        fsync = str(connection.execute(text("SHOW fsync")).scalar())
        host = engine.url.host or "local socket"
        return {
            "version": f"PostgreSQL {version}",
            "settings": f"synchronous_commit={sync}, fsync={fsync}",
            "where": f"server at {host} (its processes are not pinned)",
        }


def filesystem_of(path: Path) -> str:
    """The mount point and file system type holding `path` (commit cost depends on it)."""
    best = ("/", "unknown")
    try:
        for line in Path("/proc/mounts").read_text().splitlines():
            _, mount, kind, *_ = line.split()
            if str(path.resolve()).startswith(mount) and len(mount) >= len(best[0]):
                best = (mount, kind)
    except OSError:
        pass
    return f"file under {best[0]} ({best[1]})"


def profile(parts: tuple[KnowledgeBase, Triage, Renderer], args: argparse.Namespace) -> Profile:
    """cProfile of a SQLite run (warm-up turns included: every turn is profiled)."""
    with sqlite_store(args.sqlite_dir) as url:
        engine = open_store(Config(storage=StorageConfig(url=url)))
        desk = UserTurn(*parts, SteppingClock())
        profiler = cProfile.Profile()
        profiler.enable()
        run(desk, engine, args.texts, args.turns, args.warmup, args.batch)
        profiler.disable()
        engine.dispose()
    return Profile(pstats.Stats(profiler), args.turns + args.warmup)


@dataclass(frozen=True)
class Profile:
    """A profiled run and how many turns it made."""

    stats: pstats.Stats
    turns: int

    def report(self, top: int) -> str:
        """The usual pstats listings: own time, then cumulative time."""
        out = io.StringIO()
        self.stats.stream = out  # type: ignore[attr-defined]
        self.stats.sort_stats("tottime").print_stats(top)
        self.stats.sort_stats("cumulative").print_stats(top)
        return out.getvalue()

    def cumulative(self, path: str, function: str) -> float:
        """Seconds spent in a function and everything it called (the largest if several match)."""
        raw: dict[tuple[str, int, str], tuple[int, int, float, float, object]]
        raw = self.stats.stats  # type: ignore[attr-defined]
        found = [
            cumulative
            for (filename, _, name), (_, _, _, cumulative, _) in raw.items()
            if name == function and filename.replace(os.sep, "/").endswith(path)
        ]
        return max(found, default=0.0)

    def hotspots(self) -> list[str]:
        """Markdown bullets: milliseconds per turn of the parts of a turn."""
        whole = self.cumulative("bench/flows.py", "run")
        lines = []
        for path, function, what in HOTSPOTS:
            seconds = self.cumulative(path, function)
            if seconds:
                per_turn = seconds / self.turns * 1000
                lines.append(f"- {what}: {per_turn:.2f} ms per turn ({seconds / whole:.0%})")
        return [
            f"Profiled SQLite run of {self.turns:,} turns, {whole / self.turns * 1000:.2f} ms "
            "per turn under cProfile (which inflates Python-heavy parts); time in a function "
            "includes what it calls, so nested lines overlap:",
            "",
            *lines,
        ]


# (path suffix, function, what it is) of the parts of a turn worth naming in the report.
HOTSPOTS = (
    ("bot/user_turn.py", "handle", "`UserTurn.handle` (the turn without the commit)"),
    ("storage/turns.py", "start_turn", "`start_turn` (user and conversation, one SELECT)"),
    ("storage/conversations.py", "save_conversation", "`save_conversation` (versioned UPDATE)"),
    ("flows/machine.py", "advance", "`flows.advance` (flows, triage included)"),
    ("knowledge_base/triage.py", "decide", "`Triage.decide`"),
    (
        "flows/ticket_messages.py",
        "in_attendance",
        "tickets in attendance (one query per idle message)",
    ),
    ("bot/outbound.py", "reply_calls", "rendering replies and buttons (Jinja2)"),
    ("bot/user_turn.py", "_open", "`UserTurn._open` (ticket turns only, spread over all turns)"),
    ("storage/tickets.py", "open_ticket", "`open_ticket` (INSERT … ON CONFLICT, history INSERT)"),
    ("storage/queue.py", "queue_position", "`queue_position` (one prebuilt COUNT)"),
    ("sqlalchemy/orm/session.py", "commit", "commit (flush and COMMIT)"),
    ("~", "<method 'commit' of 'sqlite3.Connection' objects>", "SQLite COMMIT (WAL fsync)"),
    ("sqlalchemy/engine/base.py", "_execute_clauseelement", "SQLAlchemy Core statement execution"),
    ("~", "<method 'execute' of 'sqlite3.Cursor' objects>", "SQLite running the SQL itself"),
)


def machine(core: int | None) -> dict[str, str]:
    """CPU model, cores, Python and OS of this run."""
    model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    return {
        "cpu": model,
        "cores": str(os.cpu_count()),
        "pinned": "not pinned" if core is None else f"core {core}",
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "date": dt.date.today().isoformat(),
        "load": load,
    }


def pin(core: int | None) -> int | None:
    """Run on one core only (the last one by default); None where the OS cannot pin."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    chosen = core if core is not None else max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {chosen})
    return chosen


def section(
    results: Sequence[tuple[Result, dict[str, str]]],
    host: dict[str, str],
    args: argparse.Namespace,
    hotspots: Sequence[str],
) -> str:
    """The `## Flows` section of docs/benchmarks.md."""
    # The target is the bot's: on Telegram the dispatcher commits its turns in batches.
    batched = next(r for r, _ in results if r.backend == "sqlite" and r.batch > 1)
    single = next(r for r, _ in results if r.backend == "sqlite" and r.batch == 1)
    met = batched.per_second >= TARGET_SQLITE_TURNS_PER_S
    verdict = "met" if met else "NOT met"
    lines = [
        SECTION,
        "",
        f"Run `python bench/flows.py --write docs/benchmarks.md --postgres URL` ({host['date']}).",
        "",
        f"Machine: {host['cpu']}, {host['cores']} cores (run pinned to {host['pinned']}), "
        f"Python {host['python']}, {host['os']}. Load average (1/5/15 min) when the run "
        f"started: {host['load']}.",
        "",
        f"Target (issue 3): >= {TARGET_SQLITE_TURNS_PER_S:,.0f} triage turns per second on "
        f"SQLite on one core: **{verdict}** (median of {len(batched.runs)} runs: "
        f"{batched.per_second:,.0f} turns/s with the "
        f"dispatcher's batches of up to {batched.batch} turns per commit; "
        f"{single.per_second:,.0f} turns/s with one commit per turn).",
        "",
        "| store | turns per commit | turns/s (median run) | all runs, turns/s | p50 ms "
        "| p99 ms | max ms | measured turns | of them first messages | conversations | tickets "
        "| store settings |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for result, settings in results:
        per_commit = "1" if result.batch == 1 else f"up to {result.batch}"
        every = ", ".join(f"{r:,.0f}" for r in result.runs)
        lines.append(
            f"| {settings['version']} | {per_commit} | {result.per_second:,.0f} | {every} "
            f"| {result.p50_ms:.2f} "
            f"| {result.p99_ms:.2f} | {result.max_ms:.2f} | {result.turns:,} "
            f"| {result.first_messages:,} | {result.conversations:,} | {result.tickets:,} "
            f"| {settings['settings']}; {settings['where']} |"
        )
    lines += [
        "",
        "How it is measured:",
        "",
        "- A turn is one `UserTurn.handle` call: user and conversation load, `flows.advance` "
        "(triage, routing, form), ticket writes, rendering of the replies, conversation save.",
        "- *Turns per commit 1*: one user at a time, each turn in its own transaction "
        "(`Session.begin()`, commit included), as `triagem chat` runs every typed line. Its "
        "ceiling is one fsync of the WAL per turn (`synchronous=FULL`).",
        f"- *Turns per commit up to {args.batch}*: {args.batch} users at once, served as the "
        "Telegram dispatcher serves its inbox (`bot/telegram/dispatcher.py`): one transaction "
        "takes the next event of each of them, in one chat each, and commits once (one fsync "
        "for the batch; a failing update makes the dispatcher fall back to one transaction per "
        "update). A turn's latency is its whole batch's: its reply is committed with the "
        "batch.",
        f"- Users: each conversation is a new user. It opens with a random first message of the "
        f"{len(args.texts)} dev cases (`triage-dev.jsonl`), then answers what the bot asks "
        "(grau, system, category and agency buttons, form fields, the e-mail twice, a file, "
        "the summary; 60% say an article did not solve the problem), and stops when the bot "
        f"asks nothing more or after {MAX_TURNS} turns. Tickets, users and conversations "
        "accumulate, so later turns run on bigger tables (*conversations* and *tickets* count "
        "the whole run, warm-up included).",
        f"- {args.warmup:,} warm-up turns first (not measured), then {args.turns:,} measured "
        "turns, on a fresh store, repeated `--repeat` times per store and mode (the table "
        "shows the median run and lists every run's turns/s); turns/s is measured turns over "
        "the wall-clock time of the measured loop "
        "(the simulated users' own work included); p50/p99/max are per turn "
        "(`time.perf_counter`).",
        "- PostgreSQL runs in its own processes, which are not pinned; its figures include the "
        "local socket round trips.",
    ]
    if hotspots:
        lines += ["", "Where a SQLite turn's time goes (`--profile`):", "", *hotspots]
    return "\n".join(lines) + "\n"


def write_section(doc: Path, body: str) -> None:
    """Replace (or append) the `## Flows` section, keeping every other section as it is."""
    old = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    lines = old.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == SECTION), None)
    if start is None:
        new = old.rstrip("\n") + "\n\n" + body
    else:
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
        tail = "\n".join(lines[end:])
        new = "\n".join(lines[:start]) + ("\n" if start else "") + body
        new = new.rstrip("\n") + "\n" + (f"\n{tail}\n" if tail else "")
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(new, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark on SQLite (and PostgreSQL when given) and print or write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="update the ## Flows section of this file")
    parser.add_argument("--postgres", help="PostgreSQL URL (a schema is created and dropped)")
    parser.add_argument("--turns", type=int, default=5000, help="measured turns per store")
    parser.add_argument("--warmup", type=int, default=500, help="turns before measuring")
    parser.add_argument("--core", type=int, help="CPU core to pin to (default: the last one)")
    parser.add_argument("--cases", type=Path, help="JSONL dev cases (first messages)")
    parser.add_argument("--sqlite-dir", help="folder for the SQLite file (default: a temp dir)")
    parser.add_argument("--profile", action="store_true", help="cProfile the SQLite run too")
    parser.add_argument("--repeat", type=int, default=3, help="runs per store and mode (median)")
    parser.add_argument(
        "--batch", type=int, default=BATCH, help="users served per transaction in the batched run"
    )
    args = parser.parse_args(argv)
    args.texts = cases(args.cases)

    core = pin(args.core)
    host = machine(core)
    kb = load_knowledge_base(REPO / "knowledge_base")
    parts = (kb, Triage(kb), Renderer(kb))

    results = []
    for batch in (1, args.batch):
        results.append(median_run("sqlite", parts, args, batch))
        if args.postgres:
            results.append(median_run("postgresql", parts, args, batch))
    for result, settings in results:
        print(
            f"{result.backend:10} batch {result.batch:3} "
            f"{result.per_second:8,.0f} turns/s  p50 {result.p50_ms:.2f} ms  "
            f"p99 {result.p99_ms:.2f} ms  max {result.max_ms:.2f} ms  "
            f"({result.turns} turns, {result.conversations} conversations, "
            f"{result.tickets} tickets; {settings['version']}, {settings['settings']})"
        )
    profiled = profile(parts, args) if args.profile else None
    if profiled is not None:
        print(profiled.report(25))
        print("\n".join(profiled.hotspots()))
    if args.write:
        hotspots = profiled.hotspots() if profiled else []
        write_section(args.write, section(results, host, args, hotspots))
        print(f"wrote {SECTION} to {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
