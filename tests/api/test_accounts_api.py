"""Accounts REST API: DESIGN §3 shapes, §7 security, and bad input → clear 4xx."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest

from cadence.config import secret_key
from cadence.models.common import utcnow
from tests.conftest import TEST_PASSWORD, reset_caches

SIGNUP = "/api/v1/auth/signup"
LOGIN = "/api/v1/auth/login"
ME = "/api/v1/auth/me"


def _signup_body(**overrides) -> dict:
    return {
        "email": "ada@example.com",
        "password": TEST_PASSWORD,
        "display_name": "Ada",
    } | overrides


def test_signup_returns_201_token_and_user_shape(client) -> None:
    response = client.post(SIGNUP, json=_signup_body(email="  Ada@Example.com "))
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"token", "user"}
    assert set(body["user"]) == {"id", "email", "display_name", "is_admin", "created_at"}
    assert body["user"]["email"] == "ada@example.com"
    assert body["user"]["is_admin"] is False  # no setup code: not the admin (test_first_admin)
    assert body["user"]["created_at"].endswith("Z")
    me = client.get(ME, headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.json() == body["user"]


def test_duplicate_email_409(client, account) -> None:
    response = client.post(SIGNUP, json=_signup_body(email=account.email.upper()))
    assert response.status_code == 409
    assert response.json() == {"detail": "An account with this email already exists."}


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ({"email": "a@b.co", "password": TEST_PASSWORD}, "display_name"),
        ({"email": "a@b.co", "password": 12345678, "display_name": "A"}, "password"),
        (_signup_body(email=""), "email"),
        (_signup_body(display_name=""), "display_name"),
        (_signup_body(display_name="x" * 10_000), "display_name"),
        (_signup_body(email="x" * 10_000 + "@a.io"), "email"),
        (_signup_body(password="x1" * 5_000), "password"),
        (_signup_body(email="' OR 1=1 --"), "valid email"),
        (_signup_body(password="short1"), "at least 8 characters"),
        (_signup_body(password="nodigitshere"), "at least one digit"),
        (_signup_body(is_admin=True), "is_admin"),
        (["not", "an", "object"], "body"),
    ],
)
def test_signup_bad_input_is_422_with_reason(client, payload, fragment) -> None:
    response = client.post(SIGNUP, json=payload)
    assert response.status_code == 422, response.text
    assert fragment in response.text
    assert client.get("/api/v1/openapi.json").status_code == 200  # server still fine


def test_malformed_json_is_422_not_500(client) -> None:
    response = client.post(
        SIGNUP,
        content=b'{"email": "a@b.co", "password":',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert "JSON" in response.text


def test_unicode_and_injection_strings_stored_verbatim(client) -> None:
    name = "Zoë 李 🏃 ' OR 1=1 --"
    response = client.post(SIGNUP, json=_signup_body(display_name=name))
    assert response.status_code == 201
    assert response.json()["user"]["display_name"] == name


def test_five_megabyte_body_is_413(client) -> None:
    huge = _signup_body(display_name="x" * (5 * 1024 * 1024))
    response = client.post(SIGNUP, json=huge)
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]


def test_login_success_wrong_password_and_rate_limit(client, account, monkeypatch) -> None:
    ok = client.post(LOGIN, json={"email": account.email.upper(), "password": TEST_PASSWORD})
    assert ok.status_code == 200 and set(ok.json()) == {"token", "user"}
    monkeypatch.setenv("CADENCE_LOGIN_MAX_ATTEMPTS", "2")
    reset_caches()
    for _ in range(2):
        bad = client.post(LOGIN, json={"email": account.email, "password": "wrong-pass-1"})
        assert bad.status_code == 401
        assert bad.json() == {"detail": "Incorrect email or password."}
    limited = client.post(LOGIN, json={"email": account.email, "password": TEST_PASSWORD})
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0


def test_login_limited_per_client_address_across_emails(client, monkeypatch) -> None:
    monkeypatch.setenv("CADENCE_LOGIN_MAX_ATTEMPTS", "1")  # per client: 5x the per-email limit
    reset_caches()
    statuses = [
        client.post(LOGIN, json={"email": f"u{i}@x.io", "password": "wrong-pass-1"}).status_code
        for i in range(6)
    ]
    assert statuses == [401] * 5 + [429]


def _token(claims: dict, key: str | None = None, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key if key is not None else secret_key(), algorithm)


def test_bad_tokens_are_401(client, account) -> None:
    uid = account.user["id"]
    sid = jwt.decode(account.token, options={"verify_signature": False})["sid"]
    now = utcnow()
    cases = {
        "missing": None,
        "garbage": "Bearer abc.def.ghi",
        "expired": "Bearer "
        + _token({"sub": str(uid), "sid": sid, "ver": 0, "exp": now - timedelta(minutes=1)}),
        "other key": "Bearer "
        + _token({"sub": str(uid), "ver": 0, "exp": now + timedelta(hours=1)}, "k" * 48),
        "alg none": "Bearer "
        + jwt.encode({"sub": str(uid), "ver": 0, "exp": now + timedelta(hours=1)}, None, "none"),
        "unknown user": "Bearer "
        + _token({"sub": "99999", "ver": 0, "exp": now + timedelta(hours=1)}),
    }
    for label, header in cases.items():
        headers = {"Authorization": header} if header else {}
        response = client.get(ME, headers=headers)
        assert response.status_code == 401, label
        assert isinstance(response.json()["detail"], str), label
    assert "expired" in client.get(ME, headers={"Authorization": cases["expired"]}).text


def test_password_change_revokes_older_tokens(client, account) -> None:
    response = client.put(
        "/api/v1/settings/password",
        headers=account.headers,
        json={"current_password": TEST_PASSWORD, "new_password": "brand-new-pass-2"},
    )
    assert response.status_code == 204 and response.content == b""
    assert client.get(ME, headers=account.headers).status_code == 401
    relog = client.post(LOGIN, json={"email": account.email, "password": "brand-new-pass-2"})
    assert relog.status_code == 200


def test_password_change_errors_are_field_level(client, account) -> None:
    wrong = client.put(
        "/api/v1/settings/password",
        headers=account.headers,
        json={"current_password": "not-it-123", "new_password": "brand-new-pass-2"},
    )
    assert wrong.status_code == 422
    assert wrong.json()["detail"][0]["loc"] == ["body", "current_password"]
    weak = client.put(
        "/api/v1/settings/password",
        headers=account.headers,
        json={"current_password": TEST_PASSWORD, "new_password": "weak"},
    )
    assert weak.status_code == 422 and "at least 8" in weak.text


def test_profile_update_and_email_conflict(client, make_account) -> None:
    first, second = make_account(), make_account()
    response = client.put(
        "/api/v1/settings/profile",
        headers=first.headers,
        json={
            "display_name": "  New   Name ",
            "email": "NEW@Example.com",
            "current_password": TEST_PASSWORD,
        },
    )
    assert response.status_code == 200
    assert response.json()["display_name"] == "New Name"
    assert response.json()["email"] == "new@example.com"
    clash = client.put(
        "/api/v1/settings/profile",
        headers=second.headers,
        json={"email": "new@example.com", "current_password": TEST_PASSWORD},
    )
    assert clash.status_code == 409
    bad = client.put("/api/v1/settings/profile", headers=second.headers, json={"email": "nope"})
    assert bad.status_code == 422


def test_coaching_profile_round_trip_and_limits(client, account) -> None:
    url = "/api/v1/settings/coaching-profile"
    assert client.get(url, headers=account.headers).json() == {"coaching_profile": ""}
    text = "Marathon in May. Knee: no deep squats. 東京 🏃\n<script>alert(1)</script>"
    saved = client.put(url, headers=account.headers, json={"coaching_profile": text})
    assert saved.status_code == 200 and saved.json() == {"coaching_profile": text}
    assert client.get(url, headers=account.headers).json()["coaching_profile"] == text
    limit = client.put(url, headers=account.headers, json={"coaching_profile": "x" * 10_000})
    assert limit.status_code == 200
    over = client.put(url, headers=account.headers, json={"coaching_profile": "x" * 10_001})
    assert over.status_code == 422
    assert client.get(url).status_code == 401


def test_openapi_documents_every_route_with_response_models(client) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    for path in [
        "/api/v1/auth/signup",
        "/api/v1/auth/login",
        "/api/v1/auth/me",
        "/api/v1/settings/profile",
        "/api/v1/settings/password",
        "/api/v1/settings/coaching-profile",
    ]:
        assert path in spec["paths"], path
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            success = [code for code in operation["responses"] if code[0] in "23"]
            assert success, f"{method} {path} declares no success response"
            for code in success:
                if code[0] == "2" and code != "204":
                    content = operation["responses"][code].get("content", {})
                    schema = next(  # JSON, or another declared media type (the export's zip)
                        (media["schema"] for media in content.values() if media.get("schema")),
                        None,
                    ) or content.get("text/event-stream", {})
                    assert schema, f"{method} {path} {code} has no declared schema"
    assert client.get("/api/v1/docs").status_code == 200


def test_unknown_api_path_is_json_404_with_security_headers(client) -> None:
    response = client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"
