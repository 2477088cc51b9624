"""Gym mode through the real API: catalogue, custom exercises, one identity per exercise,
idempotent workout writes, set-by-set rows, routines."""

from __future__ import annotations

import pytest

from cadence.models.workout import WorkoutPublic
from cadence.services import exercises
from cadence.states.workouts import detail_rows

WORKOUTS = "/api/v1/workouts"
CATALOG = "/api/v1/exercises/catalog"
ROUTINES = "/api/v1/routines"


def set_rows(name: str, *sets: tuple[float, int], set_type: str = "normal") -> list[dict]:
    return [
        {"name": name, "sets": 1, "reps": str(reps), "weight_kg": kg, "set_type": set_type}
        for kg, reps in sets
    ]


def workout(*rows: dict, day: str = "2026-11-20", name: str = "Push") -> dict:
    return {"date": day, "workout_name": name, "exercises": list(rows)}


def test_catalog_ships_free_exercise_db_and_filters(client, account):
    everything = client.get(CATALOG, params={"per_page": 1000}, headers=account.headers).json()
    assert everything["total"] == 873
    first = everything["exercises"][0]
    assert set(first) == {
        "id",
        "name",
        "category",
        "equipment",
        "primary_muscles",
        "secondary_muscles",
        "instructions",
        "custom",
    }
    found = client.get(
        CATALOG,
        params={"q": "bench press", "equipment": "barbell", "muscle": "chest"},
        headers=account.headers,
    ).json()
    names = [e["name"] for e in found["exercises"]]
    assert "Barbell Bench Press - Medium Grip" in names
    assert all("bench" in n.lower() and "press" in n.lower() for n in names)
    assert all(e["equipment"] == "barbell" for e in found["exercises"])
    hamstrings = client.get(CATALOG, params={"muscle": "hamstrings"}, headers=account.headers)
    assert all(
        "hamstrings" in e["primary_muscles"] + e["secondary_muscles"]
        for e in hamstrings.json()["exercises"]
    )
    assert client.get(CATALOG).status_code == 401
    assert (
        client.get(CATALOG, params={"per_page": 5000}, headers=account.headers).status_code == 422
    )


def test_custom_exercises_are_listed_first_and_only_for_their_owner(client, account, make_account):
    made = client.post(
        "/api/v1/exercises/custom",
        json={"name": "Landmine Press Kneeling", "primary_muscles": ["Shoulders"]},
        headers=account.headers,
    )
    assert made.status_code == 201, made.text
    assert made.json()["custom"] is True
    assert made.json()["primary_muscles"] == ["shoulders"]
    mine = client.get(CATALOG, params={"q": "press"}, headers=account.headers).json()
    assert mine["exercises"][0]["name"] == "Landmine Press Kneeling"
    other = make_account()
    theirs = client.get(CATALOG, params={"q": "landmine press kneeling"}, headers=other.headers)
    assert theirs.json()["total"] == 0
    again = client.post(
        "/api/v1/exercises/custom",
        json={"name": "landmine  press kneeling"},
        headers=account.headers,
    )
    assert again.status_code == 409
    builtin = client.post(
        "/api/v1/exercises/custom", json={"name": "Barbell Squat"}, headers=account.headers
    )
    assert builtin.status_code == 409
    assert "catalogue" in builtin.json()["detail"]


def test_three_spellings_become_one_exercise_once_the_user_confirms(client, account):
    for day, name, kg in (
        ("2026-11-01", "Bench Press (Barbell)", 80),  # as Strong exports it
        ("2026-11-05", "bench press", 82.5),  # typed by hand
        ("2026-11-09", "Barbell Bench Press - Medium Grip", 85),  # picked from the catalogue
    ):
        response = client.post(
            WORKOUTS, json=workout(*set_rows(name, (kg, 5)), day=day), headers=account.headers
        )
        assert response.status_code == 201, response.text
    library = client.get("/api/v1/exercises/library", headers=account.headers).json()
    assert len(library["exercises"]) == 3

    pending = client.get("/api/v1/exercises/mappings", headers=account.headers).json()
    suggested = {item["name"]: item["suggestions"][0]["name"] for item in pending["names"]}
    assert suggested == {
        "Bench Press (Barbell)": "Barbell Bench Press - Medium Grip",
        "bench press": "Barbell Bench Press - Medium Grip",
    }
    target = next(item for item in pending["names"])["suggestions"][0]["id"]
    for name in suggested:
        confirmed = client.put(
            "/api/v1/exercises/mappings",
            json={"name": name, "exercise_id": target},
            headers=account.headers,
        )
        assert confirmed.status_code == 200, confirmed.text
        assert confirmed.json()["rows_updated"] == 1
    assert client.get("/api/v1/exercises/mappings", headers=account.headers).json() == {"names": []}

    library = client.get("/api/v1/exercises/library", headers=account.headers).json()
    assert len(library["exercises"]) == 1
    assert library["exercises"][0]["times_logged"] == 3
    assert library["exercises"][0]["best_weight_kg"] == 85
    for spelling in ("bench press", "Bench Press (Barbell)"):
        history = client.get(
            f"/api/v1/exercises/{spelling}/history", headers=account.headers
        ).json()
        assert [p["top_weight_kg"] for p in history["points"]] == [80, 82.5, 85]
        assert [p["weight_pr"] for p in history["points"]] == [False, True, True]
    # a later workout under an old spelling counts as the same exercise at once
    client.post(
        WORKOUTS,
        json=workout(*set_rows("Bench Press (Barbell)", (90, 3)), day="2026-11-12"),
        headers=account.headers,
    )
    library = client.get("/api/v1/exercises/library", headers=account.headers).json()
    assert [(e["times_logged"], e["best_weight_kg"]) for e in library["exercises"]] == [(4, 90)]


