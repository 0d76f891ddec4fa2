"""Conversation state: stored per chat and user, saved with lost-update detection."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from storage.conversations import delete_conversation, load_conversation, save_conversation
from storage.engine import make_engine
from storage.errors import StaleConversation
from storage.tables import User

from .conftest import NOW

DATA = {"offer": "sei", "fields": {"nome": "Zé", "anexos": [{"file_id": "x", "size": 1}]}}


@pytest.fixture
def user(make_user: Callable[..., User]) -> User:
    return make_user(77)


def save(session: Session, user: User, state: str, version: int | None, **data: object) -> int:
    return save_conversation(
        session,
        chat_id=77,
        user_id=user.id or 0,
        state=state,
        data=data or DATA,
        expected_version=version,
        now=NOW,
    )


def test_unknown_conversation_loads_as_none(session: Session, user: User) -> None:
    assert load_conversation(session, chat_id=77, user_id=user.id or 0) is None


def test_new_conversation_is_stored_at_version_one(session: Session, user: User) -> None:
    assert save(session, user, "intake:email", None) == 1
    session.commit()

    loaded = load_conversation(session, chat_id=77, user_id=user.id or 0)
    assert loaded is not None
    assert (loaded.state, loaded.data, loaded.version, loaded.updated_at) == (
        "intake:email",
        DATA,
        1,
        NOW,
    )


def test_each_save_from_the_current_version_moves_it_forward(session: Session, user: User) -> None:
    save(session, user, "menu", None)
    assert save(session, user, "triage", 1, texto="senha") == 2
    assert save(session, user, "intake", 2, passo=3) == 3

    loaded = load_conversation(session, chat_id=77, user_id=user.id or 0)
    assert loaded is not None
    assert (loaded.state, loaded.data, loaded.version) == ("intake", {"passo": 3}, 3)


def test_saving_from_an_outdated_version_is_refused_and_keeps_the_winner(
    engine: Engine, session: Session, user: User
) -> None:
    save(session, user, "menu", None)
    session.commit()
    # Two workers load version 1; the first one saves.
    save(session, user, "winner", 1)
    session.commit()

    with pytest.raises(StaleConversation, match="version 1"):
        save(session, user, "loser", 1)
    session.rollback()

    loaded = load_conversation(session, chat_id=77, user_id=user.id or 0)
    assert loaded is not None and (loaded.state, loaded.version) == ("winner", 2)


def test_two_first_messages_at_once_store_one_conversation(
    engine: Engine, session: Session, user: User
) -> None:
    save(session, user, "first", None)
    session.commit()
    with pytest.raises(StaleConversation, match="created by another writer"):
        save(session, user, "second", None)


def test_conversations_are_separate_per_chat_and_user(
    session: Session, make_user: Callable[..., User]
) -> None:
    ana, bia = make_user(1), make_user(2)
    for chat_id, person, state in [(1, ana, "a"), (2, bia, "b"), (-100, ana, "group")]:
        save_conversation(
            session,
            chat_id=chat_id,
            user_id=person.id or 0,
            state=state,
            data={},
            expected_version=None,
            now=NOW,
        )
    found = {
        (chat, person.name): load_conversation(session, chat_id=chat, user_id=person.id or 0)
        for chat, person in [(1, ana), (2, bia), (-100, ana), (1, bia)]
    }
    assert {key: c.state if c else None for key, c in found.items()} == {
        (1, ana.name): "a",
        (2, bia.name): "b",
        (-100, ana.name): "group",
        (1, bia.name): None,
    }


def test_state_survives_a_restart_of_the_process(
    engine: Engine, database_url: str, session: Session, user: User
) -> None:
    save(session, user, "intake:descricao", None)
    user_id = user.id or 0
    session.commit()
    session.close()
    engine.dispose()

    restarted = make_engine(database_url)
    try:
        with Session(restarted) as fresh:
            loaded = load_conversation(fresh, chat_id=77, user_id=user_id)
            assert loaded is not None and (loaded.state, loaded.data) == ("intake:descricao", DATA)
    finally:
        restarted.dispose()


def test_load_sees_a_save_made_after_an_earlier_load(session: Session, user: User) -> None:
    save(session, user, "menu", None)
    first = load_conversation(session, chat_id=77, user_id=user.id or 0)
    save(session, user, "triage", 1)
    again = load_conversation(session, chat_id=77, user_id=user.id or 0)
    assert first is again
    assert again is not None and (again.state, again.version) == ("triage", 2)


def test_deleted_conversation_starts_over(session: Session, user: User) -> None:
    save(session, user, "menu", None)
    delete_conversation(session, chat_id=77, user_id=user.id or 0)
    assert load_conversation(session, chat_id=77, user_id=user.id or 0) is None
    assert save(session, user, "menu", None) == 1


def test_updated_at_follows_each_save(session: Session, user: User) -> None:
    save(session, user, "menu", None)
    later = NOW + timedelta(minutes=3)
    save_conversation(
        session,
        chat_id=77,
        user_id=user.id or 0,
        state="x",
        data={},
        expected_version=1,
        now=later,
    )
    loaded = load_conversation(session, chat_id=77, user_id=user.id or 0)
    assert loaded is not None and loaded.updated_at == later
