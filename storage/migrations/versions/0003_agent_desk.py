"""Agent desk: agents with their second factor, the audit log, relayed message links, and the
ticket's agents' chat, forum topic, card and assignee.

Revision ID: 0003
Revises: 0002
Create Date: 2025-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the agent desk tables and the tickets' desk columns."""
    op.create_table(
        "agents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("display_name", sa.String(length=128), nullable=False),
        sa.Column("totp_secret", sa.String(length=64), nullable=True),
        sa.Column("totp_confirmed", sa.Boolean(), nullable=False),
        sa.Column("totp_last_step", sa.BigInteger(), nullable=True),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("trusted_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_agents"),
        sa.UniqueConstraint("telegram_user_id", name="uq_agents_telegram_user_id"),
    )
    # Plain ADD COLUMN: SQLite would have to rebuild `tickets` to add a foreign key, and the
    # DROP TABLE of a rebuild fires the ON DELETE actions of the tables that reference it (with
    # foreign keys on) - so `assigned_agent_id` has no constraint; storage.agents clears it.
    op.add_column("tickets", sa.Column("agent_chat_id", sa.BigInteger(), nullable=True))
    op.add_column("tickets", sa.Column("topic_thread_id", sa.BigInteger(), nullable=True))
    op.add_column("tickets", sa.Column("card_message_id", sa.BigInteger(), nullable=True))
    op.add_column("tickets", sa.Column("assigned_agent_id", sa.Integer(), nullable=True))
    op.add_column("tickets", sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_tickets_topic", "tickets", ["agent_chat_id", "topic_thread_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_telegram_id", sa.BigInteger(), nullable=True),
        sa.Column("actor_name", sa.String(length=128), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("ticket_code", sa.String(length=16), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name="fk_audit_log_ticket_id_tickets",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at", "id"])
    op.create_index("ix_audit_log_ticket", "audit_log", ["ticket_id", "at"])
    op.create_table(
        "message_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("content", sa.String(length=8), nullable=False),
        sa.Column("user_chat_id", sa.BigInteger(), nullable=False),
        sa.Column("user_message_id", sa.BigInteger(), nullable=True),
        sa.Column("agent_chat_id", sa.BigInteger(), nullable=False),
        sa.Column("agent_message_id", sa.BigInteger(), nullable=True),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name="fk_message_links_ticket_id_tickets",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["outbox_id"],
            ["outbox_messages.id"],
            name="fk_message_links_outbox_id_outbox_messages",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_message_links"),
    )
    op.create_index("ix_message_links_ticket_id", "message_links", ["ticket_id"])
    op.create_index("ix_message_links_user", "message_links", ["user_chat_id", "user_message_id"])
    op.create_index(
        "ix_message_links_agent", "message_links", ["agent_chat_id", "agent_message_id"]
    )
    op.create_index("ix_message_links_outbox", "message_links", ["outbox_id"])


def downgrade() -> None:
    """Drop the agent desk tables and columns."""
    op.drop_index("ix_message_links_outbox", table_name="message_links")
    op.drop_index("ix_message_links_agent", table_name="message_links")
    op.drop_index("ix_message_links_user", table_name="message_links")
    op.drop_index("ix_message_links_ticket_id", table_name="message_links")
    op.drop_table("message_links")
    op.drop_index("ix_audit_log_ticket", table_name="audit_log")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("ix_tickets_topic", table_name="tickets")
    # Native DROP COLUMN (SQLite 3.35+) rather than a batch rebuild, for the reason above.
    for column in (
        "escalated_at",
        "assigned_agent_id",
        "card_message_id",
        "topic_thread_id",
        "agent_chat_id",
    ):
        op.drop_column("tickets", column)
    op.drop_table("agents")

