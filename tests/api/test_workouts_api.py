"""``/api/v1/workouts`` through the real FastAPI app: shapes, validation, ownership."""

from __future__ import annotations

import datetime as dt
import json

import pytest

BASE = "/api/v1/workouts"
WORKOUT_KEYS = {
    "id",
    "date",
    "workout_name",
    "notes",
    "exercises",
    "duration_minutes",
    "created_at",
    "updated_at",
}


def body(**overrides) -> dict:
    data = {
        "date": "2026-11-20",
        "workout_name": "Upper A",
        "notes": "felt strong",
        "exercises": [
            {"name": "Bench Press", "sets": 3, "reps": "5", "weight_kg": 80, "rpe": 8},
            {"name": "Row", "sets": 3, "reps": "8-10", "weight_kg": 60},
            {"name": "Dip", "sets": 3, "reps": "10,8,6", "weight_kg": 0},
        ],
    }
    data.update(overrides)
    return data


def exercise(**overrides) -> dict:
    return {"name": "Squat", "sets": 3, "reps": "5", "weight_kg": 100, **overrides}


def test_crud_round_trip(client, account):
    created = client.post(BASE, json=body(), headers=account.headers)
    assert created.status_code == 201, created.text
    workout = created.json()
    assert set(workout) == WORKOUT_KEYS
    assert set(workout["exercises"][0]) == {
        "name",
        "sets",
        "reps",
        "weight_kg",
        "rpe",
        "warmup",
        "set_type",
        "superset",
    }
    assert [e["name"] for e in workout["exercises"]] == ["Bench Press", "Row", "Dip"]
    assert workout["created_at"].endswith("Z")
    url = f"{BASE}/{workout['id']}"
    assert client.get(url, headers=account.headers).json() == workout

    replaced = client.put(
        url,
        json=body(workout_name="Upper B", exercises=[exercise()], duration_minutes=45),
        headers=account.headers,
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["workout_name"] == "Upper B"
    assert [e["name"] for e in replaced.json()["exercises"]] == ["Squat"]
    assert replaced.json()["duration_minutes"] == 45

    listed = client.get(BASE, headers=account.headers).json()
    assert listed["total"] == 1 and listed["page"] == 1 and listed["per_page"] == 20
    assert listed["workouts"][0] == replaced.json()

    assert client.delete(url, headers=account.headers).status_code == 204
    assert client.get(url, headers=account.headers).status_code == 404
    assert client.delete(url, headers=account.headers).status_code == 404


def test_list_pages_newest_first(client, account):
    for day in ["2026-11-01", "2026-11-03", "2026-11-02"]:
        assert client.post(BASE, json=body(date=day), headers=account.headers).status_code == 201
    first = client.get(BASE, params={"per_page": 2}, headers=account.headers).json()
    assert [w["date"] for w in first["workouts"]] == ["2026-11-03", "2026-11-02"]
    second = client.get(BASE, params={"page": 2, "per_page": 2}, headers=account.headers).json()
    assert [w["date"] for w in second["workouts"]] == ["2026-11-01"]
    beyond = client.get(BASE, params={"page": 9}, headers=account.headers).json()
    assert beyond == {"workouts": [], "page": 9, "per_page": 20, "total": 3}


def _next_year() -> str:
    return dt.date(dt.datetime.now(dt.UTC).year + 1, 6, 1).isoformat()


def _two_days_ahead() -> str:
    return (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=2)).isoformat()


INVALID_BODIES = [
    ("sets 0", lambda: body(exercises=[exercise(sets=0)]), ["body", "exercises", 0, "sets"]),
    ("sets 101", lambda: body(exercises=[exercise(sets=101)]), ["body", "exercises", 0, "sets"]),
    (
        "negative weight",
        lambda: body(exercises=[exercise(weight_kg=-5)]),
        ["body", "exercises", 0, "weight_kg"],
    ),
    (
        "weight over 1000",
        lambda: body(exercises=[exercise(weight_kg=1000.5)]),
        ["body", "exercises", 0, "weight_kg"],
    ),
    ("reps abc", lambda: body(exercises=[exercise(reps="abc")]), ["body", "exercises", 0, "reps"]),
    ("reps empty", lambda: body(exercises=[exercise(reps="")]), ["body", "exercises", 0, "reps"]),
    (
        "reps list too long",
        lambda: body(exercises=[exercise(reps="5,5,5,5")]),
        ["body", "exercises", 0],
    ),
    ("rpe 11", lambda: body(exercises=[exercise(rpe=11)]), ["body", "exercises", 0, "rpe"]),
    ("date next year", lambda: body(date=_next_year()), ["body", "date"]),
    ("date two days ahead", lambda: body(date=_two_days_ahead()), ["body", "date"]),
    ("date not a date", lambda: body(date="yesterday"), ["body", "date"]),
    ("300-char workout name", lambda: body(workout_name="x" * 300), ["body", "workout_name"]),
    ("blank workout name", lambda: body(workout_name="   "), ["body", "workout_name"]),
    (
        "300-char exercise name",
        lambda: body(exercises=[exercise(name="x" * 300)]),
        ["body", "exercises", 0, "name"],
    ),
    ("200 exercises", lambda: body(exercises=[exercise()] * 200), ["body", "exercises"]),
    ("no exercises", lambda: body(exercises=[]), ["body", "exercises"]),
    ("unknown field", lambda: body(mood="great"), ["body", "mood"]),
    (
        "unknown exercise field",
        lambda: body(exercises=[exercise(tempo="3010")]),
        ["body", "exercises", 0, "tempo"],
    ),
    ("missing date", lambda: {k: v for k, v in body().items() if k != "date"}, ["body", "date"]),
    ("duration 0", lambda: body(duration_minutes=0), ["body", "duration_minutes"]),
]


