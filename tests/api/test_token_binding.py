"""A token names exactly one account for ever: deleting an account and signing up again never
lets the old token in (SQLite and PostgreSQL), even if a database handed the id out again."""

from __future__ import annotations

from sqlmodel import select

from cadence import db
from cadence.models.user import User

ME = "/api/v1/auth/me"


def _delete(client, account) -> None:
    response = client.request(
        "DELETE", "/api/v1/account", headers=account.headers, json={"password": account.password}
    )
    assert response.status_code == 204, response.text


def test_deleted_accounts_token_never_authenticates_the_next_signup(client, make_account) -> None:
    make_account(email="owner@example.com")
    gone = make_account(email="gone@example.com")
    _delete(client, gone)
    newcomer = make_account(email="newcomer@example.com", name="Newcomer")
    assert newcomer.user["id"] != gone.user["id"]  # ids are never reused
    response = client.get(ME, headers=gone.headers)
    assert response.status_code == 401
    assert client.get(ME, headers=newcomer.headers).json()["email"] == "newcomer@example.com"


def test_token_is_bound_to_the_account_not_only_to_its_id(client, make_account) -> None:
    """Even if a row with the same id appeared (a restored backup, a database that reuses ids),
    the old token does not match its random subject."""
    make_account(email="owner@example.com")
    gone = make_account(email="gone@example.com")
    _delete(client, gone)
    with db.session_scope() as session:
        session.add(
            User(
                id=gone.user["id"],
                email="same-id@example.com",
                display_name="Same id",
                password_hash="x",
            )
        )
    with db.session_scope() as session:
        assert session.exec(select(User.id).where(User.email == "same-id@example.com")).one()
    assert client.get(ME, headers=gone.headers).status_code == 401
