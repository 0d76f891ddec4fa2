"""Terminal chat (interim): run the triage on each typed line and show the decision."""

from __future__ import annotations

from typing import TextIO

from bot.config import Config
from knowledge_base.loader import load_knowledge_base
from knowledge_base.triage import Triage


def run_terminal(config: Config, source: TextIO, out: TextIO) -> int:
    """Read lines until end of input or /sair, printing each decision."""
    triage = Triage(load_knowledge_base(config.knowledge_base.path))
    for line in source:
        text = line.strip()
        if text == "/sair":
            break
        if text:
            decision = triage.decide(text)
            print(decision.label, decision.category or "", file=out)
    return 0
