"""Strong and Hevy CSV import at the service level, against the fixtures in tests/fixtures/csv."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlmodel import Session

from cadence.services import auth, exercises, workouts
from cadence.services.importers.strength_csv import HevyCsvImporter, StrongCsvImporter

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "csv"
STRONG, HEVY = StrongCsvImporter(), HevyCsvImporter()


@pytest.fixture
def user_id(session: Session) -> int:
    user = auth.signup(
        session=session, email="lifter@example.com", password="correct-horse-42", display_name="L"
    )
    session.commit()
    return user.id


def run(importer, session, user_id, name: str, *, dry_run: bool = False, raw: bytes | None = None):
    data = raw if raw is not None else (FIXTURES / name).read_bytes()
    result = importer.run(
        session=session, user_id=user_id, filename=name, stream=io.BytesIO(data), dry_run=dry_run
    )
    session.commit()
    return result


def exercises_of(workout) -> list[tuple]:
    return [(e.name, e.sets, e.reps, e.weight_kg, e.rpe, e.warmup) for e in workout.exercises]


def all_workouts(session, user_id):
    return workouts.list_workouts(session=session, user_id=user_id, per_page=100).workouts


def test_matches_by_extension_and_header():
    strong_head = (FIXTURES / "strong_kg.csv").read_bytes()[:4096]
    legacy_head = (FIXTURES / "strong_lbs_legacy.csv").read_bytes()[:4096]
    hevy_head = (FIXTURES / "hevy_lbs.csv").read_bytes()[:4096]
    assert STRONG.matches(filename="strong_kg.csv", head=strong_head)
    assert STRONG.matches(filename="EXPORT.CSV", head=legacy_head)
    assert not STRONG.matches(filename="hevy.csv", head=hevy_head)
    assert HEVY.matches(filename="workouts.csv", head=hevy_head)
    assert not HEVY.matches(filename="strong.csv", head=strong_head)
    assert not STRONG.matches(filename="strong.txt", head=strong_head)
    assert not HEVY.matches(filename="other.csv", head=b"date,steps\n2026-01-01,1000\n")


def test_strong_current_layout(session, user_id):
    result = run(STRONG, session, user_id, "strong_kg.csv")
    assert result.errors == ["strong_kg.csv line 9: weight 'abc' is not a number"]
    assert result.counts == {"workouts": 2, "sets": 10, "skipped_rows": 4}
    legs, push = all_workouts(session, user_id)
    assert (push.date.isoformat(), push.workout_name, push.duration_minutes, push.notes) == (
        "2026-11-20",
        "Push Day",
        65,
        "Good session",
    )
    assert exercises_of(push) == [
        ("Bench Press (Barbell)", 1, "10", 40.0, None, True),
        ("Bench Press (Barbell)", 3, "5,5,3", 80.0, 9.0, False),
        ("Overhead Press (Barbell)", 1, "8", 45.0, None, False),
        ("Overhead Press (Barbell)", 1, "10", 35.0, None, False),  # drop set: a working set
    ]
    assert exercises_of(legs) == [
        ("Squat (Barbell)", 1, "5", 60.0, None, True),
        ("Squat (Barbell)", 2, "5", 120.0, None, False),
        ("Squat (Barbell)", 1, "3", 125.0, None, False),
    ]
    library = {e.name: e for e in exercises.library(session=session, user_id=user_id).exercises}
    assert library["Squat (Barbell)"].best_e1rm_kg == 140.0  # 120 x 5
    assert library["Squat (Barbell)"].total_volume_kg == 60 * 5 + 120 * 10 + 125 * 3


def test_strong_older_layout_in_pounds(session, user_id):
    result = run(STRONG, session, user_id, "strong_lbs_legacy.csv")
    assert result.errors == []
    (workout,) = all_workouts(session, user_id)
    assert workout.duration_minutes == 62
    assert exercises_of(workout) == [
        ("Deadlift (Barbell)", 1, "5", 61.23, None, False),  # 135 lb
        ("Deadlift (Barbell)", 2, "5,4", 142.88, None, False),  # 315 lb
        ("Barbell Row", 1, "8", 84.14, 7.0, False),  # 185,5 lb (decimal comma)
    ]


def test_hevy_in_pounds_with_warmups_and_a_bad_line(session, user_id):
    result = run(HEVY, session, user_id, "hevy_lbs.csv")
    assert result.errors == [
        "hevy_lbs.csv line 7: set_type 'superset' is not normal, warmup, dropset or failure"
    ]
    assert result.counts == {"workouts": 1, "sets": 5, "skipped_rows": 2}
    (workout,) = all_workouts(session, user_id)
    assert (workout.date.isoformat(), workout.duration_minutes, workout.notes) == (
        "2026-11-21",
        66,
        "Felt strong",
    )
    assert exercises_of(workout) == [
        ("Bench Press (Barbell)", 1, "10", 43.09, None, True),  # 95 lb warm-up
        ("Bench Press (Barbell)", 2, "5", 83.91, 8.5, False),  # 185 lb
        ("Pull Up", 2, "8,6", 0.0, None, False),  # normal + failure, bodyweight
    ]
    history = exercises.exercise_history(
        session=session, user_id=user_id, name="bench press (barbell)"
    )
    assert history.points[0].top_weight_kg == 83.91  # the warm-up is not the top set


def test_hevy_in_kg(session, user_id):
    result = run(HEVY, session, user_id, "hevy_kg.csv")
    assert result.errors == []
    assert result.counts == {"workouts": 2, "sets": 7}
    push, legs = all_workouts(session, user_id)
    assert legs.duration_minutes == 55 and push.duration_minutes == 60
    assert exercises_of(legs)[1] == ("Squat (Barbell)", 3, "5,5,4", 110.0, 9.0, False)
    assert exercises_of(push) == [("Bench Press (Barbell)", 1, "5", 82.5, None, False)]


def test_reimport_adds_nothing(session, user_id):
    run(STRONG, session, user_id, "strong_kg.csv")
    again = run(STRONG, session, user_id, "strong_kg.csv")
    assert again.counts == {"duplicates": 2, "skipped_rows": 4}
    assert len(all_workouts(session, user_id)) == 2
    run(HEVY, session, user_id, "hevy_kg.csv")
    assert run(HEVY, session, user_id, "hevy_kg.csv").counts == {"duplicates": 2}
    assert len(all_workouts(session, user_id)) == 4


def test_dry_run_previews_without_storing(session, user_id):
    preview = run(STRONG, session, user_id, "strong_kg.csv", dry_run=True)
    assert preview.counts == {"workouts": 2, "sets": 10, "skipped_rows": 4}
    assert preview.preview == [
        {
            "kind": "strong_csv",
            "date": "2026-11-20",
            "workout_name": "Push Day",
            "exercises": 2,
            "sets": 6,
            "duplicate": False,
        },
        {
            "kind": "strong_csv",
            "date": "2026-11-22",
            "workout_name": "Legs",
            "exercises": 1,
            "sets": 4,
            "duplicate": False,
        },
    ]
    assert all_workouts(session, user_id) == []
    run(STRONG, session, user_id, "strong_kg.csv")
    second = run(STRONG, session, user_id, "strong_kg.csv", dry_run=True)
    assert [p["duplicate"] for p in second.preview] == [True, True]
    assert second.counts["duplicates"] == 2


def test_same_file_for_two_users(session, user_id):
    other = auth.signup(
        session=session, email="other@example.com", password="correct-horse-42", display_name="O"
    )
    session.commit()
    run(HEVY, session, user_id, "hevy_kg.csv")
    assert run(HEVY, session, other.id, "hevy_kg.csv").counts["workouts"] == 2
    assert len(all_workouts(session, other.id)) == 2


def test_unreadable_files_are_explained(session, user_id):
    latin1 = (
        b"Date,Workout Name,Exercise Name,Set Order,Weight,Reps\n"
        + "2026-01-01 10:00:00,Jambes,Presse \xe0 cuisses,1,100,10\n".encode("latin-1")
    )
    result = run(STRONG, session, user_id, "strong.csv", raw=latin1)
    assert result.errors == ["strong.csv: not UTF-8 text; export the CSV again from the app."]
    missing = run(HEVY, session, user_id, "hevy.csv", raw=b"title,exercise_title,set_type\n")
    assert missing.errors == ["hevy.csv: missing column(s) start_time, reps, weight_kg."]
    assert all_workouts(session, user_id) == []


def test_workout_breaking_a_rule_is_reported_and_skipped(session, user_id):
    raw = (
        b"Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,"
        b"Workout Notes,RPE\n"
        b"2099-01-01 10:00:00,Future,1h,Squat,1,100,5,0,0,,,\n"
        b"2026-01-01 10:00:00,Past,45m,Squat,1,100,5,0,0,,,\n"
        b"2026-01-02 10:00:00,Bad,45m,Squat,1,100,five,0,0,,,\n"
        b"2026-01-03 10:00:00,Bad date,45m,Squat,1,100,5,0,0,,,\n"
    ).replace(b"2026-01-03 10:00:00", b"03/01/2026 10:00")
    result = run(STRONG, session, user_id, "strong.csv", raw=raw)
    assert result.errors[0].startswith("strong.csv line 4: reps 'five' is not a number")
    assert result.errors[1].startswith(
        "strong.csv: workout 'Future' started 2099-01-01 10:00:00: date"
    )
    assert len(result.errors) == 2  # 03/01/2026 is a US date now read (python-dateutil)
    stored = sorted((w.workout_name, w.date.isoformat()) for w in all_workouts(session, user_id))
    assert stored == [("Bad date", "2026-03-01"), ("Past", "2026-01-01")]
