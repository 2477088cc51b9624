"""merge the feature branches into one line

The first round added each feature (workouts, health data, devices, chat) as its own branch from
0001, which left four heads: ``alembic upgrade head`` failed and only ``heads`` worked. This merge
revision joins them; every later migration chains on the single head.

Revision ID: 0006
Revises: 0002, 0003, 0004, 0005
Create Date: 2026-12-01 21:10:00
"""

from collections.abc import Sequence

revision: str = "0006"
down_revision: str | Sequence[str] | None = ("0002", "0003", "0004", "0005")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
