"""What every user turn reads first: who the user is and where their conversation stands.

A turn is the bot's hottest path, and with the ORM its bookkeeping cost more than the SQL
(docs/benchmarks.md, "## Flows"). So the user and their conversation come back from ONE
prebuilt Core statement on the session's connection, as plain frozen values; the user row is
written only on first contact or when Telegram reports a new name, username or chat.

Statements here do not go through the session's identity map: a `User` object the same session
loaded earlier is not refreshed by `start_turn`'s UPDATE (load it with `populate_existing`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlmodel import Session, SQLModel

from storage.tables import Conversation, User
from storage.users import insert_user

_USERS = SQLModel.metadata.tables[str(User.__tablename__)]
_CONVERSATIONS = SQLModel.metadata.tables[str(Conversation.__tablename__)]
_LOAD = select(
    _USERS.c.id,
    _USERS.c.chat_id,
    _USERS.c.name,
    _USERS.c.username,
    _USERS.c.unreachable,
    _CONVERSATIONS.c.state,
    _CONVERSATIONS.c.data,
    _CONVERSATIONS.c.version,
).select_from(
    _USERS.outerjoin(
        _CONVERSATIONS,
        (_CONVERSATIONS.c.user_id == _USERS.c.id)
        & (_CONVERSATIONS.c.chat_id == bindparam("chat_id")),
    )
)
_LOAD = _LOAD.where(_USERS.c.telegram_user_id == bindparam("telegram_user_id"))
# Parameters named like columns would also be SET: hence the b_ prefix.
_REFRESH_USER = (
    _USERS.update()
    .where(_USERS.c.id == bindparam("b_id"))
    .values(
        chat_id=bindparam("b_chat_id"),
        name=bindparam("b_name"),
        username=bindparam("b_username"),
        unreachable=False,
        unreachable_at=None,
    )
)


@dataclass(frozen=True)
class Requester:
    """The user behind a turn, as stored after the turn's first statement."""

    id: int
    telegram_user_id: int
    chat_id: int
    name: str
    username: str | None


@dataclass(frozen=True)
class SavedConversation:
    """A stored conversation: its state, its data and the version a save must expect."""

    state: str
    data: dict[str, Any]
    version: int


@dataclass(frozen=True)
class Turn:
    """The user (created on first contact) and their conversation in this chat, if any."""

    user: Requester
    conversation: SavedConversation | None


def start_turn(
    session: Session,
    *,
    telegram_user_id: int,
    chat_id: int,
    name: str,
    username: str | None,
    now: datetime,
) -> Turn:
    """The user for this Telegram id, kept up to date, and their conversation in `chat_id`."""
    connection = session.connection()
    keys = {"telegram_user_id": telegram_user_id, "chat_id": chat_id}
    row = connection.execute(_LOAD, keys).first()
    if row is None:
        new_id = insert_user(
            session,
            telegram_user_id=telegram_user_id,
            chat_id=chat_id,
            name=name,
            username=username,
            now=now,
        )
        if new_id is not None:
            user = Requester(new_id, telegram_user_id, chat_id, name, username)
            return Turn(user, None)
        row = connection.execute(_LOAD, keys).first()
        if row is None:
            raise LookupError(f"user {telegram_user_id} vanished right after being stored")
    user_id, stored_chat, stored_name, stored_username, unreachable, state, data, version = row
    # A user who writes to the bot can be reached again, even after blocking it once.
    if (stored_chat, stored_name, stored_username, unreachable) != (chat_id, name, username, False):
        connection.execute(
            _REFRESH_USER,
            {"b_id": user_id, "b_chat_id": chat_id, "b_name": name, "b_username": username},
        )
    user = Requester(user_id, telegram_user_id, chat_id, name, username)
    saved = None if state is None else SavedConversation(state, dict(data or {}), version)
    return Turn(user, saved)
