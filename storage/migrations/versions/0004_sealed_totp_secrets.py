"""Sealed TOTP secrets: agents.totp_secret widens from 64 to 255 characters, room for
"fernet:" + a Fernet token. Plain secrets are kept as they are; the bot seals them at its next
start (bot/agents/secret_box.py), since only the bot holds the key.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Widen agents.totp_secret."""
    _alter_secret(64, 255)


def downgrade() -> None:
    """Narrow agents.totp_secret again (sealed secrets do not fit: reset those agents first)."""
    _alter_secret(255, 64)


def _alter_secret(old: int, new: int) -> None:
    # On SQLite a rebuild of `agents` (safe: no table has a foreign key to it), from the table as
    # written here rather than reflected, so constraint names survive and `--sql` works.
    with op.batch_alter_table("agents", copy_from=_agents(old)) as batch:
        batch.alter_column(
            "totp_secret",
            existing_type=sa.String(length=old),
            type_=sa.String(length=new),
            existing_nullable=True,
        )


def _agents(secret_length: int) -> sa.Table:
    """The agents table as migration 0003 made it, with the secret column's length given."""
    return sa.Table(
        "agents",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("display_name", sa.String(length=128), nullable=False),
        sa.Column("totp_secret", sa.String(length=secret_length), nullable=True),
        sa.Column("totp_confirmed", sa.Boolean(), nullable=False),
        sa.Column("totp_last_step", sa.BigInteger(), nullable=True),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("trusted_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_agents"),
        sa.UniqueConstraint("telegram_user_id", name="uq_agents_telegram_user_id"),
    )
