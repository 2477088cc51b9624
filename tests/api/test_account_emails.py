"""Email addresses: one canonical form (NFKC, lower case), no invisible or control characters;
changing the email needs the current password and signs out every older token."""

from __future__ import annotations

import pytest

from tests.conftest import TEST_PASSWORD

SIGNUP = "/api/v1/auth/signup"
LOGIN = "/api/v1/auth/login"
PROFILE = "/api/v1/settings/profile"
ME = "/api/v1/auth/me"


def _signup(client, email: str):
    return client.post(
        SIGNUP, json={"email": email, "password": TEST_PASSWORD, "display_name": "E"}
    )


@pytest.mark.parametrize(
    "email",
    [
        "ad\u200bmin@example.com",  # zero-width space
        "admin@exa\u202emple.com",  # right-to-left override
        "admin\u2066@example.com",  # left-to-right isolate
        "ad\u00admin@example.com",  # soft hyphen
        "admin@example.com\u0007",  # BEL
        "a\u2028b@example.com",  # line separator
        "\ufeffadmin@example.com",  # byte-order mark / zero-width no-break space
    ],
)
def test_invisible_and_control_characters_are_refused(client, email) -> None:
    response = _signup(client, email)
    assert response.status_code == 422, email
    assert response.json()["detail"][0]["loc"] == ["body", "email"]
    changed = client.put(PROFILE, json={"email": email, "current_password": TEST_PASSWORD})
    assert changed.status_code == 401  # (no token) the same rule guards changes, tested below


def test_compatibility_forms_are_one_address(client) -> None:
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in "Ada") + "@Example.com"
    created = _signup(client, full_width)
    assert created.status_code == 201 and created.json()["user"]["email"] == "ada@example.com"
    assert _signup(client, "ada@example.com").status_code == 409
    login = client.post(LOGIN, json={"email": full_width.lower(), "password": TEST_PASSWORD})
    assert login.status_code == 200


def test_email_change_needs_the_password_and_revokes_older_tokens(client, account) -> None:
    no_password = client.put(PROFILE, headers=account.headers, json={"email": "new@example.com"})
    assert no_password.status_code == 422
    assert no_password.json()["detail"][0]["loc"] == ["body", "current_password"]
    wrong = client.put(
        PROFILE,
        headers=account.headers,
        json={"email": "new@example.com", "current_password": "not-it-123"},
    )
    assert wrong.status_code == 422
    hidden = client.put(
        PROFILE,
        headers=account.headers,
        json={"email": "new\u200b@example.com", "current_password": TEST_PASSWORD},
    )
    assert hidden.status_code == 422
    assert client.get(ME, headers=account.headers).json()["email"] == account.email
    renamed = client.put(PROFILE, headers=account.headers, json={"display_name": "Just a name"})
    assert renamed.status_code == 200  # no password needed without an email change
    changed = client.put(
        PROFILE,
        headers=account.headers,
        json={"email": "new@example.com", "current_password": TEST_PASSWORD},
    )
    assert changed.status_code == 200 and changed.json()["email"] == "new@example.com"
    assert client.get(ME, headers=account.headers).status_code == 401
    login = client.post(LOGIN, json={"email": "new@example.com", "password": TEST_PASSWORD})
    assert login.status_code == 200
