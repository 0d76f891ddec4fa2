"""Phrase similarity for the re-ranking: rapidfuzz `token_set_ratio` of a message against the
phrases (title, synonyms, questions) of a few articles, keeping each article's best.

`token_set_ratio` compares the sets of words of two texts. It re-splits, de-duplicates and sorts
both texts on every call, which made it the most expensive step of a triage (~150 phrases per
message). Two facts make it cheaper without changing a single score:

- it only sees sets of words, so each phrase is stored once, as its sorted distinct words;
- when a phrase shares no word with the message the score is the normalized Indel distance of
  the two sorted word lists, `100 - 100 * distance / (len(message) + len(phrase))` (rapidfuzz's
  own expression, evaluated in doubles in the same order, so the floats are identical). Most
  phrases share no word with a message, and rapidfuzz's `Indel.distance` against one message
  costs a small fraction of `token_set_ratio`.

Phrases that share a word with the message (and any text that is not plain lower-case ASCII words,
where the word splitting of Python and rapidfuzz might differ) go through `token_set_ratio`
itself. tests/knowledge_base/test_phrases.py checks both paths against `fuzz.token_set_ratio`.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

_PLAIN = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*")
# Stands for "any message" among the words of phrases that are not plain words.
_ANY = ""


class PhraseScorer:
    """The best `token_set_ratio` (0..100) of a message with each article's phrases."""

    def __init__(self, phrases: Mapping[str, Iterable[str]]) -> None:
        numbers: dict[str, int] = {}
        self._of: dict[str, NDArray[np.intp]] = {}
        for key, texts in phrases.items():
            own = [numbers.setdefault(_canonical(text), len(numbers)) for text in texts]
            # Without repeats: the best of two equal phrases is one of them.
            self._of[key] = np.array(list(dict.fromkeys(own)), dtype=np.intp)
        self._texts = np.array(list(numbers), dtype=object)
        self._lengths = np.array([len(text) for text in numbers], dtype=np.float64)
        # Where each word occurs among each key's phrases, as a bit mask of positions in
        # `_of[key]`, to find the phrases sharing a word with a message; phrases that are not
        # plain words are under `_ANY`, which every message shares.
        self._spots: dict[str, dict[str, int]] = {}
        for key, own_numbers in self._of.items():
            spots: dict[str, int] = defaultdict(int)
            for position, number in enumerate(own_numbers.tolist()):
                text = self._texts[number]
                for word in text.split(" ") if _PLAIN.fullmatch(text) else [_ANY]:
                    spots[word] |= 1 << position
            self._spots[key] = dict(spots)

    def best(self, query: str, keys: Sequence[str]) -> list[float]:
        """For each key, the best score of `query` with one of its phrases (0 without phrases).

        A message meets ~150 phrases: a few array operations over all of them cost less than a
        Python loop over each.
        """
        own = [self._of[key] for key in keys]
        sizes = [len(numbers) for numbers in own]
        if not any(sizes):
            return [0.0] * len(keys)
        numbers = np.concatenate(own)
        scores = np.empty(len(numbers))
        if _PLAIN.fullmatch(query):
            words = set(query.split(" "))
            exact = self._sharing(words, keys, len(numbers))
            apart = ~exact
            scores[apart] = self._disjoint_scores(" ".join(sorted(words)), numbers[apart])
        else:
            exact = np.ones(len(numbers), dtype=bool)
        if exact.any():
            texts = self._texts[numbers[exact]].tolist()
            row = process.cdist([query], texts, scorer=fuzz.token_set_ratio, dtype=np.float64)
            scores[exact] = row[0]
        return _run_maxima(scores, sizes)

    def _sharing(self, words: set[str], keys: Sequence[str], total: int) -> NDArray[np.bool_]:
        """Which phrases of `keys` (as `best` lines them up) share a word with the message.

        The bit masks of the message's words are laid side by side in one integer, key after
        key, and unpacked: the cost grows with the phrases at hand, not with the knowledge base.
        """
        words = words | {_ANY}
        found = 0
        start = 0
        for key in keys:
            spots = self._spots[key]
            for word in spots.keys() & words:
                found |= spots[word] << start
            start += len(self._of[key])
        packed = np.frombuffer(found.to_bytes((total + 7) // 8, "little"), dtype=np.uint8)
        return np.unpackbits(packed, count=total, bitorder="little").view(np.bool_)

    def _disjoint_scores(self, sorted_words: str, numbers: NDArray[np.intp]) -> NDArray[np.float64]:
        """token_set_ratio of phrases that share no word with the message, via Indel distance."""
        texts = self._texts[numbers].tolist()
        distance = process.cdist([sorted_words], texts, scorer=Indel.distance, dtype=np.int64)
        lengths = len(sorted_words) + self._lengths[numbers]
        scores: NDArray[np.float64] = 100.0 - 100.0 * distance[0] / lengths
        return scores


def _run_maxima(values: NDArray[np.float64], sizes: list[int]) -> list[float]:
    """The maximum of each consecutive run of `values` with the given sizes (0 for empty runs)."""
    starts = list(itertools.accumulate(sizes, initial=0))[:-1]
    filled = [start for start, size in zip(starts, sizes, strict=True) if size]
    # reduceat's run for a start ends where the next start begins: empty runs are left out.
    maxima = iter(np.maximum.reduceat(values, filled).tolist())
    return [next(maxima) if size else 0.0 for size in sizes]


def _canonical(text: str) -> str:
    """A plain phrase as its sorted distinct words (all token_set_ratio sees); others as given."""
    if _PLAIN.fullmatch(text):
        return " ".join(sorted(set(text.split(" "))))
    return text
