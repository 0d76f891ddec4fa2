"""Supervision: resolution clock columns on tickets, knowledge gaps, supervisors' web sessions.

Revision ID: 0007_supervision
Revises: 0006_timers_and_live_queue
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_supervision"
down_revision: str | Sequence[str] | None = "0006_timers_and_live_queue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the clock columns and the two tables."""
    # Plain ADD COLUMN (no rebuild of `tickets`, see 0003).
    for name in ("warn_at", "warned_at", "breached_at", "first_response_at"):
        op.add_column("tickets", sa.Column(name, sa.DateTime(timezone=True), nullable=True))
    op.add_column("tickets", sa.Column("target_met", sa.Boolean(), nullable=True))
    op.create_index("ix_tickets_warn_at", "tickets", ["warn_at"])
    op.create_index("ix_tickets_due_at", "tickets", ["due_at"])
    op.create_table(
        "knowledge_gaps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("article_id", sa.String(length=128), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_knowledge_gaps_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_knowledge_gaps"),
    )
    op.create_index("ix_knowledge_gaps_at", "knowledge_gaps", ["created_at", "id"])
    op.create_index("ix_knowledge_gaps_user_id", "knowledge_gaps", ["user_id"])
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_web_sessions"),
        sa.UniqueConstraint("token_hash", name="uq_web_sessions_token_hash"),
    )


def downgrade() -> None:
    """Drop the tables and the clock columns."""
    op.drop_table("web_sessions")
    op.drop_index("ix_knowledge_gaps_user_id", table_name="knowledge_gaps")
    op.drop_index("ix_knowledge_gaps_at", table_name="knowledge_gaps")
    op.drop_table("knowledge_gaps")
    op.drop_index("ix_tickets_due_at", table_name="tickets")
    op.drop_index("ix_tickets_warn_at", table_name="tickets")
    # Native DROP COLUMN (SQLite 3.35+), not a batch rebuild: dropping the old `tickets` in a
    # rebuild would fire its ON DELETE actions (see 0003).
    for name in ("target_met", "first_response_at", "breached_at", "warned_at", "warn_at"):
        op.drop_column("tickets", name)
