"""The agents' group hears once that an edited knowledge base was refused (the old one stays)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from bot.kb_reload import Outcome
from bot.rendering import Renderer
from knowledge_base.loader import FOLLOW_CODES
from storage import enqueue

TEMPLATE = "desk/kb_not_reloaded"


class RefusalNotice:
    """Queues the message about a refused reload in the outbox (called from the reload thread)."""

    def __init__(
        self,
        engine: Engine,
        renderer: Renderer,
        *,
        chat_id: int | None,
        root: Path,
        clock: Callable[[], datetime],
        current_version: Callable[[], str],
        wake: Callable[[], None],
    ) -> None:
        self.engine = engine
        self.renderer = renderer
        self.chat_id = chat_id
        self.root = root
        self.clock = clock
        self.current_version = current_version
        self.wake = wake

    def __call__(self, outcome: Outcome) -> None:
        """Tell the agents' group (if one is configured) what was refused and why, briefly."""
        if self.chat_id is None:
            return
        files = list(dict.fromkeys(_relative(p.path, self.root) for p in outcome.problems))
        # Summaries of consequences ("2 links broken because ...") are not problems to count.
        causes = [p for p in outcome.problems if p.code not in FOLLOW_CODES]
        params = {"count": len(causes), "files": files, "version": self.current_version()}
        call = {"text": self.renderer.render(TEMPLATE, params), "parse_mode": "HTML"}
        with Session(self.engine) as session, session.begin():
            # Keyed by the broken version: workers that refuse the same files before the
            # message leaves coalesce into one message.
            enqueue(
                session,
                chat_id=self.chat_id,
                method="sendMessage",
                params=call,
                now=self.clock(),
                dedupe_key=f"kb_not_reloaded:{outcome.version}",
            )
        self.wake()


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return path.name
