"""What a message says beyond its topic: grau, systems named, and whether it reports a problem."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from .models import KnowledgeBase
from .normalize import plain, words


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
        # Phrases padded with spaces, as normalize.has_phrase pads them (empty ones never match).
        self._question = _padded(lang.question)
        self._problem = _padded(lang.problem)
        self._request = _padded(lang.request)
        self._support = _padded(lang.support)

    @cached_property
    def _system_phrases(self) -> list[tuple[str, str]]:
        """(system id, phrase padded with spaces), longest phrase first."""
        abbreviations = self._kb.language.abbreviations
        pairs = []
        for system in self._kb.systems.values():
            for keyword in (system.name, *system.keywords):
                phrase = plain(keyword, abbreviations)
                if phrase:
                    pairs.append((system.id, phrase))
        # Longer phrases first, so "balcao virtual" is found before a shorter overlapping one.
        return [(system_id, f" {phrase} ") for system_id, phrase in sorted(pairs, key=_longest)]

    def read(self, text: str) -> Signals:
        """Read the signals of one message."""
        return self.read_words(text, words(text, self._kb.language.abbreviations))

    def read_words(self, text: str, folded: list[str]) -> Signals:
        """`read` for a message whose `normalize.words` are already known."""
        flat = " ".join(folded)
        first = any(p.search(flat) for p in self._grau_1)
        second = any(p.search(flat) for p in self._grau_2)
        grau: Literal["1", "2"] | None = None
        if first != second:
            grau = "1" if first else "2"
        padded = f" {flat} "
        found: dict[str, int] = {}
        for system_id, phrase in self._system_phrases:
            if system_id not in found and (at := padded.find(phrase)) >= 0:
                found[system_id] = at
        systems = tuple(sorted(found, key=found.__getitem__))
        opening = f" {' '.join(flat.split()[:4])} "
        question = "?" in text or any(q in opening for q in self._question)
        return Signals(
            text=flat,
            grau=grau,
            systems=systems,
            problem=any(p in padded for p in self._problem),
            question=question,
            request=any(p in padded for p in self._request),
            support=bool(systems) or any(p in padded for p in self._support),
        )


def _padded(phrases: Iterable[str]) -> tuple[str, ...]:
    return tuple(f" {phrase} " for phrase in phrases if phrase)


def _longest(pair: tuple[str, str]) -> int:
    return -len(pair[1])
