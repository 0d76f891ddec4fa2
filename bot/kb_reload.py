"""Live reload: the running bot watches the knowledge base folder and takes a valid change.

On a change the base is read, linted and indexed in a worker thread; if it is valid it is
swapped in between turns (bot/turn_gate.py), otherwise the old base stays, every problem is
logged on its own line and the agents' group is told once per broken version. Each version is
named by a hash of its files, so several workers can be seen to run the same one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from watchfiles import Change, awatch

from bot.turn_gate import TurnGate
from flows.ports import Triage as Engine
from knowledge_base.loader import read_knowledge_base
from knowledge_base.models import KnowledgeBase
from knowledge_base.problems import Problem, errors
from knowledge_base.reach_checks import advice
from knowledge_base.triage import Triage
from knowledge_base.version import content_version

log = logging.getLogger(__name__)
# Editors save several files at once (or an editor writes a file twice): changes within this
# many milliseconds make one reload.
DEBOUNCE_MS = 300
KB_SUFFIXES = (".md", ".toml")


@dataclass(frozen=True)
class Knowledge:
    """One version of the knowledge base with its engine, named by its content hash."""

    kb: KnowledgeBase
    triage: Engine
    version: str


@dataclass(frozen=True)
class Outcome:
    """What one reload did: 'reloaded', 'unchanged' or 'refused' (with the problems)."""

    result: str
    version: str
    problems: tuple[Problem, ...] = ()


def kb_files_only(change: Change, path: str) -> bool:
    """watchfiles filter: articles and TOML files, not editors' swap or backup files."""
    return path.endswith(KB_SUFFIXES) and not Path(path).name.startswith((".", "#"))


class KnowledgeReloader:
    """Holds the current Knowledge; `reload()` reads the folder again and swaps if valid."""

    def __init__(
        self,
        root: Path,
        current: Knowledge,
        *,
        use: Callable[[Knowledge], None],
        gate: TurnGate,
        language: str = "pt",
        on_refused: Callable[[Outcome], None] | None = None,
    ) -> None:
        self.root = root
        self.current = current
        self.use = use
        self.gate = gate
        self.language = language
        self.on_refused = on_refused
        self._told: str | None = None
        # Reloads run one at a time, in order: a slow one is never overtaken by an older file.
        self._running = asyncio.Lock()
        # Set once the watcher runs, and after each reload (swapped or not): what tests and
        # status pages wait on instead of sleeping.
        self.watching = asyncio.Event()
        self.reloaded = asyncio.Event()
        self.last: Outcome | None = None

    @property
    def version(self) -> str:
        """The content hash of the base in use."""
        return self.current.version

    def reload(self) -> Outcome:
        """Read, check and index the folder; swap the new base in if it is valid (blocking)."""
        version = content_version(self.root)
        if version == self.current.version:
            return Outcome("unchanged", version)
        kb, problems = read_knowledge_base(self.root)
        found = errors(problems)
        if found:
            return self._refuse(version, found)
        triage = Triage(kb)
        for warning in advice(kb, triage):
            log.warning("knowledge base %s: %s", version, warning.line_text(self.language))
        new = Knowledge(kb, triage, version)
        with self.gate.swap():
            self.use(new)
            old, self.current = self.current, new
        self._told = None
        log.info(
            "knowledge base reloaded: version %s (was %s), %d articles, %d offers",
            version,
            old.version,
            len(kb.articles),
            len(kb.offers),
        )
        return Outcome("reloaded", version)

    async def reload_async(self) -> Outcome:
        """`reload()` in a worker thread, so turns go on while the new index is built."""
        async with self._running:
            outcome = await asyncio.to_thread(self.reload)
        self.last = outcome
        self.reloaded.set()
        return outcome

    def status(self) -> dict[str, str]:
        """The version in use and the last reload's result (for status reports)."""
        last = self.last
        return {
            "version": self.version,
            "last_reload": last.result if last else "none",
            "last_seen": last.version if last else self.version,
        }

    async def watch(self, stop: asyncio.Event) -> None:
        """Reload on every change under the folder until `stop` is set."""
        watcher = awatch(
            self.root,
            watch_filter=kb_files_only,
            stop_event=stop,
            debounce=DEBOUNCE_MS,
            yield_on_timeout=True,
            rust_timeout=200,
        )
        async for changes in watcher:
            self.watching.set()  # the watcher runs (its first timeout came): changes are seen
            if changes:
                try:
                    await self.reload_async()
                except Exception:  # a bug in a reload must not stop the bot
                    log.exception("knowledge base reload failed; the old base stays")

    def _refuse(self, version: str, found: list[Problem]) -> Outcome:
        for problem in found:
            log.warning("knowledge base not reloaded: %s", problem.line_text(self.language))
        log.warning(
            "knowledge base not reloaded: %d problem(s) in version %s, still using %s",
            len(found),
            version,
            self.current.version,
        )
        outcome = Outcome("refused", version, tuple(found))
        if self._told != version and self.on_refused is not None:
            self._told = version
            self.on_refused(outcome)
        return outcome
