"""devices: provider connections (encrypted credentials, sync state, lease) and OAuth states

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-29 03:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "device_connection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("provider", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("credentials", sa.Text(), nullable=True),
        sa.Column("needs_reconnect", sa.Boolean(), nullable=False),
        sa.Column("last_sync_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("failure_count", sa.Integer(), nullable=False),
        sa.Column("next_sync_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("synced_through", sa.Date(), nullable=True),
        sa.Column("lease_owner", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "provider", name="uq_device_connection_user"),
    )
    with op.batch_alter_table("device_connection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_device_connection_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_device_connection_next_sync_at"), ["next_sync_at"], unique=False
        )
    op.create_table(
        "device_oauth_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("provider", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("device_oauth_state", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_device_oauth_state_state"), ["state"], unique=True)
        batch_op.create_index(
            batch_op.f("ix_device_oauth_state_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("device_oauth_state", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_device_oauth_state_user_id"))
        batch_op.drop_index(batch_op.f("ix_device_oauth_state_state"))
    op.drop_table("device_oauth_state")
    with op.batch_alter_table("device_connection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_device_connection_next_sync_at"))
        batch_op.drop_index(batch_op.f("ix_device_connection_user_id"))
    op.drop_table("device_connection")
