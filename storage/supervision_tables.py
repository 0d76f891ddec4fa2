"""Tables of supervision: knowledge gaps the bot met, and supervisors' web sessions."""

from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from storage.column_types import UTCDateTime


class KnowledgeGap(SQLModel, table=True):
    """A question the bot could not route, a clarification abandoned, or an article that did
    not solve the problem; deleted with its user (erasure) and after the retention period."""

    __tablename__ = "knowledge_gaps"
    __table_args__ = (Index("ix_knowledge_gaps_at", "created_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    # "none" (no route), "abandoned" (left a clarifying question), "not_solved" (an article).
    kind: str = Field(max_length=16)
    text: str = Field(default="", sa_type=Text)
    article_id: str | None = Field(default=None, max_length=128)
    user_id: int | None = Field(
        default=None, foreign_key="users.id", ondelete="CASCADE", index=True
    )
    created_at: datetime = Field(sa_type=UTCDateTime)


class WebSession(SQLModel, table=True):
    """A supervisor logged in to the web page: the cookie's digest, never the cookie itself."""

    __tablename__ = "web_sessions"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    # agents.id without a foreign key, like tickets.assigned_agent_id; a removed agent's
    # sessions stop working because the lookup joins the agent.
    agent_id: int
    csrf: str = Field(max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
