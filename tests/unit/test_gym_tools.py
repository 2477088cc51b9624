"""The coach's gym-mode tools through the shared registry, on a real database."""

from __future__ import annotations

import datetime as dt

from cadence.services.chat.tools import execute_tool

WORKOUT = {
    "date": "2026-11-20",
    "workout_name": "Legs",
    "exercises": [{"name": "Romanian Deadlift", "sets": 3, "reps": "8", "weight_kg": 90}],
}


def run(account, name: str, **arguments):
    return execute_tool(
        user_id=account.user["id"], today=dt.date(2026, 11, 21), name=name, arguments=arguments
    )


def test_catalog_search_answers_hamstrings_from_catalogue_and_history(client, account):
    client.post("/api/v1/workouts", json=WORKOUT, headers=account.headers)
    result = run(account, "search_exercise_catalog", query="romanian deadlift", muscle="hamstrings")
    assert result.ok, result.summary
    assert "Romanian Deadlift" in result.summary
    assert "last done 2026-11-20, top set 90 kg" in result.summary
    none = run(account, "search_exercise_catalog", query="no such lift anywhere")
    assert none.summary == "No catalogue exercise matches."


def test_routines_are_listed_and_started_with_last_values(client, account):
    assert "No routines yet" in run(account, "list_routines").summary
    routine = client.post(
        "/api/v1/routines",
        json={"name": "Legs", "exercises": WORKOUT["exercises"]},
        headers=account.headers,
    ).json()
    assert f"#{routine['id']} Legs: Romanian Deadlift" in run(account, "list_routines").summary
    started = run(account, "start_workout_from_routine", routine_id=routine["id"])
    assert started.data["link"] == f"/workouts/log?routine={routine['id']}"
    assert started.data["sets"] == 3
    missing = run(account, "start_workout_from_routine", routine_id=routine["id"] + 99)
    assert not missing.ok


def test_update_and_delete_run_only_when_confirmed(client, account, make_account):
    made = client.post("/api/v1/workouts", json=WORKOUT, headers=account.headers).json()
    rows = [{"name": "Romanian Deadlift", "sets": 3, "reps": "8", "weight_kg": 95}]
    asked = run(account, "update_workout", workout_id=made["id"], exercises=rows)
    assert asked.data["needs_confirmation"] is True
    url = f"/api/v1/workouts/{made['id']}"
    assert client.get(url, headers=account.headers).json()["exercises"][0]["weight_kg"] == 90
    done = run(account, "update_workout", workout_id=made["id"], exercises=rows, confirmed=True)
    assert done.ok, done.summary
    assert client.get(url, headers=account.headers).json()["exercises"][0]["weight_kg"] == 95

    other = make_account()
    theirs = run(other, "delete_workout", workout_id=made["id"], confirmed=True)
    assert not theirs.ok
    assert run(account, "delete_workout", workout_id=made["id"]).data["needs_confirmation"]
    assert client.get(url, headers=account.headers).status_code == 200
    assert run(account, "delete_workout", workout_id=made["id"], confirmed=True).data["deleted"]
    assert client.get(url, headers=account.headers).status_code == 404
