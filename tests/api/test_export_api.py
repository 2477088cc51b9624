"""``GET /api/v1/export``: the archive's contents, no secrets in it, and the round trip
export → delete the account → import the zip into a fresh account → identical data."""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from pathlib import Path

from cadence import db
from cadence.models.device import DeviceConnection
from cadence.models.health import DailyMetricIn
from cadence.services import metrics
from cadence.services.crypto import encrypt_secret

FIT = Path(__file__).resolve().parent.parent / "fixtures" / "fit" / "garmin-fenix-5-run.fit"
ROUND_TRIP_FILES = ("workouts.json", "daily_metrics.json", "activities.json", "conversations.json")
WORKOUTS = [
    {
        "date": "2026-11-20",
        "workout_name": "Upper A",
        "notes": "felt strong — 🚀",
        "duration_minutes": 55,
        "exercises": [
            {"name": "Bench Press", "sets": 3, "reps": "5", "weight_kg": 82.5, "rpe": 8},
            {"name": "Row", "sets": 3, "reps": "8-10", "weight_kg": 60, "warmup": False},
            {"name": "Dip", "sets": 3, "reps": "10,8,6", "weight_kg": 0},
        ],
    },
    {
        "date": "2026-11-22",
        "workout_name": "Lower",
        "exercises": [{"name": "Squat", "sets": 1, "reps": "5", "weight_kg": 60, "warmup": True}],
    },
]


def wait_import(client, account, import_id: int) -> dict:
    for _ in range(600):
        body = client.get(f"/api/v1/imports/{import_id}", headers=account.headers).json()
        if body["status"] in {"done", "partial", "failed"}:
            return body
        time.sleep(0.05)
    raise AssertionError(f"import {import_id} did not finish")


def upload(client, account, name: str, content: bytes) -> dict:
    response = client.post(
        "/api/v1/imports",
        files=[("file", (name, content, "application/octet-stream"))],
        headers=account.headers,
    )
    assert response.status_code == 202, response.text
    return wait_import(client, account, response.json()["import_id"])


OURA_CONTRIBUTORS = {"hrv_balance": 95.0, "sleep_balance": 92.0}


def populate(client, account) -> None:
    """Workouts, metrics from two sources, a real FIT activity, a device, a chat, a profile."""
    for workout in WORKOUTS:
        assert client.post("/api/v1/workouts", json=workout, headers=account.headers).is_success
    assert upload(client, account, FIT.name, FIT.read_bytes())["status"] == "done"
    user_id = account.user["id"]
    with db.session_scope() as session:
        metrics.upsert_daily_metrics(
            session=session,
            user_id=user_id,
            days=[
                DailyMetricIn(
                    date="2026-11-21",
                    source="garmin",
                    sleep_seconds=26_100,
                    hrv_rmssd_ms=48.25,
                    resting_hr=51,
                    steps=10_234,
                ),
                DailyMetricIn(date="2026-11-21", source="whoop", recovery_score=71.0, strain=12.4),
                DailyMetricIn(
                    date="2026-11-22", source="apple_health", hrv_sdnn_ms=61.5, weight_kg=77.3
                ),
                DailyMetricIn(
                    date="2026-11-22",
                    source="oura",
                    recovery_score=86.0,
                    recovery_contributors=OURA_CONTRIBUTORS,
                ),
            ],
        )
        session.add(
            DeviceConnection(
                user_id=user_id,
                provider="whoop",
                status="ok",
                credentials=encrypt_secret('{"access_token": "whoop-secret-token-123"}'),
            )
        )
    profile = {"coaching_profile": "Goal: sub-20 5k. Left knee: no deep lunges."}
    assert client.put(
        "/api/v1/settings/coaching-profile", json=profile, headers=account.headers
    ).is_success
    for message in ("How did I sleep last night?", "What was my last workout?"):
        chat = client.post(
            "/api/v1/chat",
            json={"message": message, "conversation_id": None},
            headers=account.headers,
        )
        assert chat.status_code == 200 and "event: done" in chat.text, chat.text


