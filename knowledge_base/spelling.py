"""Typo tolerance: map a word the knowledge base never uses to the closest word it does use."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from rapidfuzz import fuzz, process

# Below this similarity (0-100) a guess is more often wrong than right on Portuguese typos.
MIN_SIMILARITY = 82
# Short words have too many neighbours to correct safely ("sei" vs "sem").
MIN_LENGTH = 5


class Speller:
    """Closest known word by edit similarity, among words of about the same length."""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self._by_length: dict[int, list[str]] = defaultdict(list)
        self._known = set()
        # Sorted, so that among equally close words the pick never depends on hash order.
        for word in sorted(set(vocabulary)):
            self._known.add(word)
            self._by_length[len(word)].append(word)
        self._cache: dict[str, str | None] = {}

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
        pool = [
            w
            for n in range(len(word) - 1, len(word) + 2)
            for w in self._by_length.get(n, ())
            if w[0] == word[0]
        ]
        best = process.extractOne(word, pool, scorer=fuzz.ratio, score_cutoff=MIN_SIMILARITY)
        guess = best[0] if best else None
        if len(self._cache) < 100_000:
            self._cache[word] = guess
        return guess
