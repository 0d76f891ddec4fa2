"""What the user told the triage so far, carried from question to question into the form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from knowledge_base.decision import Decision

from .state import CorruptState, get_optional_str, get_str

# Telegram's message limit; older words are dropped first when a user keeps adding detail.
MAX_TEXT = 4096


@dataclass(frozen=True)
class Context:
    """The problem as described (empty when the user came from the menu) and what triage found."""

    text: str = ""
    category: str | None = None
    grau: Literal["1", "2"] | None = None
    # A second problem raised in the same message, offered when this one is done.
    pending: str = ""
    # The user could not tell the grau: the team confirms it (the ticket says so).
    grau_unsure: bool = False

    def to_data(self) -> dict[str, Any]:
        """The context as JSON fields of a state."""
        return {
            "text": self.text,
            "category": self.category,
            "grau": self.grau,
            "pending": self.pending,
            "grau_unsure": self.grau_unsure,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Context:
        """The context saved by `to_data` (states saved before `pending` existed read as none)."""
        pending = get_optional_str(data, "pending") or ""
        return cls(
            get_str(data, "text"),
            get_optional_str(data, "category"),
            as_grau(data.get("grau")),
            pending,
            data.get("grau_unsure") is True,
        )

    def adding(self, text: str, decision: Decision) -> Context:
        """The context after the user wrote more and triage looked at everything again."""
        combined = f"{self.text}\n{text}".strip()[-MAX_TEXT:]
        return replace(
            self,
            text=combined,
            category=decision.category or self.category,
            grau=decision.grau or self.grau,
        )

    @classmethod
    def of(cls, text: str, decision: Decision) -> Context:
        """The context of a first message and its decision."""
        return cls(text.strip()[:MAX_TEXT], decision.category, decision.grau)

    @property
    def support(self) -> bool:
        """Whether the user described a problem (so service-only offers are the wrong place)."""
        return bool(self.text)


def as_grau(value: object) -> Literal["1", "2"] | None:
    """A saved grau ("1", "2" or null)."""
    if value is None:
        return None
    if value == "1":
        return "1"
    if value == "2":
        return "2"
    raise CorruptState(f"grau: {value!r}")
