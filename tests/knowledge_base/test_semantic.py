"""Semantic recall's rank fusion, with a deterministic stand-in for the embedding model."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from knowledge_base.models import KnowledgeBase
from knowledge_base.semantic import SemanticRecall, fuse
from knowledge_base.triage import Triage


def test_fusion_keeps_the_lexical_order_when_both_agree() -> None:
    assert fuse(["a", "b", "c"], ["a", "b", "c"]) == ["a", "b", "c"]


def test_fusion_settles_a_lexical_hesitation_by_the_semantic_order() -> None:
    # Swapped first two: equal fused scores, the semantic order breaks the tie.
    assert fuse(["a", "b", "c"], ["b", "a", "c"]) == ["b", "a", "c"]
    # A far semantic rank does not overturn a clear lexical lead.
    assert fuse(["a", "b", "c", "d"], ["d", "c", "a", "b"])[0] != "d"


def _bag(texts: Sequence[str]) -> NDArray[np.float32]:
    """Unit vectors over a few topic words: enough to make paraphrases close."""
    topics = ("notebook", "computador", "celular", "relogio", "senha")
    rows = []
    for text in texts:
        lowered = text.lower()
        row = np.array([lowered.count(t) for t in topics], dtype=np.float32) + 0.01
        rows.append(row / np.linalg.norm(row))
    return np.stack(rows)


def test_recall_ranks_articles_by_their_closest_phrase(kb: KnowledgeBase) -> None:
    recall = SemanticRecall(kb, _bag, _bag)
    assert recall.rank("uso sempre o mesmo computador")[0] == "eproc-2fa-dispositivo-confiavel"


def test_triage_consults_recall_only_where_it_hesitates(kb: KnowledgeBase) -> None:
    calls: list[str] = []

    def query(texts: Sequence[str]) -> NDArray[np.float32]:
        calls.extend(texts)
        return _bag(texts)

    fused = Triage(kb, semantic=SemanticRecall(kb, _bag, query))
    sure = "o eproc diz código de autenticação inválido"
    assert fused.decide(sure).label == Triage(kb).decide(sure).label
    assert calls == []
    # Two 2FA articles about as close: the lexical engine hesitates.
    fused.decide("o autenticador do eproc")
    assert len(calls) == 1
