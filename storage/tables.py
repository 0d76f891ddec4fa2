"""SQLModel tables: users, conversations, tickets and their events, attachments, ratings,
the Telegram inbox and outbox, and the agent desk (agents, audit log, relayed message links)."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.column_types import UTCDateTime

# Named constraints let future SQLite migrations (batch mode) find them again by name.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Longest error text kept on an inbox or outbox row; longer ones are clipped.
ERROR_MAX_LENGTH = 500
# A sealed 32-character secret takes 147 characters, a sealed 64-character one 191.
TOTP_SECRET_MAX_LENGTH = 255


class User(SQLModel, table=True):
    """A Telegram user who talked to the bot; deleted outright on erasure (LGPD)."""

    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    # Telegram ids exceed 32 bits.
    telegram_user_id: int = Field(sa_type=BigInteger, unique=True)
    chat_id: int = Field(sa_type=BigInteger)
    name: str = Field(max_length=256)
    username: str | None = Field(default=None, max_length=64)
    unreachable: bool = False
    unreachable_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Conversation(SQLModel, table=True):
    """Dialog state of one user in one chat; `version` detects lost updates."""

    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("chat_id", "user_id", name="uq_conversations_chat_id_user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_type=BigInteger)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    state: str = Field(max_length=64)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    version: int = 1
    updated_at: datetime = Field(sa_type=UTCDateTime)


class Ticket(SQLModel, table=True):
    """A support request routed to an offer, with the intake fields the user gave."""

    __tablename__ = "tickets"
    __table_args__ = (
        # Serves queue_position's COUNT as a range scan; `id` breaks ties of equal timestamps.
        Index("ix_tickets_queue", "offer_id", "status", "priority", "created_at", "id"),
        # A message in an agents' topic finds its ticket by (chat, thread).
        Index("ix_tickets_topic", "agent_chat_id", "topic_thread_id"),
        # The resolution clocks' scans for warnings and breaches due.
        Index("ix_tickets_warn_at", "warn_at"),
        Index("ix_tickets_due_at", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True)
    offer_id: str = Field(max_length=64)
    category: str | None = Field(default=None, max_length=64)
    status: str = Field(max_length=32)
    priority: int
    requester_id: int | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL", index=True
    )
    fields: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The agent desk: the agents' chat working the ticket, its forum topic (None where the group
    # has no topics, or while one is being created), the ticket card and who took it.
    agent_chat_id: int | None = Field(default=None, sa_type=BigInteger)
    topic_thread_id: int | None = Field(default=None, sa_type=BigInteger)
    card_message_id: int | None = Field(default=None, sa_type=BigInteger)
    # agents.id, without a foreign key (see migration 0003); storage.agents clears it on removal.
    assigned_agent_id: int | None = None
    escalated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The resolution clock (storage/clock_records.py): when the warning is due (None: no
    # target, or warned), when it was sent and when the breach was reported; the first agent
    # answer; and whether the target was met, recorded at resolution.
    warn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    warned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    breached_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    first_response_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    target_met: bool | None = None


class TicketEvent(SQLModel, table=True):
    """One entry of a ticket's history: a status change, a message, a note, an edit, a rating."""

    __tablename__ = "ticket_events"
    __table_args__ = (Index("ix_ticket_events_history", "ticket_id", "created_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", ondelete="CASCADE")
    kind: str = Field(max_length=16)
    actor: str = Field(max_length=64)
    from_status: str | None = Field(default=None, max_length=32)
    to_status: str | None = Field(default=None, max_length=32)
    text: str | None = Field(default=None, sa_type=Text)
    visible_to_user: bool = True
    created_at: datetime = Field(sa_type=UTCDateTime)


class Attachment(SQLModel, table=True):
    """A file the user sent with a ticket, kept as Telegram's file reference."""

    __tablename__ = "attachments"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", ondelete="CASCADE", index=True)
    file_id: str = Field(max_length=256)
    file_name: str | None = Field(default=None, max_length=256)
    size: int | None = Field(default=None, sa_type=BigInteger)
    mime_type: str | None = Field(default=None, max_length=128)
    kind: str = Field(max_length=16)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Rating(SQLModel, table=True):
    """The requester's satisfaction score for a resolved ticket; at most one per ticket."""

    __tablename__ = "ratings"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="score"),)

    ticket_id: int = Field(primary_key=True, foreign_key="tickets.id", ondelete="CASCADE")
    score: int
    comment: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(sa_type=UTCDateTime)