def test_mapping_rejects_unknown_exercise_and_catalogue_names(client, account):
    unknown = client.put(
        "/api/v1/exercises/mappings",
        json={"name": "bench", "exercise_id": "No_Such_Exercise"},
        headers=account.headers,
    )
    assert unknown.status_code == 404
    builtin = client.put(
        "/api/v1/exercises/mappings",
        json={"name": "Barbell Squat", "exercise_id": "Barbell_Deadlift"},
        headers=account.headers,
    )
    assert builtin.status_code == 422


def test_idempotency_key_returns_the_first_workout_and_creates_nothing(
    client, account, make_account
):
    data = workout(*set_rows("Barbell Squat", (100, 5), (100, 5)))
    key = {"Idempotency-Key": "7d3c0d1e-workout-1", **account.headers}
    first = client.post(WORKOUTS, json=data, headers=key)
    retry = client.post(WORKOUTS, json=data, headers=key)
    assert first.status_code == 201, first.text
    assert retry.status_code == 201
    assert retry.json() == first.json()
    assert client.get(WORKOUTS, headers=account.headers).json()["total"] == 1

    changed = client.post(WORKOUTS, json=workout(*set_rows("Barbell Squat", (1, 1))), headers=key)
    assert changed.status_code == 409
    assert client.get(WORKOUTS, headers=account.headers).json()["total"] == 1

    other = make_account()  # keys are per user: the same key is another user's own
    theirs = client.post(
        WORKOUTS, json=data, headers={"Idempotency-Key": "7d3c0d1e-workout-1", **other.headers}
    )
    assert theirs.status_code == 201
    assert theirs.json()["id"] != first.json()["id"]
    no_key = client.post(WORKOUTS, json=data, headers=account.headers)
    assert no_key.json()["id"] != first.json()["id"]
    too_long = client.post(WORKOUTS, json=data, headers={**key, "Idempotency-Key": "k" * 300})
    assert too_long.status_code == 422


def test_set_by_set_rows_keep_type_order_and_superset(client, account):
    rows = [
        *set_rows("Barbell Squat", (60, 5), set_type="warmup"),
        *set_rows("Barbell Squat", (100, 5), (100, 5)),
        *set_rows("Barbell Squat", (80, 8), set_type="drop"),
    ]
    rows[1]["superset"] = 1
    created = client.post(WORKOUTS, json=workout(*rows), headers=account.headers).json()
    assert [(e["set_type"], e["warmup"], e["weight_kg"]) for e in created["exercises"]] == [
        ("warmup", True, 60),
        ("normal", False, 100),
        ("normal", False, 100),
        ("drop", False, 80),
    ]
    assert created["exercises"][1]["superset"] == 1
    library = client.get("/api/v1/exercises/library", headers=account.headers).json()
    squat = library["exercises"][0]
    assert squat["best_weight_kg"] == 100  # the warm-up never counts toward bests
    assert squat["total_volume_kg"] == 60 * 5 + 100 * 10 + 80 * 8
    legacy = client.post(
        WORKOUTS,
        json=workout({"name": "Row", "sets": 3, "reps": "8", "weight_kg": 60, "warmup": True}),
        headers=account.headers,
    )
    assert legacy.json()["exercises"][0]["set_type"] == "warmup"
    clash = client.post(
        WORKOUTS,
        json=workout(
            {
                "name": "Row",
                "sets": 1,
                "reps": "8",
                "weight_kg": 60,
                "warmup": True,
                "set_type": "drop",
            }
        ),
        headers=account.headers,
    )
    assert clash.status_code == 422


def test_previous_values_are_last_sessions_sets_with_bests(client, account):
    client.post(
        WORKOUTS,
        json=workout(*set_rows("Barbell Squat", (100, 5), (105, 3)), day="2026-11-01"),
        headers=account.headers,
    )
    client.post(
        WORKOUTS,
        json=workout(*set_rows("Barbell Squat", (90, 8), (92.5, 6)), day="2026-11-08"),
        headers=account.headers,
    )
    previous = client.get("/api/v1/exercises/previous", headers=account.headers).json()
    squat = previous["exercises"][0]
    assert squat["date"] == "2026-11-08"
    assert [(s["weight_kg"], s["reps"]) for s in squat["sets"]] == [(90, 8), (92.5, 6)]
    assert squat["best_weight_kg"] == 105
    assert squat["best_e1rm_kg"] == pytest.approx(100 * (1 + 5 / 30), abs=0.01)  # 100x5 beats 105x3


