"""Knowledge base reload benchmark: from an editor's save to the new base in use.

Usage: python bench/kb_reload.py [--write docs/benchmarks.md] [--rounds 10]

A copy of the bundled knowledge base is watched by the bot's own KnowledgeReloader (watchfiles,
the same debounce); each round edits one article and measures (a) save -> swapped in (what an
editor waits for), (b) the reload's own work, read + lint + index + advice, timed directly, and
(c) how long the swap holds the turn gate (what a user's turn may wait).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.flows import machine  # noqa: E402
from bot.kb_reload import DEBOUNCE_MS, Knowledge, KnowledgeReloader  # noqa: E402
from bot.turn_gate import TurnGate  # noqa: E402
from knowledge_base.loader import load_knowledge_base, read_knowledge_base  # noqa: E402
from knowledge_base.reach_checks import advice  # noqa: E402
from knowledge_base.triage import Triage  # noqa: E402
from knowledge_base.version import content_version  # noqa: E402

SECTION = "## Knowledge base reload"
ARTICLE = "articles/eproc-2fa-codigo-invalido.md"


async def measure(rounds: int) -> dict[str, list[float]]:
    """Times in ms of each round: save to swap, the reload's work, the gate held."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "kb"
        shutil.copytree(
            REPO / "knowledge_base", root, ignore=shutil.ignore_patterns("*.py", "__pycache__")
        )
        kb = load_knowledge_base(root)
        held: list[float] = []

        def use(new: Knowledge) -> None:
            held.append(0.0)

        gate = TurnGate()
        reloader = KnowledgeReloader(
            root, Knowledge(kb, Triage(kb), content_version(root)), use=use, gate=gate
        )
        stop = asyncio.Event()
        watcher = asyncio.create_task(reloader.watch(stop))
        await reloader.watching.wait()
        saved: list[float] = []
        path = root / ARTICLE
        original = path.read_text(encoding="utf-8")
        for n in range(rounds):
            reloader.reloaded.clear()
            start = time.perf_counter()
            path.write_text(original + f"\nRodada {n}.\n", encoding="utf-8")
            await reloader.reloaded.wait()
            saved.append((time.perf_counter() - start) * 1000)
        stop.set()
        await watcher
        work, gate_ms = [], []
        for n in range(rounds):
            path.write_text(original + f"\nDireto {n}.\n", encoding="utf-8")
            start = time.perf_counter()
            new_kb, _ = read_knowledge_base(root)
            triage = Triage(new_kb)
            advice(new_kb, triage)
            work.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            with gate.swap():
                use(Knowledge(new_kb, triage, str(n)))
            gate_ms.append((time.perf_counter() - start) * 1000)
    return {"save_to_swap": saved, "work": work, "gate": gate_ms}


def section(times: dict[str, list[float]]) -> str:
    """The results as the benchmarks page's section."""
    host = machine(None)

    def row(name: str, values: list[float]) -> str:
        return f"| {name} | {statistics.median(values):.1f} | {max(values):.1f} | {len(values)} |"

    return "\n".join(
        [
            SECTION,
            "",
            f"Run `python bench/kb_reload.py --write docs/benchmarks.md` ({host['date']}).",
            "",
            f"Machine: {host['cpu']}, {host['cores']} cores, Python {host['python']}, "
            f"{host['os']}. Load average (1/5/15 min) when the run started: {host['load']}.",
            "",
            "Bundled knowledge base (16 articles, 6 offers); the watcher debounces "
            f"{DEBOUNCE_MS} ms. Target (issue 14): a valid change in use within 2 s.",
            "",
            "| step | median ms | max ms | rounds |",
            "|---|---:|---:|---:|",
            row("save -> new base in use (watcher, debounce, reload)", times["save_to_swap"]),
            row("reload work: read + lint + index + advice", times["work"]),
            row("swap: turn gate held", times["gate"]),
            "",
        ]
    )


def write_section(doc: Path, body: str) -> None:
    """Replace (or append) this section, keeping every other section as it is."""
    old = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    lines = old.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == SECTION), None)
    if start is None:
        new = old.rstrip("\n") + "\n\n" + body
    else:
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
        new = "\n".join([*lines[:start], body.rstrip("\n"), "", *lines[end:]]).rstrip("\n") + "\n"
    doc.write_text(new, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the rounds and print (or write) the section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--write", type=Path)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args(argv)
    body = section(asyncio.run(measure(args.rounds)))
    print(body)
    if args.write:
        write_section(args.write, body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
