"""Knowledge gaps: what users asked that the knowledge base did not answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, delete, select

from storage.supervision_tables import KnowledgeGap

# Longest question kept: enough to recognise it, not a whole pasted log.
TEXT_LIMIT = 500


@dataclass(frozen=True)
class GapRow:
    """One recorded gap as the report reads it."""

    kind: str
    text: str
    article_id: str | None
    at: datetime


def note_gap(
    session: Session,
    *,
    kind: str,
    text: str,
    article_id: str | None,
    user_id: int | None,
    now: datetime,
) -> None:
    """Record a gap in the caller's transaction."""
    gap = KnowledgeGap(
        kind=kind,
        text=text.strip()[:TEXT_LIMIT],
        article_id=article_id,
        user_id=user_id,
        created_at=now,
    )
    session.add(gap)


def gaps_since(session: Session, *, since: datetime) -> list[GapRow]:
    """Gaps recorded since `since`, oldest first (erased users' gaps are already gone)."""
    query = (
        select(KnowledgeGap)
        .where(col(KnowledgeGap.created_at) >= since)
        .order_by(col(KnowledgeGap.created_at), col(KnowledgeGap.id))
    )
    return [GapRow(g.kind, g.text, g.article_id, g.created_at) for g in session.exec(query)]


def purge_gaps(session: Session, *, before: datetime) -> int:
    """Delete gaps older than `before` (retention); how many."""
    result = session.exec(delete(KnowledgeGap).where(col(KnowledgeGap.created_at) < before))
    return int(result.rowcount or 0)
