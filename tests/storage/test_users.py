"""Users: one row per Telegram user, kept current, and flagged when unreachable."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from storage.tables import User
from storage.users import get_or_create_user, mark_unreachable, user_by_telegram_id

from .conftest import NOW

BIG_ID = 7_123_456_789  # Telegram ids no longer fit in 32 bits


def meet(session: Session, name: str = "Ana", username: str | None = "ana", chat: int = BIG_ID):
    return get_or_create_user(
        session, telegram_user_id=BIG_ID, chat_id=chat, name=name, username=username, now=NOW
    )


def test_first_contact_creates_the_user(session: Session) -> None:
    user = meet(session)
    session.commit()
    stored = user_by_telegram_id(session, telegram_user_id=BIG_ID)
    assert stored is not None
    assert (stored.id, stored.name, stored.username, stored.chat_id) == (
        user.id,
        "Ana",
        "ana",
        BIG_ID,
    )
    assert (stored.unreachable, stored.created_at) == (False, NOW)


def test_later_contacts_reuse_the_row_and_refresh_the_profile(session: Session) -> None:
    first = meet(session)
    again = meet(session, name="Ana Lima", username=None)
    session.commit()
    assert again.id == first.id
    assert session.exec(select(User)).all() == [again]
    assert (again.name, again.username) == ("Ana Lima", None)


def test_blocked_user_is_marked_and_writing_again_clears_it(session: Session) -> None:
    user = meet(session)
    later = NOW + timedelta(hours=1)
    mark_unreachable(session, user_id=user.id or 0, now=later)
    session.commit()
    session.expire_all()
    assert (user.unreachable, user.unreachable_at) == (True, later)

    meet(session)
    session.commit()
    session.expire_all()
    assert (user.unreachable, user.unreachable_at) == (False, None)


def test_marking_twice_keeps_the_first_time(session: Session) -> None:
    user = meet(session)
    mark_unreachable(session, user_id=user.id or 0, now=NOW)
    mark_unreachable(session, user_id=user.id or 0, now=NOW + timedelta(days=1))
    assert user.unreachable_at == NOW


def test_marking_an_unknown_user_does_nothing(session: Session) -> None:
    mark_unreachable(session, user_id=999, now=NOW)
    assert session.exec(select(User)).all() == []
