"""Telegram inbox and outbox: received updates and the Bot API calls to make.

Revision ID: 0002
Revises: 0001
Create Date: 2025-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the inbox and outbox tables."""
    op.create_table(
        "inbox_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("update_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_inbox_updates"),
        sa.UniqueConstraint("update_id", name="uq_inbox_updates_update_id"),
    )
    op.create_index("ix_inbox_updates_claim", "inbox_updates", ["status", "chat_id", "id"])
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("method", sa.String(length=64), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("telegram_message_id", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=128), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name="fk_outbox_messages_ticket_id_tickets",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_messages"),
    )
    op.create_index("ix_outbox_messages_due", "outbox_messages", ["status", "not_before", "id"])
    op.create_index("ix_outbox_messages_chat", "outbox_messages", ["chat_id", "id"])
    op.create_index("ix_outbox_messages_ticket", "outbox_messages", ["ticket_id", "kind", "id"])
    op.create_index(
        "uq_outbox_messages_dedupe_key",
        "outbox_messages",
        ["dedupe_key"],
        unique=True,
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )


def downgrade() -> None:
    """Drop the inbox and outbox tables."""
    op.drop_index("uq_outbox_messages_dedupe_key", table_name="outbox_messages")
    op.drop_index("ix_outbox_messages_ticket", table_name="outbox_messages")
    op.drop_index("ix_outbox_messages_chat", table_name="outbox_messages")
    op.drop_index("ix_outbox_messages_due", table_name="outbox_messages")
    op.drop_table("outbox_messages")
    op.drop_index("ix_inbox_updates_claim", table_name="inbox_updates")
    op.drop_table("inbox_updates")
