"""Durable timers (the one scheduler) and the Balcão Virtual's live queue and ratings.

Revision ID: 0006_timers_and_live_queue
Revises: 0004
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_timers_and_live_queue"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE_ENTRY = "status IN ('waiting', 'called', 'serving')"


def upgrade() -> None:
    """Create timers, queue_entries and attendance_ratings."""
    op.create_table(
        "timers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("ref", sa.String(length=128), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_timers"),
    )
    op.create_index("ix_timers_due", "timers", ["status", "due_at", "id"])
    op.create_index("ix_timers_ref", "timers", ["ref", "status"])
    op.create_table(
        "queue_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attendant_telegram_id", sa.BigInteger(), nullable=True),
        sa.Column("attendant_name", sa.String(length=128), nullable=True),
        sa.Column("meeting_url", sa.String(length=512), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name="fk_queue_entries_user_id_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_queue_entries"),
    )
    op.create_index(
        "ix_queue_entries_line", "queue_entries", ["office_id", "status", "joined_at", "id"]
    )
    op.create_index("ix_queue_entries_ended", "queue_entries", ["office_id", "ended_at"])
    op.create_index(
        "uq_queue_entries_active_user",
        "queue_entries",
        ["user_id"],
        unique=True,
        sqlite_where=sa.text(ACTIVE_ENTRY),
        postgresql_where=sa.text(ACTIVE_ENTRY),
    )
    op.create_table(
        "attendance_ratings",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.String(length=64), nullable=False),
        sa.Column("attendant_telegram_id", sa.BigInteger(), nullable=True),
        sa.Column("attendant_name", sa.String(length=128), nullable=True),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name="ck_attendance_ratings_score"),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["queue_entries.id"],
            name="fk_attendance_ratings_entry_id_queue_entries",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entry_id", name="pk_attendance_ratings"),
    )


def downgrade() -> None:
    """Drop the three tables."""
    op.drop_table("attendance_ratings")
    op.drop_index("uq_queue_entries_active_user", table_name="queue_entries")
    op.drop_index("ix_queue_entries_ended", table_name="queue_entries")
    op.drop_index("ix_queue_entries_line", table_name="queue_entries")
    op.drop_table("queue_entries")
    op.drop_index("ix_timers_ref", table_name="timers")
    op.drop_index("ix_timers_due", table_name="timers")
    op.drop_table("timers")
