"""Typo tolerance: map a word the knowledge base never uses to the closest word it does use."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from rapidfuzz import fuzz, process

# Below this similarity (0-100) a guess is more often wrong than right on Portuguese typos.
MIN_SIMILARITY = 82
# Short words have too many neighbours to correct safely ("sei" vs "sem").
MIN_LENGTH = 5
# Corrections remembered, so a word misspelt the same way again costs one dict lookup.
CACHE_SIZE = 100_000


class Speller:
    """Closest known word by edit similarity, among words of about the same length.

    The candidates of a word are the known words starting with its letter whose length is
    within one of its own. They are listed once, at build time, per (first letter, length), so
    a correction is one dict lookup and one rapidfuzz `extractOne` (C) over that list, however
    large the vocabulary: no Python loop over the words.
    """

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self._known = frozenset(vocabulary)
        by_start: dict[tuple[str, int], list[str]] = defaultdict(list)
        # Sorted, so that among equally close words the pick never depends on hash order.
        for word in sorted(self._known):
            by_start[word[0], len(word)].append(word)
        # Shorter words first, alphabetical within a length: extractOne keeps the first of
        # equally close words, so ties go to the shorter, then the alphabetically first.
        self._candidates: dict[tuple[str, int], list[str]] = {}
        for letter, length in {(k[0], k[1] + d) for k in by_start for d in (-1, 0, 1)}:
            if length < MIN_LENGTH:
                continue
            pool = [w for n in (length - 1, length, length + 1) for w in by_start[letter, n]]
            if pool:
                self._candidates[letter, length] = pool
        self._cache: dict[str, str | None] = {}

    @property
    def vocabulary(self) -> frozenset[str]:
        """Every known word."""
        return self._known

    def correct(self, word: str) -> str | None:
        """The known word closest to `word`, or None when nothing is close enough."""
        if word in self._known:
            return word
        if len(word) < MIN_LENGTH or not word.isalpha():
            return None
        if word in self._cache:
            return self._cache[word]
        # Typos rarely hit the first letter, and allowing it turns real words into others
        # ("centro" -> "entro").
        pool = self._candidates.get((word[0], len(word)), ())
        best = process.extractOne(
            word, pool, scorer=fuzz.ratio, processor=None, score_cutoff=MIN_SIMILARITY
        )
        guess = best[0] if best else None
        if len(self._cache) < CACHE_SIZE:
            self._cache[word] = guess
        return guess
