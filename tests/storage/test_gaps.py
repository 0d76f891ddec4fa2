"""Knowledge gaps in the store: recorded, read by date, exported, erased with their user, purged."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlmodel import Session, select

from storage import User, erase_user_data, export_user_data
from storage.gaps import gaps_since, note_gap, purge_gaps
from storage.supervision_tables import KnowledgeGap

from .conftest import NOW


def test_gaps_are_read_since_a_date_exported_and_erased_with_their_user(
    session: Session, make_user: Callable[..., User]
) -> None:
    maria, joao = make_user(1), make_user(2)
    note_gap(
        session, kind="none", text="  impressora  ", article_id=None, user_id=maria.id, now=NOW
    )
    note_gap(
        session,
        kind="not_solved",
        text="x" * 900,
        article_id="eproc-login",
        user_id=joao.id,
        now=NOW - timedelta(days=40),
    )
    session.flush()
    assert [(g.kind, g.text) for g in gaps_since(session, since=NOW - timedelta(days=30))] == [
        ("none", "impressora")
    ]
    assert len(gaps_since(session, since=NOW - timedelta(days=60))[0].text) == 500
    exported = export_user_data(session, user_id=maria.id or 0)
    assert [(g["kind"], g["text"]) for g in exported["unanswered_questions"]] == [
        ("none", "impressora")
    ]

    erase_user_data(session, user_id=maria.id or 0, now=NOW)
    assert [g.user_id for g in session.exec(select(KnowledgeGap))] == [joao.id]
    assert purge_gaps(session, before=NOW - timedelta(days=30)) == 1
    assert session.exec(select(KnowledgeGap)).all() == []
