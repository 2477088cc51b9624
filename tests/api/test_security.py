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


def test_unknown_email_and_wrong_password_cost_the_same_bcrypt_check(
    client, account, monkeypatch
) -> None:
    """Login answers an unknown email exactly as a wrong password, after the same work: one
    bcrypt comparison against a hash of the same cost (a dummy hash for the unknown email), so
    neither the answer nor its time tells whether the address has an account."""
    from cadence.services import auth

    checked: list[str] = []
    real_checkpw = auth.bcrypt.checkpw

    def counting_checkpw(password: bytes, hashed: bytes) -> bool:
        checked.append(hashed.decode()[:7])  # "$2b$04$": scheme and cost
        return real_checkpw(password, hashed)

    monkeypatch.setattr(auth.bcrypt, "checkpw", counting_checkpw)
    answers = []
    for email in (account.user["email"], "nobody-here@example.com"):
        checked_before = len(checked)
        response = client.post(
            "/api/v1/auth/login", json={"email": email, "password": "Wrong-pass-1234"}
        )
        answers.append((response.status_code, response.json()))
        assert len(checked) == checked_before + 1
    assert answers[0] == answers[1] and answers[0][0] == 401
    assert checked[0] == checked[1]


def _echo_app():
    """An ASGI app answering with what reached it: the query string and the upload's client
    token header (Reflex's ``/_event`` and ``/_upload`` read the client token there)."""

    async def app(scope, receive, send) -> None:
        headers = dict(scope["headers"])
        body = json.dumps(
            {
                "query": scope["query_string"].decode(),
                "upload_token": headers.get(b"reflex-client-token", b"").decode(),
            }
        ).encode()
        content_type = b"text/html" if scope["path"] == "/settings" else b"application/json"
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", content_type)],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return app


def test_the_ui_session_is_bound_to_the_browsers_httponly_cookie() -> None:
    """Reflex finds a tab's session by its client token: the middleware swaps that token for
    one bound to the browser's ``cadence_browser`` cookie, so the same client token from
    another browser (or a script without the cookie) names another, empty session."""
    from starlette.testclient import TestClient

    from cadence.api.middleware import BrowserBoundSessionMiddleware

    tab = "7f1c1b7e-5d7a-4c55-9a55-0c1f2b3a4d5e"
    owner = TestClient(BrowserBoundSessionMiddleware(_echo_app(), secure=False))
    page = owner.get("/settings")  # the first page gives the browser its id
    cookie = page.headers["set-cookie"]
    assert cookie.startswith("cadence_browser=") and "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie and "Path=/" in cookie and "Secure" not in cookie

    def event_token(client) -> str:
        query = client.get(f"/_event/?EIO=4&transport=websocket&token={tab}").json()["query"]
        return dict(pair.split("=") for pair in query.split("&"))["token"]

    bound = event_token(owner)
    assert bound != tab and event_token(owner) == bound  # stable for this browser
    upload = owner.post("/_upload", headers={"Reflex-Client-Token": tab}).json()
    assert upload["upload_token"] == bound  # the upload reaches the same session
    assert "set-cookie" not in owner.get("/settings").headers  # given once

    browser_id = owner.cookies["cadence_browser"]
    bare = TestClient(BrowserBoundSessionMiddleware(_echo_app(), secure=False))
    other_sites = f"theme=dark mode; cadence_browser={browser_id}; y=1"
    bare.headers["Cookie"] = other_sites  # cookies http.cookies cannot parse do not hide it
    assert event_token(bare) == bound

    thief = TestClient(BrowserBoundSessionMiddleware(_echo_app(), secure=False))
    assert event_token(thief) != bound
    forged = TestClient(BrowserBoundSessionMiddleware(_echo_app(), secure=False))
    forged.cookies.set("cadence_browser", "not-an-id")
    assert event_token(forged) != bound
    # Nothing for the API (bearer tokens only) and no cookie on other answers than pages.
    assert "set-cookie" not in thief.get("/api/v1/auth/me").headers
    assert (
        "set-cookie"
        not in TestClient(BrowserBoundSessionMiddleware(_echo_app(), secure=True))
        .get("/assets/app.js")
        .headers
    )
    https = TestClient(BrowserBoundSessionMiddleware(_echo_app(), secure=True))
    assert "Secure" in https.get("/settings").headers["set-cookie"]


ROUTINE = (
    '{"name": "Legs", "exercises": [{"name": "Squat", "sets": 3, "reps": "5", "weight_kg": 60}]}'
)


@pytest.mark.parametrize(
    "raw",
    [
        '{"name": "Legs", "name": "Arms", "exercises": [{"name": "Squat", "sets": 3}]}',
        '{"name": "Legs", "exercises": [{"name": "Squat", "sets": 3, "sets": 9}]}',
    ],
    ids=["top level", "inside an exercise"],
)
def test_routines_refuse_duplicate_json_keys_like_workouts(client, account, raw) -> None:
    """A repeated key is refused (JSON parsers keep the last one silently), on create and on
    replace, and nothing is stored."""
    routines = "/api/v1/routines"
    headers = {**account.headers, "Content-Type": "application/json"}
    created = client.post(routines, content=raw, headers=headers)
    assert created.status_code == 422
    assert created.json()["detail"][0]["type"] == "duplicate_key"
    assert client.get(routines, headers=account.headers).json()["routines"] == []
    first = client.post(routines, content=ROUTINE, headers=headers)
    assert first.status_code == 201, first.text
    url = f"{routines}/{first.json()['id']}"
    assert client.put(url, content=raw, headers=headers).status_code == 422
    assert client.get(url, headers=account.headers).json()["name"] == "Legs"
    twice = '{"workout_id": 1, "workout_id": 2}'
    from_workout = client.post(f"{routines}/from-workout", content=twice, headers=headers)
    assert from_workout.json()["detail"][0]["type"] == "duplicate_key"


def test_an_unexpected_os_error_is_a_json_500_with_the_traceback_only_in_the_log(
    client, account, monkeypatch, caplog
) -> None:
    """A failure no sentence was written for (here an I/O error deep in a service): the
    client reads a generic JSON 500, the log keeps the traceback."""
    import errno

    from cadence.services import dashboard

    def broken(**_kwargs):
        raise OSError(errno.EIO, "Input/output error: /srv/cadence/secret-path")

    monkeypatch.setattr(dashboard, "dashboard_for", broken)
    with caplog.at_level(logging.ERROR):
        response = client.get("/api/v1/dashboard", headers=account.headers)
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error."}
    assert "secret-path" not in response.text and "Traceback" not in response.text
    assert "secret-path" in caplog.text and "broken" in caplog.text
