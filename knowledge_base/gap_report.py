"""The knowledge gaps report: similar questions grouped, most frequent first, an example each.

Grouping is greedy and deterministic: each question joins the first group whose example it
resembles (rapidfuzz's token_set_ratio over stemmed terms, stopwords out), else starts one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from rapidfuzz import fuzz

from knowledge_base.models import Language
from knowledge_base.normalize import terms

# Two questions sharing most of their significant terms are the same gap ("não consigo
# assinar no sei" and "nao consigo assinar documento no SEI" score ~90; unrelated ones < 50).
SIMILAR = 70.0


@dataclass(frozen=True)
class Gap:
    """One recorded gap: kind, the user's words, the article that did not solve it."""

    kind: str
    text: str
    article_id: str | None
    at: datetime


@dataclass
class GapGroup:
    """Similar gaps: how many, of which kinds, an example and the articles involved."""

    example: str
    key: str
    count: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    articles: dict[str, int] = field(default_factory=dict)
    last: datetime | None = None

    def as_dict(self) -> dict[str, object]:
        """The group as JSON-ready data (`triagem kb gaps --json`)."""
        return {
            "count": self.count,
            "example": self.example,
            "kinds": dict(sorted(self.kinds.items())),
            "articles": dict(sorted(self.articles.items())),
            "last": self.last.isoformat() if self.last else None,
        }


def group_gaps(gaps: Iterable[Gap], language: Language) -> list[GapGroup]:
    """Group similar gaps; the largest group first (ties: the most recent first)."""
    groups: list[GapGroup] = []
    for gap in gaps:
        key = " ".join(terms(gap.text, language.abbreviations, language.stopwords))
        # A "não resolveu" with no words of its own is about its article.
        key = key or f"artigo:{gap.article_id or ''}"
        group = next((g for g in groups if _same(g, key, gap)), None)
        if group is None:
            group = GapGroup(example=gap.text or gap.article_id or "", key=key)
            groups.append(group)
        group.count += 1
        group.kinds[gap.kind] = group.kinds.get(gap.kind, 0) + 1
        if gap.article_id:
            group.articles[gap.article_id] = group.articles.get(gap.article_id, 0) + 1
        group.last = gap.at if group.last is None else max(group.last, gap.at)
    groups.sort(key=lambda g: (-g.count, -(g.last.timestamp() if g.last else 0)))
    return groups


def _same(group: GapGroup, key: str, gap: Gap) -> bool:
    if key.startswith("artigo:") or group.key.startswith("artigo:"):
        return key == group.key
    return fuzz.token_set_ratio(group.key, key) >= SIMILAR
