"""the provider URL a user's own LLM key was saved for (the key is sent only there)

Keys saved before this revision have none recorded: their owners save them once more, seeing
where they will be sent (the chat says so in words until then).

Revision ID: 0101
Revises: 0100
Create Date: 2026-12-02 01:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0101'
down_revision: str | Sequence[str] | None = '0100'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('user_llm_setting', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'api_key_base_url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table('user_llm_setting', schema=None) as batch_op:
        batch_op.drop_column('api_key_base_url')
