"""the coach's proposed writes (``chat_action``): stored until the user confirms or cancels them
in the chat, single-use and expiring

Revision ID: 0840
Revises: 0820
Create Date: 2026-12-02 04:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0840"
down_revision: str | Sequence[str] | None = "0820"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chat_action",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("tool", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("arguments", sa.JSON(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("href", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("into_workout_id", sa.Integer(), nullable=True),
        sa.Column("into_summary", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["message_id"], ["chat_message.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("chat_action") as batch:
        batch.create_index("ix_chat_action_user_id", ["user_id"], unique=False)
        batch.create_index("ix_chat_action_conversation_id", ["conversation_id"], unique=False)
        batch.create_index("ix_chat_action_message_id", ["message_id"], unique=False)


def downgrade() -> None:
    op.drop_table("chat_action")
