"""Telegram users the bot knows, and whether messages still reach them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from storage.tables import User
from storage.upserts import insert_unless_taken

# Built once: every turn starts with this lookup, and building the statement cost more than
# running it (see docs/benchmarks.md, "## Flows").
_BY_TELEGRAM_ID = select(User).where(col(User.telegram_user_id) == bindparam("telegram_user_id"))


def user_by_telegram_id(session: Session, *, telegram_user_id: int) -> User | None:
    """The user with this Telegram id, if the bot has seen them."""
    return session.exec(_BY_TELEGRAM_ID, params={"telegram_user_id": telegram_user_id}).first()


def insert_user(
    session: Session,
    *,
    telegram_user_id: int,
    chat_id: int,
    name: str,
    username: str | None,
    now: datetime,
) -> int | None:
    """Store a user met for the first time: the new row's id, or None if the id is taken."""
    values = {
        "telegram_user_id": telegram_user_id,
        "chat_id": chat_id,
        "name": name,
        "username": username,
        "unreachable": False,
        "created_at": now,
    }
    # Two workers may see a new user's first updates at once; the unique index picks one.
    new_id = insert_unless_taken(session, User, values, keys=("telegram_user_id",), returning="id")
    return None if new_id is None else int(new_id)


def get_or_create_user(
    session: Session,
    *,
    telegram_user_id: int,
    chat_id: int,
    name: str,
    username: str | None,
    now: datetime,
) -> User:
    """The user for this Telegram id, created on first contact and kept up to date after."""
    user = user_by_telegram_id(session, telegram_user_id=telegram_user_id)
    if user is None:
        insert_user(
            session,
            telegram_user_id=telegram_user_id,
            chat_id=chat_id,
            name=name,
            username=username,
            now=now,
        )
        user = user_by_telegram_id(session, telegram_user_id=telegram_user_id)
        if user is None:
            raise LookupError(f"user {telegram_user_id} vanished right after being stored")
    # A user who writes to the bot can be reached again, even after blocking it once.
    if (
        user.chat_id != chat_id
        or user.name != name
        or user.username != username
        or user.unreachable
    ):
        user.chat_id = chat_id
        user.name = name
        user.username = username
        user.unreachable = False
        user.unreachable_at = None
        session.add(user)
        session.flush()
    return user


def mark_chat_unreachable(session: Session, *, chat_id: int, now: datetime) -> None:
    """Record that Telegram refused delivery to this chat, for every user of it."""
    for user in session.exec(select(User).where(User.chat_id == chat_id)).all():
        mark_unreachable(session, user_id=user.id or 0, now=now)


def mark_unreachable(session: Session, *, user_id: int, now: datetime) -> None:
    """Record that Telegram refused delivery (the user blocked the bot)."""
    user = session.get(User, user_id)
    if user is None or user.unreachable:
        return
    user.unreachable = True
    user.unreachable_at = now
    session.add(user)
    session.flush()
