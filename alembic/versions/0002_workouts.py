"""workouts: workouts and their exercise rows

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 02:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0002'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('workout',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('workout_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=True),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'external_id', name='uq_workout_user_external_id')
    )
    with op.batch_alter_table('workout', schema=None) as batch_op:
        batch_op.create_index('ix_workout_user_date', ['user_id', 'date', 'created_at'], unique=False)

    op.create_table('workout_exercise',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workout_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('name_key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('sets', sa.Integer(), nullable=False),
    sa.Column('reps', sqlmodel.sql.sqltypes.AutoString(length=600), nullable=False),
    sa.Column('weight_kg', sa.Float(), nullable=False),
    sa.Column('rpe', sa.Float(), nullable=True),
    sa.Column('warmup', sa.Boolean(), nullable=False),
    sa.Column('total_reps', sa.Integer(), nullable=False),
    sa.Column('top_reps', sa.Integer(), nullable=False),
    sa.Column('volume_kg', sa.Float(), nullable=False),
    sa.Column('e1rm_kg', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workout_id'], ['workout.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('workout_exercise', schema=None) as batch_op:
        batch_op.create_index('ix_workout_exercise_library', ['user_id', 'name_key', 'date', 'workout_id', 'warmup', 'weight_kg', 'e1rm_kg', 'volume_kg'], unique=False)
        batch_op.create_index(batch_op.f('ix_workout_exercise_workout_id'), ['workout_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('workout_exercise', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workout_exercise_workout_id'))
        batch_op.drop_index('ix_workout_exercise_library')

    op.drop_table('workout_exercise')
    with op.batch_alter_table('workout', schema=None) as batch_op:
        batch_op.drop_index('ix_workout_user_date')

    op.drop_table('workout')