@pytest.mark.parametrize(
    ("case", "make", "loc"), INVALID_BODIES, ids=[c[0] for c in INVALID_BODIES]
)
def test_invalid_workouts_get_field_level_422(client, account, case, make, loc):
    created = client.post(BASE, json=make(), headers=account.headers)
    assert created.status_code == 422, created.text
    assert loc in [error["loc"] for error in created.json()["detail"]], created.json()
    first = client.post(BASE, json=body(), headers=account.headers).json()
    replaced = client.put(f"{BASE}/{first['id']}", json=make(), headers=account.headers)
    assert replaced.status_code == 422
    assert loc in [error["loc"] for error in replaced.json()["detail"]]
    assert client.get(f"{BASE}/{first['id']}", headers=account.headers).json() == first


@pytest.mark.parametrize(
    "raw",
    [
        '{"date": "2026-11-20", "date": "2026-11-21", "workout_name": "A", "exercises": []}',
        '{"date": "2026-11-20", "workout_name": "A", "exercises": '
        '[{"name": "Squat", "sets": 3, "sets": 5, "reps": "5", "weight_kg": 100}]}',
    ],
    ids=["top level", "inside an exercise"],
)
def test_duplicate_json_keys_are_rejected(client, account, raw):
    headers = {**account.headers, "Content-Type": "application/json"}
    created = client.post(BASE, content=raw, headers=headers)
    assert created.status_code == 422
    assert created.json()["detail"][0]["type"] == "duplicate_key"
    assert client.get(BASE, headers=account.headers).json()["total"] == 0
    first = client.post(BASE, json=body(), headers=account.headers).json()
    replaced = client.put(f"{BASE}/{first['id']}", content=raw, headers=headers)
    assert replaced.status_code == 422


def test_malformed_json_is_422_not_500(client, account):
    headers = {**account.headers, "Content-Type": "application/json"}
    response = client.post(BASE, content='{"date": ', headers=headers)
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"page": 0}, ["query", "page"]),
        ({"per_page": 101}, ["query", "per_page"]),
        ({"per_page": 0}, ["query", "per_page"]),
        ({"page": "two"}, ["query", "page"]),
    ],
)
def test_invalid_paging_is_422(client, account, params, loc):
    response = client.get(BASE, params=params, headers=account.headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc


@pytest.mark.parametrize("workout_id", ["0", "99999999999", "abc"])
def test_out_of_range_ids_are_422(client, account, workout_id):
    for method in ("GET", "DELETE"):
        response = client.request(method, f"{BASE}/{workout_id}", headers=account.headers)
        assert response.status_code == 422
    response = client.put(f"{BASE}/{workout_id}", json=body(), headers=account.headers)
    assert response.status_code == 422


def test_huge_page_is_422(client, account):
    response = client.get(BASE, params={"page": 10**12}, headers=account.headers)
    assert response.status_code == 422


def test_other_users_workouts_are_invisible(client, make_account):
    owner, intruder = make_account(), make_account()
    workout = client.post(BASE, json=body(), headers=owner.headers).json()
    url = f"{BASE}/{workout['id']}"
    assert client.get(url, headers=intruder.headers).status_code == 404
    assert client.put(url, json=body(), headers=intruder.headers).status_code == 404
    assert client.delete(url, headers=intruder.headers).status_code == 404
    assert client.get(BASE, headers=intruder.headers).json()["total"] == 0
    assert client.get(url, headers=owner.headers).json() == workout


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", BASE),
        ("post", BASE),
        ("get", f"{BASE}/1"),
        ("put", f"{BASE}/1"),
        ("delete", f"{BASE}/1"),
    ],
)
def test_workouts_need_a_token(client, method, path):
    kwargs = {"json": body()} if method in {"post", "put"} else {}
    response = client.request(method.upper(), path, **kwargs)
    assert response.status_code == 401


def test_openapi_documents_the_extensions(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/workouts", "/api/v1/workouts/{workout_id}"} <= set(schema["paths"])
    public = schema["components"]["schemas"]["WorkoutPublic"]["properties"]
    assert "session length" in public["duration_minutes"]["description"]
    assert "warm-up" in json.dumps(schema["components"]["schemas"]["ExercisePublic"])
    assert schema["paths"]["/api/v1/workouts"]["post"]["responses"]["201"]
    entry = schema["components"]["schemas"]["ExerciseEntry"]["properties"]
    assert entry["reps"]["pattern"].startswith("^")
