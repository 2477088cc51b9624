"""a random token subject per account, and user ids never reused on SQLite (AUTOINCREMENT)

A token names its account by id *and* by the account's own random subject, so a token issued
to a deleted account can never authenticate as another. SQLite gives a freed row id to the
next insert unless the table is AUTOINCREMENT, which needs the table rebuilt (``env.py`` turns
foreign keys off while migrating SQLite, so dropping the old table cascades nothing).

Revision ID: 0100
Revises: 0050
Create Date: 2026-12-02 00:50:00
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0100'
down_revision: str | Sequence[str] | None = '0050'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_user = sa.table('user', sa.column('id', sa.Integer()), sa.column('token_subject', sa.String()))


def upgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('token_subject', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
    bind = op.get_bind()
    for (user_id,) in bind.execute(sa.select(_user.c.id)).all():
        bind.execute(
            _user.update()
            .where(_user.c.id == user_id)
            .values(token_subject=secrets.token_urlsafe(32))
        )
    rebuild = 'always' if bind.dialect.name == 'sqlite' else 'auto'
    with op.batch_alter_table(
        'user', schema=None, recreate=rebuild, table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.alter_column(
            'token_subject', existing_type=sqlmodel.sql.sqltypes.AutoString(length=64),
            nullable=False,
        )


def downgrade() -> None:
    rebuild = 'always' if op.get_bind().dialect.name == 'sqlite' else 'auto'
    with op.batch_alter_table('user', schema=None, recreate=rebuild) as batch_op:
        batch_op.drop_column('token_subject')
