"""Dialog state per chat and user, saved with optimistic locking against lost updates."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, SQLModel, col, select

from storage.errors import StaleConversation
from storage.tables import Conversation
from storage.upserts import insert_if_absent

# Built once: every turn loads and saves its conversation (see docs/benchmarks.md, "## Flows").
_LOAD = (
    select(Conversation)
    .where(
        col(Conversation.chat_id) == bindparam("chat_id"),
        col(Conversation.user_id) == bindparam("user_id"),
    )
    # An object cached by this session may predate a save made through UPDATE.
    .execution_options(populate_existing=True)
)
# A Core UPDATE of the table: it leaves the session's objects alone (no synchronization).
_TABLE = SQLModel.metadata.tables[str(Conversation.__tablename__)]
_SAVE = (
    _TABLE.update()
    .where(
        _TABLE.c.chat_id == bindparam("b_chat_id"),
        _TABLE.c.user_id == bindparam("b_user_id"),
        _TABLE.c.version == bindparam("b_expected_version"),
    )
    # Parameters named like columns would also be SET: hence the b_ prefix.
    .values(
        state=bindparam("b_state"),
        data=bindparam("b_data"),
        version=bindparam("b_version"),
        updated_at=bindparam("b_updated_at"),
    )
)


def load_conversation(session: Session, *, chat_id: int, user_id: int) -> Conversation | None:
    """The stored conversation of this user in this chat, read fresh from the database."""
    return session.exec(_LOAD, params={"chat_id": chat_id, "user_id": user_id}).first()


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
    params = {
        "b_chat_id": chat_id,
        "b_user_id": user_id,
        "b_expected_version": expected_version,
        "b_state": state,
        "b_data": dict(data),
        "b_version": expected_version + 1,
        "b_updated_at": now,
    }
    # On the session's connection: Session.execute would add ORM bookkeeping to a Core UPDATE.
    result: Any = session.connection().execute(_SAVE, params)
    if result.rowcount != 1:
        raise StaleConversation(chat_id, user_id, expected_version)
    return expected_version + 1


def delete_conversation(session: Session, *, chat_id: int, user_id: int) -> None:
    """Forget the conversation (the next message starts from the beginning)."""
    conversation = load_conversation(session, chat_id=chat_id, user_id=user_id)
    if conversation is not None:
        session.delete(conversation)
        session.flush()
