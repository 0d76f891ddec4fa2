"""A turn's first read: the user (created or refreshed) and their conversation, in one query."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event
from sqlmodel import Session

from storage.conversations import save_conversation
from storage.tables import User
from storage.turns import SavedConversation, start_turn
from storage.users import mark_unreachable, user_by_telegram_id

from .conftest import NOW

BIG_ID = 7_123_456_789  # Telegram ids no longer fit in 32 bits


def turn(session: Session, *, chat: int = BIG_ID, name: str = "Ana", username: str | None = "ana"):
    return start_turn(
        session, telegram_user_id=BIG_ID, chat_id=chat, name=name, username=username, now=NOW
    )


def test_first_turn_creates_the_user_without_a_conversation(session: Session) -> None:
    first = turn(session)
    session.commit()

    stored = user_by_telegram_id(session, telegram_user_id=BIG_ID)
    assert stored is not None
    assert (first.user.id, first.user.name, first.user.chat_id) == (stored.id, "Ana", BIG_ID)
    assert (stored.username, stored.unreachable, stored.created_at) == ("ana", False, NOW)
    assert first.conversation is None


def test_turn_brings_the_conversation_of_this_chat_only(session: Session) -> None:
    user_id = turn(session).user.id
    data = {"offer": "sei", "fields": {"nome": "Zé"}}
    save_conversation(
        session,
        chat_id=BIG_ID,
        user_id=user_id,
        state="intake",
        data=data,
        expected_version=None,
        now=NOW,
    )
    session.commit()

    again = turn(session)
    assert again.user.id == user_id
    assert again.conversation == SavedConversation("intake", data, 1)
    assert turn(session, chat=-100123).conversation is None


def test_a_changed_profile_is_stored_and_a_blocked_user_who_writes_is_reachable_again(
    session: Session,
) -> None:
    user_id = turn(session).user.id
    mark_unreachable(session, user_id=user_id, now=NOW + timedelta(hours=1))
    session.commit()

    again = turn(session, chat=555, name="Ana Lima", username=None)
    session.commit()
    session.expire_all()

    stored = session.get(User, user_id)
    assert stored is not None
    assert (again.user.name, again.user.username, again.user.chat_id) == ("Ana Lima", None, 555)
    assert (stored.name, stored.username, stored.chat_id) == ("Ana Lima", None, 555)
    assert (stored.unreachable, stored.unreachable_at) == (False, None)


def test_an_unchanged_user_is_not_written(session: Session) -> None:
    turn(session)
    session.commit()
    statements: list[str] = []
    connection = session.connection()
    event.listen(connection, "before_cursor_execute", lambda *a: statements.append(a[2]))
    turn(session)
    assert [s.split()[0] for s in statements] == ["SELECT"]
