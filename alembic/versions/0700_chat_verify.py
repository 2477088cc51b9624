"""the checked numbers of each assistant message (the ``verify`` event) and the per-turn
faithfulness counts (numbers stated, numbers verified) kept with its usage

Revision ID: 0700
Revises: 0600
Create Date: 2026-12-02 01:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0700"
down_revision: str | Sequence[str] | None = "0600"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("chat_message") as batch:
        batch.add_column(sa.Column("verify", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("numbers_stated", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("numbers_verified", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("chat_message") as batch:
        batch.drop_column("numbers_verified")
        batch.drop_column("numbers_stated")
        batch.drop_column("verify")
