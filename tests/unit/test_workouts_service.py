"""Workout and exercise-library services against a real database (SQLite or PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError
from sqlmodel import Session

from cadence.models.workout import WorkoutCreate
from cadence.services import auth, exercises, workouts
from cadence.services.errors import InvalidInput, NotFound

PASSWORD = "correct-horse-42"


@pytest.fixture
def users(session: Session) -> tuple[int, int]:
    first = auth.signup(session=session, email="a@example.com", password=PASSWORD, display_name="A")
    second = auth.signup(
        session=session, email="b@example.com", password=PASSWORD, display_name="B"
    )
    session.commit()
    return first.id, second.id


def workout(day: str, *rows: tuple, name: str = "Session", **extra) -> WorkoutCreate:
    """``rows`` are (name, sets, reps, weight_kg[, rpe[, warmup]])."""
    exercises_ = []
    for row in rows:
        entry = {"name": row[0], "sets": row[1], "reps": row[2], "weight_kg": row[3]}
        if len(row) > 4:
            entry["rpe"] = row[4]
        if len(row) > 5:
            entry["warmup"] = row[5]
        exercises_.append(entry)
    return WorkoutCreate.model_validate(
        {"date": day, "workout_name": name, "exercises": exercises_, **extra}
    )


def test_create_and_get_keep_exercise_order(session, users):
    user, _ = users
    created = workouts.create_workout(
        session=session,
        user_id=user,
        data=workout(
            "2026-03-02",
            ("Squat", 5, "5", 100),
            ("Bench Press", 3, "8-10", 70, 8),
            ("Pull-up", 3, "10,8,6", 0),
        ),
    )
    session.commit()
    fetched = workouts.get_workout(session=session, user_id=user, workout_id=created.id)
    assert [e.name for e in fetched.exercises] == ["Squat", "Bench Press", "Pull-up"]
    assert fetched.exercises[1].rpe == 8
    assert fetched.exercises[2].reps == "10,8,6"
    assert fetched == created


def test_update_replaces_everything_and_delete_removes(session, users):
    user, _ = users
    created = workouts.create_workout(
        session=session,
        user_id=user,
        data=workout("2026-03-02", ("Squat", 5, "5", 100), ("Row", 3, "8", 60)),
    )
    replaced = workouts.update_workout(
        session=session,
        user_id=user,
        workout_id=created.id,
        data=workout("2026-03-03", ("Deadlift", 1, "5", 140), name="Pull", duration_minutes=40),
    )
    assert replaced.workout_name == "Pull"
    assert replaced.date == dt.date(2026, 3, 3)
    assert [e.name for e in replaced.exercises] == ["Deadlift"]
    assert replaced.duration_minutes == 40
    assert replaced.updated_at >= created.updated_at
    library = exercises.library(session=session, user_id=user).exercises
    assert [e.name for e in library] == ["Deadlift"]
    workouts.delete_workout(session=session, user_id=user, workout_id=created.id)
    session.commit()
    with pytest.raises(NotFound):
        workouts.get_workout(session=session, user_id=user, workout_id=created.id)
    assert exercises.library(session=session, user_id=user).exercises == []


def test_another_users_workout_is_not_found(session, users):
    owner, other = users
    created = workouts.create_workout(
        session=session, user_id=owner, data=workout("2026-03-02", ("Squat", 5, "5", 100))
    )
    with pytest.raises(NotFound):
        workouts.get_workout(session=session, user_id=other, workout_id=created.id)
    with pytest.raises(NotFound):
        workouts.update_workout(
            session=session,
            user_id=other,
            workout_id=created.id,
            data=workout("2026-03-02", ("Curl", 1, "1", 1)),
        )
    with pytest.raises(NotFound):
        workouts.delete_workout(session=session, user_id=other, workout_id=created.id)
    assert workouts.list_workouts(session=session, user_id=other).total == 0
    assert exercises.library(session=session, user_id=other).exercises == []
    with pytest.raises(NotFound):
        exercises.exercise_history(session=session, user_id=other, name="Squat")
    assert workouts.get_workout(session=session, user_id=owner, workout_id=created.id)


def test_list_is_newest_first_by_date_then_creation_and_pages(session, users):
    user, other = users
    ids = {}
    for label, day in [
        ("a", "2026-01-05"),
        ("b", "2026-01-07"),
        ("c", "2026-01-05"),
        ("d", "2026-01-06"),
        ("e", "2026-01-07"),
    ]:
        ids[label] = workouts.create_workout(
            session=session, user_id=user, data=workout(day, ("Squat", 1, "5", 100), name=label)
        ).id
    workouts.create_workout(
        session=session, user_id=other, data=workout("2026-01-08", ("Squat", 1, "5", 100))
    )
    session.commit()
    every = workouts.list_workouts(session=session, user_id=user, page=1, per_page=100)
    assert [w.workout_name for w in every.workouts] == ["e", "b", "d", "c", "a"]
    assert every.total == 5
    second = workouts.list_workouts(session=session, user_id=user, page=2, per_page=2)
    assert [w.workout_name for w in second.workouts] == ["d", "c"]
    assert (second.page, second.per_page, second.total) == (2, 2, 5)
    last = workouts.list_workouts(session=session, user_id=user, page=3, per_page=2)
    assert [w.workout_name for w in last.workouts] == ["a"]
    past_end = workouts.list_workouts(session=session, user_id=user, page=4, per_page=2)
    assert past_end.workouts == [] and past_end.total == 5
    assert workouts.latest_workout(session=session, user_id=user).id == ids["e"]


@pytest.mark.parametrize(
    ("page", "per_page", "field"), [(0, 20, "page"), (1, 0, "per_page"), (1, 101, "per_page")]
)
def test_list_rejects_bad_paging(session, users, page, per_page, field):
    with pytest.raises(InvalidInput) as raised:
        workouts.list_workouts(session=session, user_id=users[0], page=page, per_page=per_page)
    assert raised.value.field == field


def test_latest_workout_is_none_without_workouts(session, users):
    assert workouts.latest_workout(session=session, user_id=users[0]) is None


def test_schema_rejects_future_dates_and_bad_rows():
    tomorrow = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    assert workout(tomorrow.isoformat(), ("Squat", 1, "5", 100)).date == tomorrow
    with pytest.raises(ValidationError, match="one day from today"):
        workout((tomorrow + dt.timedelta(days=1)).isoformat(), ("Squat", 1, "5", 100))
    with pytest.raises(ValidationError, match="lists 2 values but sets is 3"):
        workout("2026-01-01", ("Squat", 3, "5,5", 100))
    with pytest.raises(ValidationError, match="name must not be blank"):
        workout("2026-01-01", ("   ", 3, "5", 100))


def test_library_merges_names_and_keeps_the_latest_spelling(session, users):
    user, other = users
    workouts.create_workout(
        session=session,
        user_id=user,
        data=workout(
            "2026-02-01",
            ("bench press", 1, "5", 40, None, True),  # warm-up: heavier rows below win anyway
            ("bench press", 3, "5", 80),
        ),
    )
    workouts.create_workout(
        session=session,
        user_id=user,
        data=workout("2026-02-08", ("Bench  Press", 3, "5,5,3", 85), ("Squat", 3, "15", 100)),
    )
    workouts.create_workout(
        session=session,
        user_id=user,
        data=workout("2026-02-04", ("BENCH PRESS", 1, "1", 200, None, True)),  # warm-up only
    )
    workouts.create_workout(
        session=session, user_id=other, data=workout("2026-02-09", ("Bench Press", 1, "1", 300))
    )
    session.commit()
    library = {e.name: e for e in exercises.library(session=session, user_id=user).exercises}
    assert set(library) == {"Bench  Press", "Squat"}
    bench = library["Bench  Press"]
    assert bench.times_logged == 3
    assert bench.last_performed == dt.date(2026, 2, 8)
    assert bench.best_weight_kg == 85  # the 200 kg warm-up does not count
    assert bench.best_e1rm_kg == 99.17  # 85 * (1 + 5/30)
    # volume includes warm-ups: 40*5 + 80*15 + 85*13 + 200*1
    assert bench.total_volume_kg == 200 + 1200 + 1105 + 200
    squat = library["Squat"]
    assert squat.best_e1rm_kg is None  # 15 reps: no estimate
    assert squat.best_weight_kg == 100
    assert squat.total_volume_kg == 4500
    found = exercises.library(session=session, user_id=user, search="bench pr").exercises
    assert [e.name for e in found] == ["Bench  Press"]
    assert exercises.library(session=session, user_id=user, search="100%").exercises == []


def test_history_points_and_prs(session, users):
    user, _ = users
    for day, rows in [
        ("2026-01-01", [("Squat", 1, "5", 60, None, True), ("Squat", 3, "5", 100)]),
        ("2026-01-08", [("squat", 3, "8", 100)]),  # e1RM PR (more reps), same weight
        ("2026-01-15", [("Squat", 1, "1", 120), ("Squat", 3, "5", 100)]),  # weight PR
        ("2026-01-22", [("Squat", 2, "3", 90)]),  # no PR
    ]:
        workouts.create_workout(session=session, user_id=user, data=workout(day, *rows))
    session.commit()
    history = exercises.exercise_history(session=session, user_id=user, name="SQUAT")
    assert history.name == "Squat"
    summary = [
        (
            p.date.isoformat(),
            p.top_weight_kg,
            p.top_reps,
            p.e1rm_kg,
            p.volume_kg,
            p.e1rm_pr,
            p.weight_pr,
        )
        for p in history.points
    ]
    assert summary == [
        ("2026-01-01", 100, 5, 116.67, 60 * 5 + 1500, False, False),
        ("2026-01-08", 100, 8, 126.67, 2400, True, False),
        ("2026-01-15", 120, 1, 120.0, 120 + 1500, False, True),
        ("2026-01-22", 90, 3, 99.0, 540, False, False),
    ]
    with pytest.raises(NotFound):
        exercises.exercise_history(session=session, user_id=user, name="Deadlift")


def test_workout_summaries_compute_session_load(session, users):
    user, _ = users
    workouts.create_workout(
        session=session,
        user_id=user,
        data=workout(
            "2026-04-01", ("Squat", 5, "5", 100, 8), ("Row", 3, "8", 60, 7), duration_minutes=50
        ),
    )
    workouts.create_workout(
        session=session, user_id=user, data=workout("2026-04-03", ("Curl", 4, "10", 15))
    )
    workouts.create_workout(
        session=session, user_id=user, data=workout("2026-05-01", ("Curl", 4, "10", 15))
    )
    session.commit()
    first, second = workouts.workout_summaries(
        session=session, user_id=user, start=dt.date(2026, 4, 1), end=dt.date(2026, 4, 30)
    )
    assert (first.total_sets, first.volume_kg, first.minutes, first.session_rpe, first.load) == (
        8,
        100 * 25 + 60 * 24,
        50,
        7.5,
        375.0,
    )
    assert (second.minutes, second.session_rpe, second.load) == (15, 7.0, 105.0)


def test_external_ids_are_unique_per_user(session, users):
    user, other = users
    data = workout("2026-04-01", ("Squat", 1, "5", 100))
    workouts.create_workout(
        session=session, user_id=user, data=data, source="strong", external_id="strong:1"
    )
    workouts.create_workout(
        session=session, user_id=other, data=data, source="strong", external_id="strong:1"
    )
    session.commit()
    assert workouts.external_ids(session=session, user_id=user, candidates=["strong:1", "x"]) == {
        "strong:1"
    }
    assert workouts.external_ids(session=session, user_id=user, candidates=[]) == set()
