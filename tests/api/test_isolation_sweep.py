"""Isolation sweep: user A owns data of every kind; user B calls EVERY operation of the OpenAPI
document with A's ids in the path (and in bodies that reference A's rows).

Each operation is generated from ``/api/v1/openapi.json``, so a new endpoint is swept without
touching this file; a path parameter the sweep has no value for fails the test and says so.
Proven for every operation: an A-owned id answers B with 404; no response to B carries a byte
of A's data (A's distinctive strings are searched in every raw body); and after B has called
everything (including PUT/DELETE on A's ids), A's own view of every GET is unchanged.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import secrets
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cadence.db import session_scope
from cadence.services import demo
from tests.conftest import reset_caches
from tests.fakes.device_server import FakeProviderServer, Reply

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
TAG = secrets.token_hex(4)
A_MARKERS = {
    "email": f"alpha.{TAG}@example.com",
    "display_name": f"Alpha {TAG}",
    "workout_name": f"Alpha leg day {TAG}",
    "notes": f"alpha notes {TAG}",
    "exercise": f"Alpha Zercher Squat {TAG}",
    "chat": f"alpha question {TAG}: how did I sleep last night?",
    "coaching_profile": f"alpha profile {TAG}: training for a marathon",
    "llm_key_tail": "Qz7w",
    "routine": f"Alpha routine {TAG}",
    "custom_exercise": f"Alpha Custom Lift {TAG}",
}
# Operations B is not sent: they act on the caller's own credentials only.
NOT_SWEPT = {
    (
        "PUT",
        "/api/v1/settings/password",
    ): "changes B's own password (covered by the accounts tests)",
    ("POST", "/api/v1/auth/signup"): "creates a new account; owns no existing resource",
    ("POST", "/api/v1/auth/login"): "authenticates; owns no resource",
}
ISO_TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?"
A_ONLY_LAST = ("DELETE", "/api/v1/account")


def workout_body(name: str, exercise: str, notes: str = "") -> dict:
    return {
        "date": "2026-11-20",
        "workout_name": name,
        "notes": notes,
        "exercises": [{"name": exercise, "sets": 3, "reps": "5", "weight_kg": 100}],
    }


def wait_for_import(client, headers, import_id: int) -> dict:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/imports/{import_id}", headers=headers).json()
        if body["status"] in {"done", "partial", "failed"}:
            return body
        time.sleep(0.05)
    raise AssertionError(f"import {import_id} did not finish")


def chat(client, headers, message: str, conversation_id: int | None = None):
    body = {"message": message, "conversation_id": conversation_id}
    return client.post("/api/v1/chat", json=body, headers=headers)


@pytest.fixture
def fake_whoop(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeProviderServer]:
    """A local fake WHOOP (OAuth token + empty data pages); Garmin/Strava point at a closed port."""
    with FakeProviderServer() as server:
        server.json(
            "POST",
            "/oauth/oauth2/token",
            {"access_token": "a", "refresh_token": "r", "expires_in": 3600},
        )
        server.default = Reply({"records": [], "next_token": None})
        monkeypatch.setenv("CADENCE_WHOOP_API_URL", server.base_url)
        monkeypatch.setenv("CADENCE_WHOOP_CLIENT_ID", "cid")
        monkeypatch.setenv("CADENCE_WHOOP_CLIENT_SECRET", "secret")
        monkeypatch.setenv("CADENCE_GARMIN_API_URL", "http://127.0.0.1:9")
        monkeypatch.setenv("CADENCE_STRAVA_API_URL", "http://127.0.0.1:9")
        monkeypatch.setenv("CADENCE_DEVICE_HTTP_TIMEOUT_SECONDS", "1")
        reset_caches()
        yield server


def connect_whoop(client, headers) -> None:
    authorize = client.post("/api/v1/devices/whoop/connect", headers=headers)
    assert authorize.status_code == 200, authorize.text
    state = httpx.URL(authorize.json()["authorize_url"]).params["state"]
    client.get(
        "/api/v1/devices/whoop/callback",
        params={"state": state, "code": "c"},
        follow_redirects=False,
    )
    devices = client.get("/api/v1/devices", headers=headers).json()["devices"]
    assert {d["provider"]: d["connected"] for d in devices}["whoop"] is True


def seed_user_a(client, a) -> dict[str, object]:
    """Data of every kind, created through the API; returns the path values of A's rows."""
    h = a.headers
    made = client.post(
        "/api/v1/workouts",
        json=workout_body(A_MARKERS["workout_name"], A_MARKERS["exercise"], A_MARKERS["notes"]),
        headers=h,
    )
    assert made.status_code == 201, made.text
    turn = chat(client, h, A_MARKERS["chat"])
    assert turn.status_code == 200, turn.text
    conversation_id = int(turn.headers["X-Conversation-Id"])
    asked = chat(client, h, f"Log {A_MARKERS['exercise']} 3x5 at 100 kg", conversation_id)
    assert asked.status_code == 200, asked.text
    messages = client.get(f"/api/v1/conversations/{conversation_id}/messages", headers=h).json()
    (action,) = messages["messages"][-1]["actions"]  # a proposed write, left pending
    gpx = FIXTURES / "gpx" / "track-with-empty-segment.gpx"
    upload = client.post(
        "/api/v1/imports", files=[("file", (gpx.name, gpx.read_bytes()))], headers=h
    )
    assert upload.status_code == 202, upload.text
    imported = wait_for_import(client, h, upload.json()["import_id"])
    assert imported["status"] == "done", imported
    # Daily metrics have no write endpoint (devices and the demo generator write them): 90 days
    # from the demo generator, the same service `python -m cadence demo-data` runs.
    with session_scope() as session:
        assert demo.generate_for_email(session=session, email=a.email)["daily_metrics"] > 0
    steps = [
        (
            "PUT",
            "/api/v1/settings/coaching-profile",
            {"coaching_profile": A_MARKERS["coaching_profile"]},
        ),
        (
            "PUT",
            "/api/v1/settings/llm",
            {"api_key": "sk-alpha-secret-" + A_MARKERS["llm_key_tail"]},
        ),
    ]
    for method, path, body in steps:
        response = client.request(method, path, json=body, headers=h)
        assert response.status_code < 300, (method, path, response.text)
    connect_whoop(client, h)
    routine = client.post(
        "/api/v1/routines",
        json={
            "name": A_MARKERS["routine"],
            "exercises": workout_body("", A_MARKERS["exercise"])["exercises"],
        },
        headers=h,
    )
    assert routine.status_code == 201, routine.text
    custom = client.post(
        "/api/v1/exercises/custom", json={"name": A_MARKERS["custom_exercise"]}, headers=h
    )
    assert custom.status_code == 201, custom.text
    return {
        "routine_id": routine.json()["id"],
        "workout_id": made.json()["id"],
        "conversation_id": conversation_id,
        "action_id": action["id"],
        "import_id": upload.json()["import_id"],
        "activity_id": client.get("/api/v1/activities", headers=h).json()["activities"][0]["id"],
        "user_id": a.user["id"],
        "name": A_MARKERS["exercise"],
        "provider": "whoop",
    }


