"""The triage engine's answer for one message: what to do and why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .signals import Signals

DecisionKind = Literal["article", "offer", "clarify", "none"]


@dataclass(frozen=True)
class Candidate:
    """One ranked article or offer with its score (0..1, higher is better)."""

    kind: Literal["article", "offer"]
    id: str
    score: float
    category: str | None = None

    @property
    def label(self) -> str:
        """`article:ID` or `offer:ID`, the catalog's notation."""
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True)
class Decision:
    """What the desk does with a message.

    kind/target follow catalog.md: article:<id>, offer:<id> (+category), clarify:grau,
    clarify:sistema, none. `options` lists what a clarifying question offers (offer or system ids).
    """

    kind: DecisionKind
    target: str = ""
    category: str | None = None
    candidates: tuple[Candidate, ...] = ()
    options: tuple[str, ...] = ()
    system: str | None = None
    grau: Literal["1", "2"] | None = None
    # The systems the message itself names (`system` may be inferred from its topic).
    named: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The decision in catalog notation, e.g. `offer:eproc-2g` or `none`."""
        return self.kind if self.kind == "none" else f"{self.kind}:{self.target}"


@dataclass(frozen=True)
class Ranking:
    """Signals and ranked candidates of one message, before the decision."""

    signals: Signals
    articles: tuple[Candidate, ...]
    offers: tuple[Candidate, ...]
    evidence: float = 0.0
