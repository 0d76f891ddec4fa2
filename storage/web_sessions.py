"""Supervisors' web sessions: stored by the digest of their cookie, with their CSRF token."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlmodel import Session, col, delete, select

from storage.supervision_tables import WebSession
from storage.tables import Agent


def token_digest(token: str) -> str:
    """What the store keeps of a session cookie: a leaked table opens no session."""
    return hashlib.sha256(token.encode()).hexdigest()


def open_web_session(
    session: Session, *, agent: Agent, token: str, csrf: str, now: datetime, expires: datetime
) -> None:
    """Store a new session for `agent`; expired sessions are dropped on the way."""
    session.exec(delete(WebSession).where(col(WebSession.expires_at) <= now))
    assert agent.id is not None
    session.add(
        WebSession(
            token_hash=token_digest(token),
            agent_id=agent.id,
            csrf=csrf,
            created_at=now,
            expires_at=expires,
        )
    )


def web_session(session: Session, *, token: str, now: datetime) -> tuple[WebSession, Agent] | None:
    """The live session of this cookie and its agent, if still a supervisor."""
    query = (
        select(WebSession, Agent)
        .join(Agent, col(Agent.id) == col(WebSession.agent_id))
        .where(col(WebSession.token_hash) == token_digest(token), col(WebSession.expires_at) > now)
    )
    found = session.exec(query).first()
    if found is None or found[1].role != "supervisor" or found[1].locked:
        return None
    return found[0], found[1]


def close_web_session(session: Session, *, token: str) -> None:
    """Log out: the cookie opens nothing any more."""
    session.exec(delete(WebSession).where(col(WebSession.token_hash) == token_digest(token)))