def collections(client, account) -> tuple[list, list]:
    """The account's activities and daily metrics (numbers, so compared as whole lists)."""
    activities = client.get("/api/v1/activities", headers=account.headers).json()["activities"]
    metrics = client.get("/api/v1/metrics", headers=account.headers).json()["metrics"]
    return activities, metrics


def operations(client) -> list[tuple[str, str, dict]]:
    schema = client.get("/api/v1/openapi.json").json()
    return [
        (method.upper(), path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in {"get", "put", "post", "patch", "delete"}
    ]


def b_request(method: str, path: str, refs: dict, b) -> dict:
    """Keyword arguments for B's call; bodies that can reference A's rows do so."""
    bodies = {
        ("POST", "/api/v1/workouts"): workout_body("bee day", "Bee Press"),
        ("PUT", "/api/v1/workouts/{workout_id}"): workout_body("bee overwrite", "Bee Press"),
        ("PUT", "/api/v1/routines/{routine_id}"): {
            "name": "bee routine",
            "exercises": workout_body("", "Bee Press")["exercises"],
        },
        ("POST", "/api/v1/routines/from-workout"): {"workout_id": refs["workout_id"]},
        ("PUT", "/api/v1/exercises/mappings"): {
            "name": A_MARKERS["exercise"],
            "exercise_id": "Barbell_Squat",
        },
        ("POST", "/api/v1/chat"): {"message": "hi", "conversation_id": refs["conversation_id"]},
        ("POST", "/api/v1/chat/retry"): {"conversation_id": refs["conversation_id"]},
        ("PATCH", "/api/v1/conversations/{conversation_id}"): {"title": "bee"},
        ("PUT", "/api/v1/settings/profile"): {"display_name": "Bee"},
        ("PUT", "/api/v1/settings/coaching-profile"): {"coaching_profile": "bee"},
        ("PUT", "/api/v1/settings/llm"): {"default_model_id": ""},
        ("PATCH", "/api/v1/admin/users/{user_id}"): {"is_active": False, "is_admin": True},
        ("PUT", "/api/v1/admin/llm"): {"api_key": "sk-bee"},
        ("DELETE", "/api/v1/account"): {"password": b.password},
    }
    if (method, path) == ("POST", "/api/v1/imports"):
        gpx = FIXTURES / "fit" / "activity-small-fenix2-run.fit"
        return {"files": [("file", (gpx.name, gpx.read_bytes()))]}
    if (method, path) in bodies:
        return {"json": bodies[(method, path)]}
    return {}


def fill_path(path: str, refs: dict) -> str:
    names = re.findall(r"{(\w+)}", path)
    missing = [n for n in names if n not in refs]
    assert not missing, (
        f"{path}: the sweep has no A-owned value for {missing}; add one to seed_user_a"
    )
    return path.format(**{n: refs[n] for n in names})


def a_view(client, a, ops, refs, since: str) -> dict[str, str]:
    """A's answer to every GET (the SSE/redirect callback excluded), for before/after comparison."""
    view = {}
    for method, path, _ in ops:
        if method == "GET" and "callback" not in path:
            url = fill_path(path, refs)
            view[url] = _stable_text(client.get(url, headers=a.headers), since)
    return view


def _stable_text(response, since: str) -> str:
    """The body as text (zip members unpacked), with times stamped during this test masked."""
    body = response.content
    if body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            body = b"".join(archive.read(name) for name in sorted(archive.namelist()))
    text = body.decode(errors="replace")
    return re.sub(ISO_TIME, lambda m: "<now>" if m.group(0) >= since else m.group(0), text)


def test_user_b_never_reaches_user_a_data(client, make_account, fake_whoop, capsys) -> None:
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    make_account(name="Owner")  # the first account is the admin: A and B are ordinary users
    a = make_account(email=A_MARKERS["email"], name=A_MARKERS["display_name"])
    b = make_account(name="Bee")
    refs = seed_user_a(client, a)
    a_activities, a_metrics = collections(client, a)
    assert a_activities and a_metrics, "A should own activities and daily metrics"
    assert collections(client, b) == ([], []), "B sees activities or metrics it does not own"
    markers = [*A_MARKERS.values(), a_activities[-1]["start_time"][:19]]
    ops = operations(client)
    before = a_view(client, a, ops, refs, started)

    ordered = sorted(ops, key=lambda op: (op[0], op[1]) == A_ONLY_LAST)
    swept, failures, skipped = [], [], []
    for method, path, _ in ordered:
        if (method, path) in NOT_SWEPT:
            skipped.append(f"{method} {path}: {NOT_SWEPT[(method, path)]}")
            continue
        url = fill_path(path, refs)
        kwargs = b_request(method, path, refs, b)
        response = client.request(method, url, headers=b.headers, follow_redirects=False, **kwargs)
        swept.append(f"{method} {path} -> {response.status_code}")
        sent = f"{url} {kwargs.get('json', '')}".lower()  # B's own words echoed back are no leak
        leaked = [
            m for m in markers if m.lower() in response.text.lower() and m.lower() not in sent
        ]
        if leaked:
            failures.append(f"{method} {url}: B received A's data {leaked}: {response.text[:300]}")
        owns_a_row = any(
            f"{{{n}}}" in path
            for n in ("workout_id", "conversation_id", "import_id", "name", "routine_id")
        )
        references_a = (method, path) == ("POST", "/api/v1/chat") or "/admin/" in path
        if (owns_a_row or references_a) and response.status_code != 404:
            failures.append(f"{method} {url}: expected 404 for B, got {response.status_code}")
        if response.status_code >= 500:
            failures.append(f"{method} {url}: server error {response.status_code}")

    after = a_view(client, a, ops, refs, started)
    changed = [url for url in before if before[url] != after[url]]
    with capsys.disabled():
        print(f"\nisolation sweep: {len(swept)} operations called as user B")
        print("".join(f"  not swept: {line}\n" for line in skipped), end="")
    assert not failures, "\n".join(failures)
    diffs = {url: _first_difference(before[url], after[url]) for url in changed}
    assert not changed, f"B's calls changed what A sees: {diffs}"
    assert len(swept) >= len(ops) - len(NOT_SWEPT)


def _first_difference(old: str, new: str) -> str:
    at = next((i for i, (x, y) in enumerate(zip(old, new, strict=False)) if x != y), len(old))
    return f"...{old[max(0, at - 120) : at + 80]}... became ...{new[max(0, at - 120) : at + 80]}..."
