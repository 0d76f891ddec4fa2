"""What a message says beyond its topic: grau, systems named, and whether it reports a problem."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from .models import KnowledgeBase
from .normalize import plain, stem, words

MIN_PROBLEM_STEM = 5


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
    # Another organization's service is named ("o balcão do Detran") and none of our systems
    # by more than one word: the message is not for this desk.
    elsewhere: bool = False


class SignalReader:
    """Compiled patterns and phrases of one knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        lang = kb.language
        self._kb = kb
        self._grau_1 = _any_of(lang.grau_1)
        self._grau_2 = _any_of(lang.grau_2)
        self._question = PhraseSet(lang.question)
        self._problem = PhraseSet(lang.problem)
        # One-word problem phrases by stem, so inflections and typos that keep the stem count
        # ("bloqueou", "bloquado"); short stems are too common ("parou" -> "par", as "para").
        self._problem_stems = frozenset(
            stem(p) for p in lang.problem if " " not in p and len(stem(p)) >= MIN_PROBLEM_STEM
        )
        # Asking for a person is asking for support, as asking for a ticket is.
        self._request = PhraseSet((*lang.request, *lang.person))
        self._support = PhraseSet(lang.support)
        self._elsewhere = PhraseSet(lang.elsewhere)

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

    @cached_property
    def _system_index(self) -> dict[str, list[tuple[int, str, str]]]:
        """`_system_phrases` by first word, each with its place in that order."""
        index: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
        for place, (system_id, phrase) in enumerate(self._system_phrases):
            index[phrase.split()[0]].append((place, system_id, phrase))
        return dict(index)

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
        present = set(folded)
        systems = self._systems(padded, present)
        opening = folded[:4]
        question = "?" in text or self._question.found_in(f" {' '.join(opening)} ", set(opening))
        return Signals(
            text=flat,
            grau=grau,
            systems=systems,
            problem=self._problem.found_in(padded, present)
            or any(stem(w) in self._problem_stems for w in present),
            question=question,
            request=self._request.found_in(padded, present),
            support=bool(systems) or self._support.found_in(padded, present),
            elsewhere=self._elsewhere.found_in(padded, present)
            and not self._systems(padded, present, whole_names=True),
        )

    def _systems(
        self, padded: str, present: set[str], *, whole_names: bool = False
    ) -> tuple[str, ...]:
        """Systems named in the message, in order of appearance (`whole_names`: only by a
        phrase of more than one word, or by a one-word name that is no common word, as "eproc").

        A system is placed where its longest phrase that occurs at all first occurs. Only the
        phrases whose first word the message has are tried, in the same longest-first order.
        """
        index = self._system_index
        tried = sorted(entry for word in present if word in index for entry in index[word])
        found: dict[str, int] = {}
        for _, system_id, phrase in tried:
            if whole_names and not self._whole_name(phrase):
                continue
            if system_id not in found and (at := padded.find(phrase)) >= 0:
                found[system_id] = at
        return tuple(sorted(found, key=found.__getitem__))

    def _whole_name(self, padded_phrase: str) -> bool:
        """A system phrase that names it outright: several words, or a word of its own."""
        phrase = padded_phrase.strip()
        return " " in phrase or phrase in self._kb.language.own_names


class PhraseSet:
    """Phrases looked up by their first word, for whole-word search in a message.

    A phrase can only occur in the space-padded words of a message if the message has its first
    word, so a message is searched only for the few phrases starting with one of its words
    instead of every phrase. Phrases without words can never occur and are dropped.
    """

    def __init__(self, phrases: Iterable[str]) -> None:
        by_first: dict[str, list[str]] = defaultdict(list)
        for phrase in phrases:
            if phrase.split():
                by_first[phrase.split()[0]].append(f" {phrase} ")
        self._by_first = {word: tuple(padded) for word, padded in by_first.items()}

    def found_in(self, padded: str, present: AbstractSet[str]) -> bool:
        """Whether a phrase occurs in `padded`, the words of `present` joined and space-padded."""
        by_first = self._by_first
        return any(p in padded for word in present if word in by_first for p in by_first[word])


def _any_of(patterns: Iterable[str]) -> list[re.Pattern[str]]:
    """The patterns as one alternation when that is safe (one search instead of several).

    Patterns that refer to their own groups (backreferences, conditionals) or set global flags
    would change meaning inside a bigger pattern, so they stay separate.
    """
    compiled = [re.compile(p) for p in patterns]
    if len(compiled) > 1 and not any(_SELF_REFERENCE.search(p.pattern) for p in compiled):
        try:
            return [re.compile("|".join(f"(?:{p.pattern})" for p in compiled))]
        except re.error:
            pass
    return compiled


# Backreferences (\1, (?P=name)), conditionals ((?(1)...)) and inline flags ((?i)).
_SELF_REFERENCE = re.compile(r"\\[1-9]|\(\?P=|\(\?\(|\(\?[aiLmsux-]+\)")


def _longest(pair: tuple[str, str]) -> int:
    return -len(pair[1])
