"""Erasing an account: the user and every row they own, in every table.

Ownership is found from the schema, not from a hand-kept list: a table is owned through a
``user_id`` column, or through a foreign key to an owned table (chat messages through their
conversation, exercise rows through their workout), so a table added later is erased too.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Table, delete, func, or_, select
from sqlmodel import Session, SQLModel

from cadence.models.user import User
from cadence.services.auth import verify_password
from cadence.services.errors import Conflict, InvalidInput

USER_TABLE = "user"


def owned_clauses(user_id: int) -> list[tuple[Table, ColumnElement[bool]]]:
    """Every table holding the user's rows with the WHERE clause selecting them, parents first
    (the account row itself comes first: ``user.id = user_id``)."""
    owned: dict[str, ColumnElement[bool]] = {}
    result: list[tuple[Table, ColumnElement[bool]]] = []
    for table in SQLModel.metadata.sorted_tables:
        if table.name == USER_TABLE:
            conditions = [table.c.id == user_id]
        else:
            conditions = [
                fk.parent.in_(select(fk.column).where(owned[fk.column.table.name]))
                if fk.column.table.name != USER_TABLE
                else fk.parent == user_id
                for fk in table.foreign_keys
                if fk.column.table.name in owned
            ]
        if conditions:
            owned[table.name] = or_(*conditions)
            result.append((table, owned[table.name]))
    return result


def owned_rows(*, session: Session, user_id: int) -> dict[str, int]:
    """How many rows each table holds for the user (the account row included)."""
    return {
        table.name: session.execute(
            select(func.count()).select_from(table).where(clause)
        ).scalar_one()
        for table, clause in owned_clauses(user_id)
    }


def delete_account(*, session: Session, user: User, password: str) -> dict[str, int]:
    """Check the password, then erase every row the user owns; returns rows deleted per table.

    The last admin cannot delete their account while other accounts exist (someone must be able
    to manage them; ``python -m cadence create-admin`` can name another admin first).
    """
    if not verify_password(password, user.password_hash):
        raise InvalidInput("Password is incorrect.", field="password")
    if user.is_admin:
        others = session.execute(
            select(func.count()).select_from(User).where(User.id != user.id)
        ).scalar_one()
        other_admins = session.execute(
            select(func.count())
            .select_from(User)
            .where(User.id != user.id, User.is_admin, User.is_active)
        ).scalar_one()
        if others and not other_admins:
            raise Conflict(
                "You are the only admin: make another account admin before deleting yours."
            )
    return erase_user(session=session, user_id=user.id)


def erase_user(*, session: Session, user_id: int) -> dict[str, int]:
    """Delete the user's rows in every table, children first, the account row last."""
    deleted = {
        table.name: session.execute(delete(table).where(clause)).rowcount
        for table, clause in reversed(owned_clauses(user_id))
    }
    session.expunge_all()
    return deleted