def test_routine_crud_save_from_workout_and_start_with_last_values(client, account, make_account):
    made = client.post(
        ROUTINES,
        json={
            "name": "Legs",
            "exercises": [{"name": "Barbell Squat", "sets": 3, "reps": "5", "weight_kg": 100}],
        },
        headers=account.headers,
    )
    assert made.status_code == 201, made.text
    routine = made.json()
    assert set(routine) == {"id", "name", "notes", "exercises", "created_at", "updated_at"}
    url = f"{ROUTINES}/{routine['id']}"
    client.post(
        WORKOUTS,
        json=workout(*set_rows("Barbell Squat", (102.5, 5), (102.5, 4))),
        headers=account.headers,
    )
    draft = client.get(f"{url}/start", headers=account.headers).json()
    assert [(e["weight_kg"], e["reps"]) for e in draft["exercises"]] == [
        (102.5, "5"),
        (102.5, "4"),
        (100, "5"),  # no third set last time: the routine's own values
    ]
    other = make_account()
    assert client.get(url, headers=other.headers).status_code == 404
    assert client.get(f"{url}/start", headers=other.headers).status_code == 404
    assert client.delete(url, headers=other.headers).status_code == 404

    replaced = client.put(
        url,
        json={
            "name": "Legs B",
            "exercises": [{"name": "Lunge", "sets": 2, "reps": "10", "weight_kg": 20}],
        },
        headers=account.headers,
    )
    assert replaced.json()["name"] == "Legs B"
    workout_id = client.get(WORKOUTS, headers=account.headers).json()["workouts"][0]["id"]
    saved = client.post(
        f"{ROUTINES}/from-workout", json={"workout_id": workout_id}, headers=account.headers
    )
    assert saved.status_code == 201
    assert [e["weight_kg"] for e in saved.json()["exercises"]] == [102.5, 102.5]
    theirs = client.post(
        f"{ROUTINES}/from-workout", json={"workout_id": workout_id}, headers=other.headers
    )
    assert theirs.status_code == 404
    names = [r["name"] for r in client.get(ROUTINES, headers=account.headers).json()["routines"]]
    assert sorted(names) == ["Legs B", "Push"]
    assert client.delete(url, headers=account.headers).status_code == 204
    assert client.get(url, headers=account.headers).status_code == 404
    empty = client.post(ROUTINES, json={"name": " ", "exercises": []}, headers=account.headers)
    assert empty.status_code == 422


def test_a_routine_never_done_starts_with_its_own_reps_per_set(client, account):
    made = client.post(
        ROUTINES,
        json={
            "name": "Pyramid",
            "exercises": [{"name": "Deadlift", "sets": 3, "reps": "8,6,4", "weight_kg": 120}],
        },
        headers=account.headers,
    ).json()
    draft = client.get(f"{ROUTINES}/{made['id']}/start", headers=account.headers).json()
    assert [(e["sets"], e["reps"], e["weight_kg"]) for e in draft["exercises"]] == [
        (1, "8", 120),
        (1, "6", 120),
        (1, "4", 120),
    ]


def test_workout_prs_mark_the_exercises_that_beat_every_earlier_session(client, account, session):
    first = workout(
        *set_rows("Barbell Squat", (100, 5)), *set_rows("Row", (60, 8)), day="2026-11-01"
    )
    client.post(WORKOUTS, json=first, headers=account.headers)
    second = workout(
        *set_rows("Barbell Squat", (60, 5), set_type="warmup"),
        *set_rows("Barbell Squat", (105, 5)),
        *set_rows("Row", (60, 8)),
        day="2026-11-08",
    )
    made = client.post(WORKOUTS, json=second, headers=account.headers).json()
    user_id = account.user["id"]
    prs = exercises.workout_prs(session=session, user_id=user_id, workout_id=made["id"])
    assert [(p.name, p.e1rm, p.weight) for p in prs] == [("Barbell Squat", True, True)]
    stored = client.get(f"{WORKOUTS}/{made['id']}", headers=account.headers).json()
    rows = detail_rows(WorkoutPublic.model_validate(stored), prs)
    assert ["PR" in row["extras"] for row in rows] == [False, True, False]
    assert "\u2605 e1RM and weight PR" in rows[1]["extras"]


def test_ids_past_the_integer_range_are_404_or_422_never_500(client, account):
    huge = client.put(
        "/api/v1/exercises/mappings",
        json={"name": "bench", "exercise_id": "custom-99999999999999"},
        headers=account.headers,
    )
    assert huge.status_code == 404
    too_big = client.post(
        f"{ROUTINES}/from-workout", json={"workout_id": 2**40}, headers=account.headers
    )
    assert too_big.status_code == 422
