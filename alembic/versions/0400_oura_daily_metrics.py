"""daily metrics Oura reports: sleep efficiency, latency and average HR, active calories, stress
and recovery time, and the device's readiness contributors

Revision ID: 0400
Revises: 0050
Create Date: 2026-12-02 00:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0400"
down_revision: str | Sequence[str] | None = "0050"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("sleep_efficiency_pct", sa.Float()),
    ("sleep_latency_seconds", sa.Integer()),
    ("sleep_avg_hr", sa.Float()),
    ("active_kcal", sa.Float()),
    ("stress_high_seconds", sa.Integer()),
    ("recovery_high_seconds", sa.Integer()),
    ("recovery_contributors", sa.JSON()),
)


def upgrade() -> None:
    with op.batch_alter_table("daily_metric") as batch:
        for name, kind in COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("daily_metric") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
