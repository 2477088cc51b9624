"""``/api/v1/exercises``: the library (merged names, bests, volume) and per-exercise history."""

from __future__ import annotations

from urllib.parse import quote

LIBRARY = "/api/v1/exercises/library"


def log(client, account, day: str, *exercises: dict) -> dict:
    response = client.post(
        "/api/v1/workouts",
        json={"date": day, "workout_name": "Log", "exercises": list(exercises)},
        headers=account.headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_library_shape_and_merging(client, account):
    log(
        client,
        account,
        "2026-10-01",
        {"name": "bench press", "sets": 3, "reps": "5", "weight_kg": 80},
    )
    log(
        client,
        account,
        "2026-10-04",
        {"name": "Bench  Press", "sets": 3, "reps": "8", "weight_kg": 75},
    )
    log(
        client,
        account,
        "2026-10-02",
        {"name": "Chin-up / Pull-up", "sets": 3, "reps": "6", "weight_kg": 0},
    )
    response = client.get(LIBRARY, headers=account.headers)
    assert response.status_code == 200
    entries = response.json()["exercises"]
    assert entries[0] == {
        "name": "Bench  Press",
        "times_logged": 2,
        "last_performed": "2026-10-04",
        "best_weight_kg": 80.0,
        "best_e1rm_kg": 95.0,  # 75 x 8 = 95.0 beats 80 x 5 = 93.33
        "total_volume_kg": 80 * 15 + 75 * 24,
    }
    assert entries[1]["name"] == "Chin-up / Pull-up"
    assert entries[1]["best_e1rm_kg"] is None
    filtered = client.get(LIBRARY, params={"q": "PULL"}, headers=account.headers).json()
    assert [e["name"] for e in filtered["exercises"]] == ["Chin-up / Pull-up"]


def test_history_marks_prs_and_accepts_any_spelling(client, account):
    log(client, account, "2026-10-01", {"name": "Squat", "sets": 3, "reps": "5", "weight_kg": 100})
    second = log(
        client, account, "2026-10-08", {"name": "Squat", "sets": 3, "reps": "5", "weight_kg": 105}
    )
    response = client.get(f"/api/v1/exercises/{quote('  SQUAT ')}/history", headers=account.headers)
    assert response.status_code == 200
    history = response.json()
    assert history["name"] == "Squat"
    assert history["points"][1] == {
        "date": "2026-10-08",
        "workout_id": second["id"],
        "top_weight_kg": 105.0,
        "top_reps": 5,
        "e1rm_kg": 122.5,
        "volume_kg": 1575.0,
        "e1rm_pr": True,
        "weight_pr": True,
    }


def test_history_of_a_name_with_a_slash(client, account):
    log(
        client,
        account,
        "2026-10-02",
        {"name": "Chin-up / Pull-up", "sets": 3, "reps": "6", "weight_kg": 10},
    )
    response = client.get(
        f"/api/v1/exercises/{quote('Chin-up / Pull-up')}/history", headers=account.headers
    )
    assert response.status_code == 200
    assert response.json()["points"][0]["volume_kg"] == 180.0


def test_exercises_are_private(client, make_account):
    owner, intruder = make_account(), make_account()
    log(client, owner, "2026-10-01", {"name": "Deadlift", "sets": 1, "reps": "5", "weight_kg": 180})
    assert client.get(LIBRARY, headers=intruder.headers).json() == {"exercises": []}
    assert (
        client.get("/api/v1/exercises/Deadlift/history", headers=intruder.headers).status_code
        == 404
    )
    assert (
        client.get("/api/v1/exercises/Deadlift/history", headers=owner.headers).status_code == 200
    )


def test_exercises_need_a_token(client):
    assert client.get(LIBRARY).status_code == 401
    assert client.get("/api/v1/exercises/Squat/history").status_code == 401


def test_library_search_is_length_checked(client, account):
    response = client.get(LIBRARY, params={"q": "x" * 101}, headers=account.headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "q"]