def export(client, account) -> zipfile.ZipFile:
    response = client.get("/api/v1/export", headers=account.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    return zipfile.ZipFile(io.BytesIO(response.content))


def load(archive: zipfile.ZipFile, name: str):
    return json.loads(archive.read(name))


def comparable(archive: zipfile.ZipFile, name: str):
    """A file's records without the ids that necessarily differ between accounts."""
    records = load(archive, name)
    if name == "workouts.json":
        return [{k: v for k, v in w.items() if k not in {"id", "external_id"}} for w in records]
    return records


def test_export_contains_everything_and_no_secrets(client, account):
    populate(client, account)
    archive = export(client, account)
    names = archive.namelist()
    assert names[0] == "cadence-export.json"
    assert {
        "profile.json",
        "workouts.json",
        "workouts.csv",
        "daily_metrics.json",
        "daily_metrics.csv",
        "activities.json",
        "activities.csv",
        "devices.json",
        "conversations.json",
    } <= set(names)
    manifest = load(archive, "cadence-export.json")
    assert manifest["format"] == "cadence-export" and manifest["version"] == 1
    assert manifest["files"]["workouts.json"] == 2

    profile = load(archive, "profile.json")
    assert profile["email"] == account.email
    assert profile["coaching_profile"].startswith("Goal: sub-20 5k")
    workouts = load(archive, "workouts.json")
    assert [w["workout_name"] for w in workouts] == ["Upper A", "Lower"]
    assert workouts[0]["exercises"][0] == {
        "name": "Bench Press",
        "sets": 3,
        "reps": "5",
        "weight_kg": 82.5,
        "rpe": 8.0,
        "warmup": False,
        "set_type": "normal",
        "superset": None,
    }
    rows = list(csv.DictReader(io.StringIO(archive.read("workouts.csv").decode())))
    assert [r["exercise_name"] for r in rows] == ["Bench Press", "Row", "Dip", "Squat"]
    assert rows[1]["reps"] == "8-10"

    metric_rows = load(archive, "daily_metrics.json")
    assert [(m["date"], m["source"]) for m in metric_rows] == [
        ("2026-11-21", "garmin"),
        ("2026-11-21", "whoop"),
        ("2026-11-22", "apple_health"),
        ("2026-11-22", "oura"),
    ]
    assert metric_rows[0]["hrv_rmssd_ms"] == 48.25 and metric_rows[2]["hrv_sdnn_ms"] == 61.5
    assert metric_rows[3]["recovery_contributors"] == OURA_CONTRIBUTORS
    metric_csv = list(csv.DictReader(io.StringIO(archive.read("daily_metrics.csv").decode())))
    assert "recovery_contributors" not in metric_csv[0]  # JSON only, as the histogram
    activities = load(archive, "activities.json")
    api_activities = client.get("/api/v1/activities", headers=account.headers).json()
    assert len(activities) == api_activities["total"] >= 1
    assert activities[0]["hr_histogram"]  # the real FIT file carries heart rate
    assert activities[0]["start_time"] == api_activities["activities"][-1]["start_time"]

    devices = load(archive, "devices.json")
    assert devices == [
        {
            "provider": "whoop",
            "connected": True,
            "status": "ok",
            "last_sync_at": None,
            "last_error": None,
            "created_at": devices[0]["created_at"],
        }
    ]
    conversations = load(archive, "conversations.json")
    assert len(conversations) == 2
    assert [m["role"] for m in conversations[0]["messages"]] == ["user", "assistant"]
    assert conversations[0]["messages"][0]["content"] == "How did I sleep last night?"
    assert conversations[0]["messages"][1]["tool_calls"]  # the offline coach used a tool

    blob = b"".join(archive.read(n) for n in names)
    for secret in (b"whoop-secret-token", b"password", b"$2b$", b"credentials"):
        assert secret not in blob


def test_export_is_scoped_to_the_user(client, make_account):
    owner = make_account()
    populate(client, owner)
    other = make_account()
    archive = export(client, other)
    for name in ROUND_TRIP_FILES:
        assert load(archive, name) == []
    assert load(archive, "profile.json")["email"] == other.email


def test_export_delete_reimport_round_trip(client, make_account, tmp_path):
    original = make_account(email="runner@example.com")
    populate(client, original)
    first = export(client, original)
    zip_bytes = tmp_path / "export.zip"
    zip_bytes.write_bytes(client.get("/api/v1/export", headers=original.headers).content)
    api_before = {
        "workouts": client.get("/api/v1/workouts?per_page=100", headers=original.headers).json(),
        "activities": client.get(
            "/api/v1/activities?per_page=100", headers=original.headers
        ).json(),
        "metrics": client.get(
            "/api/v1/metrics?start=2026-11-01&end=2026-11-28", headers=original.headers
        ).json(),
    }
    gone = client.request(
        "DELETE", "/api/v1/account", json={"password": original.password}, headers=original.headers
    )
    assert gone.status_code == 204, gone.text
    assert client.get("/api/v1/auth/me", headers=original.headers).status_code == 401

    fresh = make_account(email="runner-again@example.com")
    job = upload(client, fresh, "cadence-export.zip", zip_bytes.read_bytes())
    assert job["status"] == "done", job["errors"]
    assert job["counts"]["workouts"] == 2 and job["counts"]["conversations"] == 2
    second = export(client, fresh)
    for name in ROUND_TRIP_FILES:
        assert comparable(second, name) == comparable(first, name), name
    restored = [m for m in load(second, "daily_metrics.json") if m["source"] == "oura"]
    assert restored[0]["recovery_contributors"] == OURA_CONTRIBUTORS
    assert (
        load(second, "profile.json")["coaching_profile"]
        == (load(first, "profile.json")["coaching_profile"])
    )

    def without_ids(page: dict, key: str) -> list[dict]:
        return [{k: v for k, v in item.items() if k != "id"} for item in page[key]]

    after_workouts = client.get("/api/v1/workouts?per_page=100", headers=fresh.headers).json()
    assert without_ids(after_workouts, "workouts") == without_ids(
        api_before["workouts"], "workouts"
    )
    after_activities = client.get("/api/v1/activities?per_page=100", headers=fresh.headers).json()
    assert without_ids(after_activities, "activities") == without_ids(
        api_before["activities"], "activities"
    )
    after_metrics = client.get(
        "/api/v1/metrics?start=2026-11-01&end=2026-11-28", headers=fresh.headers
    ).json()
    assert after_metrics == api_before["metrics"]

    again = upload(client, fresh, "cadence-export.zip", zip_bytes.read_bytes())
    assert again["counts"].get("workouts", 0) == 0 and again["counts"].get("conversations", 0) == 0
    third = export(client, fresh)
    for name in ROUND_TRIP_FILES:
        assert comparable(third, name) == comparable(first, name), f"re-import duplicated {name}"


def test_a_zip_that_only_looks_like_an_export_is_refused(client, account):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("cadence-export.json", json.dumps({"format": "other", "version": 9}))
    job = upload(client, account, "fake.zip", buffer.getvalue())
    assert job["status"] == "failed"
    assert "not a Cadence export" in job["errors"][0]


def test_export_requires_auth(client):
    assert client.get("/api/v1/export").status_code == 401


def test_broken_records_are_reported_and_the_rest_restored(client, make_account):
    owner = make_account()
    populate(client, owner)
    source = export(client, owner)
    files = {name: load(source, name) for name in source.namelist() if name.endswith(".json")}
    files["workouts.json"][0]["exercises"][0]["sets"] = 0  # invalid: sets 1-100
    files["daily_metrics.json"].append({"date": "not-a-date", "source": "garmin"})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("cadence-export.json", json.dumps(files.pop("cadence-export.json")))
        for name, data in files.items():
            archive.writestr(name, json.dumps(data))
    job = upload(client, make_account(), "edited-export.zip", buffer.getvalue())
    assert job["status"] == "partial"
    assert any("workout #1" in e for e in job["errors"]), job["errors"]
    assert any("metric #5" in e for e in job["errors"]), job["errors"]
    assert job["counts"]["workouts"] == 1 and job["counts"]["daily_metrics"] == 4
