"""What a message says beyond its topic: grau, systems named, and whether it reports a problem."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from .models import KnowledgeBase
from .normalize import has_phrase, plain


@dataclass(frozen=True)
class Signals:
    """Facts read off one message with the knowledge base's language data."""

    text: str
    grau: Literal["1", "2"] | None
    systems: tuple[str, ...]
    problem: bool
    question: bool
    request: bool
    support: bool


class SignalReader:
    """Compiled patterns and phrases of one knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        lang = kb.language
        self._kb = kb
        self._grau_1 = [re.compile(p) for p in lang.grau_1]
        self._grau_2 = [re.compile(p) for p in lang.grau_2]

    @cached_property
    def _system_phrases(self) -> list[tuple[str, str]]:
        abbreviations = self._kb.language.abbreviations
        pairs = []
        for system in self._kb.systems.values():
            for keyword in (system.name, *system.keywords):
                phrase = plain(keyword, abbreviations)
                if phrase:
                    pairs.append((system.id, phrase))
        # Longer phrases first, so "balcao virtual" is found before a shorter overlapping one.
        return sorted(pairs, key=lambda p: -len(p[1]))

    def read(self, text: str) -> Signals:
        """Read the signals of one message."""
        lang = self._kb.language
        flat = plain(text, lang.abbreviations)
        first = any(p.search(flat) for p in self._grau_1)
        second = any(p.search(flat) for p in self._grau_2)
        grau: Literal["1", "2"] | None = None
        if first != second:
            grau = "1" if first else "2"
        found: dict[str, int] = {}
        for system_id, phrase in self._system_phrases:
            at = f" {flat} ".find(f" {phrase} ")
            if at >= 0 and system_id not in found:
                found[system_id] = at
        systems = tuple(sorted(found, key=found.__getitem__))
        opening = " ".join(flat.split()[:4])
        question = "?" in text or any(has_phrase(opening, q) for q in lang.question)
        return Signals(
            text=flat,
            grau=grau,
            systems=systems,
            problem=any(has_phrase(flat, p) for p in lang.problem),
            question=question,
            request=any(has_phrase(flat, p) for p in lang.request),
            support=bool(systems) or any(has_phrase(flat, p) for p in lang.support),
        )