class InboxUpdate(SQLModel, table=True):
    """One Bot API update as received, kept until processed; `update_id` makes intake idempotent."""

    __tablename__ = "inbox_updates"
    __table_args__ = (
        # Serves claim_updates: the pending entries grouped by chat, oldest first.
        Index("ix_inbox_updates_claim", "status", "chat_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    update_id: int = Field(sa_type=BigInteger, unique=True)
    # None for updates that belong to no chat (inline queries, for example).
    chat_id: int | None = Field(default=None, sa_type=BigInteger)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    received_at: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    processed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = Field(default=None, max_length=ERROR_MAX_LENGTH)


class OutboxMessage(SQLModel, table=True):
    """One Bot API call to make for a chat, written with the state change that caused it."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_due", "status", "not_before", "id"),
        Index("ix_outbox_messages_chat", "chat_id", "id"),
        # The FK's index, and last_sent's lookup of a ticket's latest message of a kind.
        Index("ix_outbox_messages_ticket", "ticket_id", "kind", "id"),
        # At most one pending message per key: later ones coalesce into it. Sent rows keep
        # their key, so the index covers pending rows only.
        Index(
            "uq_outbox_messages_dedupe_key",
            "dedupe_key",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Orders delivery even for methods that take no chat_id (answerCallbackQuery).
    chat_id: int = Field(sa_type=BigInteger)
    method: str = Field(max_length=64)
    # Bot API parameters without chat_id, which the sender adds where the method takes it.
    params: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    not_before: datetime = Field(sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    telegram_message_id: int | None = Field(default=None, sa_type=BigInteger)
    error: str | None = Field(default=None, max_length=ERROR_MAX_LENGTH)
    ticket_id: int | None = Field(default=None, foreign_key="tickets.id", ondelete="SET NULL")
    dedupe_key: str | None = Field(default=None, max_length=128)
    kind: str = Field(default="reply", max_length=16)


class Agent(SQLModel, table=True):
    """A support agent or supervisor registered by Telegram id, with their TOTP second factor.

    Agents' data is staff data, not users' (LGPD export and erasure leave it alone).
    """

    __tablename__ = "agents"

    id: int | None = Field(default=None, primary_key=True)
    telegram_user_id: int = Field(sa_type=BigInteger, unique=True)
    role: str = Field(max_length=16)
    display_name: str = Field(max_length=128)
    # The TOTP secret as bot/agents/secret_box.py seals it ("fernet:" + token; plain base32 in
    # rows from before migration 0004 until the bot's next start). None until enrollment starts.
    # Never logged, never shown again.
    totp_secret: str | None = Field(default=None, max_length=TOTP_SECRET_MAX_LENGTH)
    totp_confirmed: bool = False
    # The last accepted TOTP time step: a code of this step or an earlier one is a replay.
    totp_last_step: int | None = Field(default=None, sa_type=BigInteger)
    failed_attempts: int = 0
    locked: bool = False
    trusted_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)


class AuditEntry(SQLModel, table=True):
    """One agent action or refused attempt: who, what, which ticket, when, with details."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at", "id"),
        Index("ix_audit_log_ticket", "ticket_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Kept as the Telegram id, not a foreign key: the entry outlives the agent's registration.
    actor_telegram_id: int | None = Field(default=None, sa_type=BigInteger)
    actor_name: str = Field(default="", max_length=128)
    action: str = Field(max_length=64)
    outcome: str = Field(default="ok", max_length=16)
    ticket_id: int | None = Field(default=None, foreign_key="tickets.id", ondelete="SET NULL")
    ticket_code: str | None = Field(default=None, max_length=16)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    at: datetime = Field(sa_type=UTCDateTime)


class MessageLink(SQLModel, table=True):
    """A relayed message: the user's side and the agents' side, so edits and replies follow it.

    `direction` is "in" (user → agents) or "out" (agent → user). The copy's message id is
    filled in when the outbox row `outbox_id` is sent.
    """

    __tablename__ = "message_links"
    __table_args__ = (
        Index("ix_message_links_user", "user_chat_id", "user_message_id"),
        Index("ix_message_links_agent", "agent_chat_id", "agent_message_id"),
        Index("ix_message_links_outbox", "outbox_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", ondelete="CASCADE", index=True)
    direction: str = Field(max_length=8)
    # "text" copies are edited with editMessageText, "media" ones with editMessageCaption.
    content: str = Field(default="text", max_length=8)
    user_chat_id: int = Field(sa_type=BigInteger)
    user_message_id: int | None = Field(default=None, sa_type=BigInteger)
    agent_chat_id: int = Field(sa_type=BigInteger)
    agent_message_id: int | None = Field(default=None, sa_type=BigInteger)
    outbox_id: int | None = Field(
        default=None, foreign_key="outbox_messages.id", ondelete="SET NULL"
    )
    created_at: datetime = Field(sa_type=UTCDateTime)


# The scheduler and Balcão Virtual tables register with the same metadata.
import storage.queue_tables  # noqa: E402, F401

# Supervision's tables register with the same metadata.
from storage.supervision_tables import KnowledgeGap, WebSession  # noqa: E402

__all__ = [
    "Agent",
    "Attachment",
    "AuditEntry",
    "Conversation",
    "InboxUpdate",
    "KnowledgeGap",
    "MessageLink",
    "OutboxMessage",
    "Rating",
    "Ticket",
    "TicketEvent",
    "User",
    "WebSession",
]
