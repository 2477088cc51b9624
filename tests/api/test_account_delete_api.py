"""``DELETE /api/v1/account``: password required, and afterwards no row in any table belongs to
the user, while other users' data is untouched."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy import Column, ForeignKey, Integer, String, Table, func, select
from sqlmodel import SQLModel

from cadence import db
from cadence.services.account import owned_clauses
from tests.api.test_export_api import populate


def rows_referencing(user_id: int) -> dict[str, int]:
    """Rows of every table that point at the user: by ``user_id``, by any foreign key to the
    user table, or through a foreign key to a row that does (checked for every table)."""
    with db.session_scope() as session:
        return {
            table.name: session.execute(
                select(func.count()).select_from(table).where(clause)
            ).scalar_one()
            for table, clause in owned_clauses(user_id)
        }


def independent_leftovers(user_id: int) -> dict[str, int]:
    """Checked without the service's own logic: rows carrying the user's id in a ``user_id``
    column, plus orphans (a foreign key pointing at a row that no longer exists) in every table."""
    found: dict[str, int] = {}
    with db.session_scope() as session:
        for table in SQLModel.metadata.sorted_tables:
            count = 0
            if "user_id" in table.columns:
                count += session.execute(
                    select(func.count()).select_from(table).where(table.c.user_id == user_id)
                ).scalar_one()
            if table.name == "user":
                count += session.execute(
                    select(func.count()).select_from(table).where(table.c.id == user_id)
                ).scalar_one()
            for fk in table.foreign_keys:
                parent_ids = select(fk.column)
                count += session.execute(
                    select(func.count())
                    .select_from(table)
                    .where(fk.parent.is_not(None), fk.parent.not_in(parent_ids))
                ).scalar_one()
            found[table.name] = count
    return found


def test_delete_erases_every_row_and_keeps_others(client, make_account):
    other = make_account(email="stays@example.com")
    victim = make_account(email="leaves@example.com")
    populate(client, other)
    populate(client, victim)
    before = rows_referencing(victim.user["id"])
    for table in (
        "user",
        "workout",
        "workout_exercise",
        "daily_metric",
        "activity",
        "device_connection",
        "conversation",
        "chat_message",
        "import_job",
    ):
        assert before[table] > 0, table
    others_before = rows_referencing(other.user["id"])

    response = client.request(
        "DELETE", "/api/v1/account", json={"password": victim.password}, headers=victim.headers
    )
    assert response.status_code == 204, response.text
    assert rows_referencing(victim.user["id"]) == {name: 0 for name in before}
    leftovers = independent_leftovers(victim.user["id"])
    assert set(leftovers) == {t.name for t in SQLModel.metadata.sorted_tables}
    assert not any(leftovers.values()), leftovers
    assert rows_referencing(other.user["id"]) == others_before
    assert client.get("/api/v1/auth/me", headers=victim.headers).status_code == 401
    login = client.post(
        "/api/v1/auth/login", json={"email": victim.email, "password": victim.password}
    )
    assert login.status_code == 401


def test_every_user_owned_table_is_covered():
    """Any table with a user_id column, or a foreign key to one, is erased by the account
    deletion (guards tables added by later features)."""
    covered = {table.name for table, _ in owned_clauses(1)}
    for table in SQLModel.metadata.sorted_tables:
        points_at_user = "user_id" in table.columns or any(
            fk.column.table.name in covered for fk in table.foreign_keys
        )
        if points_at_user:
            assert table.name in covered, table.name


def test_wrong_or_missing_password_keeps_the_account(client, account):
    wrong = client.request(
        "DELETE", "/api/v1/account", json={"password": "nope-12345"}, headers=account.headers
    )
    assert wrong.status_code == 422
    assert (
        client.request("DELETE", "/api/v1/account", json={}, headers=account.headers).status_code
        == 422
    )
    assert (
        client.request("DELETE", "/api/v1/account", json={"password": account.password}).status_code
        == 401
    )
    assert client.get("/api/v1/auth/me", headers=account.headers).status_code == 200


def test_last_admin_cannot_leave_others_without_an_admin(client, make_account):
    admin = make_account()
    member = make_account()
    body = {"password": admin.password}
    refused = client.request("DELETE", "/api/v1/account", json=body, headers=admin.headers)
    assert refused.status_code == 409
    client.patch(
        f"/api/v1/admin/users/{member.user['id']}", json={"is_admin": True}, headers=admin.headers
    )
    assert (
        client.request("DELETE", "/api/v1/account", json=body, headers=admin.headers).status_code
        == 204
    )


@pytest.fixture
def later_feature_table():
    """A table a future feature might add (user rows plus a secret), registered for one test."""
    table = Table(
        "later_feature_note",
        SQLModel.metadata,
        Column("id", Integer, primary_key=True),
        Column("user_id", Integer, ForeignKey("user.id"), nullable=False),
        Column("body", String(100)),
        Column("api_token", String(100)),
    )
    engine = db.get_engine()
    table.create(engine)
    yield table
    table.drop(engine)
    SQLModel.metadata.remove(table)


def test_a_table_added_later_is_exported_and_erased(client, account, later_feature_table):
    with db.session_scope() as session:
        session.execute(
            later_feature_table.insert().values(
                user_id=account.user["id"], body="remember the knee", api_token="tok-secret-1"
            )
        )
    archive = zipfile.ZipFile(
        io.BytesIO(client.get("/api/v1/export", headers=account.headers).content)
    )
    rows = json.loads(archive.read("other/later_feature_note.json"))
    assert rows == [{"id": 1, "user_id": account.user["id"], "body": "remember the knee"}]
    assert b"tok-secret-1" not in b"".join(archive.read(n) for n in archive.namelist())

    gone = client.request(
        "DELETE", "/api/v1/account", json={"password": account.password}, headers=account.headers
    )
    assert gone.status_code == 204
    with db.session_scope() as session:
        left = session.execute(select(func.count()).select_from(later_feature_table)).scalar_one()
    assert left == 0
