"""Dialog state per chat and user, saved with optimistic locking against lost updates."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select, update

from storage.errors import StaleConversation
from storage.tables import Conversation
from storage.upserts import insert_if_absent


def load_conversation(session: Session, *, chat_id: int, user_id: int) -> Conversation | None:
    """The stored conversation of this user in this chat, read fresh from the database."""
    query = (
        select(Conversation)
        .where(Conversation.chat_id == chat_id, Conversation.user_id == user_id)
        # An object cached by this session may predate a save made through UPDATE.
        .execution_options(populate_existing=True)
    )
    return session.exec(query).first()


def save_conversation(
    session: Session,
    *,
    chat_id: int,
    user_id: int,
    state: str,
    data: Mapping[str, Any],
    expected_version: int | None,
    now: datetime,
) -> int:
    """Save if still at `expected_version` (None: new) and return the new version."""
    # Otherwise another writer got there first: StaleConversation tells the caller to reload
    # the conversation and apply its event again, instead of silently overwriting.
    if expected_version is None:
        values = {
            "chat_id": chat_id,
            "user_id": user_id,
            "state": state,
            "data": dict(data),
            "version": 1,
            "updated_at": now,
        }
        if not insert_if_absent(session, Conversation, values, keys=("chat_id", "user_id")):
            raise StaleConversation(chat_id, user_id, expected_version)
        return 1
    result = session.exec(
        update(Conversation)
        .where(
            col(Conversation.chat_id) == chat_id,
            col(Conversation.user_id) == user_id,
            col(Conversation.version) == expected_version,
        )
        .values(state=state, data=dict(data), version=expected_version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise StaleConversation(chat_id, user_id, expected_version)
    return expected_version + 1


def delete_conversation(session: Session, *, chat_id: int, user_id: int) -> None:
    """Forget the conversation (the next message starts from the beginning)."""
    conversation = load_conversation(session, chat_id=chat_id, user_id=user_id)
    if conversation is not None:
        session.delete(conversation)
        session.flush()
