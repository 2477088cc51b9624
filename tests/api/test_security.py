"""Security checks behind docs/security.md that no feature test covers: secrets never reach the
logs, security headers on every response (UI paths too), bcrypt's cost, no CORS credentials."""

from __future__ import annotations

import json
import logging

import pytest

from cadence.models.user import User
from cadence.services.devices import garmin
from tests.conftest import reset_caches

SECRETS = {
    "password": "Secret-pass-4242",
    "new_password": "Other-secret-5353",
    "llm_key": "sk-live-9f8e7d6c5b4a",
    "garmin_password": "garmin-pw-777",
}


@pytest.fixture
def offline_garmin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CADENCE_GARMIN_API_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("CADENCE_DEVICE_HTTP_TIMEOUT_SECONDS", "1")
    reset_caches()
    monkeypatch.setattr(
        garmin,
        "password_login",
        lambda email, password: {"tokens": json.dumps({"di_token": "t"}), "display_name": email},
    )


def test_no_secret_or_token_ever_reaches_the_logs(client, caplog, offline_garmin) -> None:
    caplog.set_level(logging.DEBUG)
    email = "logs@example.com"
    signup = client.post(
        "/api/v1/auth/signup",
        json={"email": email, "password": SECRETS["password"], "display_name": "Logs"},
    )
    token = signup.json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    client.post("/api/v1/auth/login", json={"email": email, "password": "wrong-" + "x" * 8})
    client.put("/api/v1/settings/llm", json={"api_key": SECRETS["llm_key"]}, headers=headers)
    client.post(
        "/api/v1/devices/garmin/connect",
        json={"email": "g@example.com", "password": SECRETS["garmin_password"]},
        headers=headers,
    )
    client.get("/api/v1/auth/me", headers={"Authorization": "Bearer " + token[:-3] + "abc"})
    changed = client.put(
        "/api/v1/settings/password",
        json={"current_password": SECRETS["password"], "new_password": SECRETS["new_password"]},
        headers=headers,
    )
    assert changed.status_code == 204
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert len(caplog.records) > 5, "nothing was logged: the check would prove nothing"
    for secret in [*SECRETS.values(), token, token.split(".")[-1]]:
        assert secret not in logged


def test_security_headers_on_api_errors_and_on_ui_paths(client, account) -> None:
    for response in (
        client.get("/api/v1/auth/me", headers=account.headers),
        client.get("/api/v1/auth/me"),  # 401
        client.post("/api/v1/workouts", content=b"{", headers=account.headers),  # 4xx
        client.get("/some/ui/page"),  # not API: answered by the app, headers still set
    ):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
    api = client.get("/api/v1/auth/me", headers=account.headers)
    assert api.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in api.headers["content-security-policy"]
    assert "cache-control" not in client.get("/some/ui/page").headers


def test_passwords_are_bcrypt_with_cost_12_by_default(client, session, monkeypatch) -> None:
    monkeypatch.delenv("CADENCE_BCRYPT_ROUNDS")
    reset_caches()
    response = client.post(
        "/api/v1/auth/signup",
        json={"email": "cost@example.com", "password": SECRETS["password"], "display_name": "C"},
    )
    assert response.status_code == 201
    stored = session.get(User, response.json()["user"]["id"]).password_hash
    assert stored.startswith("$2b$12$") and SECRETS["password"] not in stored


def test_api_grants_no_cross_origin_credentials(client, account) -> None:
    response = client.get(
        "/api/v1/auth/me", headers={**account.headers, "Origin": "https://evil.example"}
    )
    assert response.headers.get("access-control-allow-credentials") != "true"
    assert response.headers.get("access-control-allow-origin") in (None, "*")


NUL_REQUESTS = [
    ("GET", "/api/v1/conversations/a%0Ab/messages", None),  # was a text/plain 404 from the UI
    ("GET", "/api/v1/exercises/a%00b/history", None),
    ("GET", "/api/v1/exercises/library?q=%00", None),
    ("PUT", "/api/v1/settings/profile", {"display_name": "a\u0000"}),
    ("PUT", "/api/v1/settings/coaching-profile", {"coaching_profile": "a\u0000"}),
    ("POST", "/api/v1/auth/login", {"email": "a\u0000@example.com", "password": "abcdefgh1"}),
    (
        "POST",
        "/api/v1/workouts",
        {
            "date": "2026-11-20",
            "workout_name": "leg\u0000day",
            "exercises": [{"name": "Squat", "sets": 1, "reps": "5", "weight_kg": 1}],
        },
    ),
]


@pytest.mark.parametrize(("method", "url", "body"), NUL_REQUESTS)
def test_nul_and_control_characters_are_422_never_500(client, account, method, url, body) -> None:
    """PostgreSQL cannot store NUL: before the guard these were 500s there (found by fuzzing)."""
    response = client.request(method, url, json=body, headers=account.headers)
    assert response.status_code == 422, response.text
    assert "NUL" in response.text
