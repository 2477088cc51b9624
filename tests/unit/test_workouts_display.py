"""Display helpers of the workouts and library states: what the pages show, in words."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from cadence.display import number
from cadence.models.workout import (
    ExerciseHistory,
    ExercisePublic,
    HistoryPoint,
    LibraryExercise,
    WorkoutCreate,
    WorkoutPublic,
)
from cadence.states.exercises import chart_points, library_row, pr_lines
from cadence.states.workouts import detail_rows, error_lines, list_item

NOW = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)


def workout(*exercises: ExercisePublic) -> WorkoutPublic:
    return WorkoutPublic(
        id=7,
        date=dt.date(2026, 11, 28),
        workout_name="Upper A",
        notes="",
        exercises=list(exercises),
        created_at=NOW,
        updated_at=NOW,
    )


def test_number_formats_without_trailing_zeros():
    assert [number(80.0), number(82.5), number(1440.0), number(93.333)] == [
        "80",
        "82.5",
        "1,440",
        "93.33",
    ]


def test_list_item_and_detail_rows():
    shown = workout(
        ExercisePublic(name="Bench Press", sets=1, reps="10", weight_kg=40, warmup=True),
        ExercisePublic(name="Bench Press", sets=3, reps="5,5,3", weight_kg=80, rpe=8.5),
        ExercisePublic(name="Dip", sets=3, reps="15", weight_kg=0),
    )
    item = list_item(shown)
    assert item["summary"] == "2 exercises \u00b7 7 sets \u00b7 1,440 kg"  # 400 + 1040 + 0
    assert item["exercises"] == "Bench Press, Dip"
    assert item["date"] == "Sat 28 Nov 2026"
    assert item["href"] == "/workouts/view?id=7"
    warmup, working, dip = detail_rows(shown)
    assert warmup["name"] == "Bench Press (warm-up)"
    assert warmup["extras"] == "volume 400 kg"  # no e1RM for a warm-up
    assert working["sets"] == "3 \u00d7 5,5,3 @ 80 kg"
    assert working["extras"] == "volume 1,040 kg \u00b7 e1RM 93.5 kg \u00b7 RPE 8.5"
    assert dip["sets"] == "3 \u00d7 15 @ bodyweight"
    assert dip["href"] == "/exercises?name=Dip"


def test_error_lines_name_the_exercise_and_field():
    with pytest.raises(ValidationError) as raised:
        WorkoutCreate.model_validate(
            {
                "date": "2026-11-28",
                "workout_name": "A",
                "exercises": [
                    {"name": "Squat", "sets": 3, "reps": "5", "weight_kg": 100},
                    {"name": "Row", "sets": 0, "reps": "abc", "weight_kg": 60},
                ],
            }
        )
    assert error_lines(raised.value) == [
        "Exercise 2 sets: Input should be greater than or equal to 1",
        "Exercise 2 reps: reps 'abc' is not a number, a range like '8-10' or a list like '5,5,3'",
    ]


def test_library_row_and_chart_points_with_prs():
    entry = LibraryExercise(
        name="Squat",
        times_logged=3,
        last_performed=dt.date(2026, 11, 20),
        best_weight_kg=120,
        best_e1rm_kg=140,
        total_volume_kg=12345.5,
    )
    assert library_row(entry) == {
        "name": "Squat",
        "times": "3\u00d7 \u00b7 last 20 Nov 2026",
        "best": "120 kg",
        "e1rm": "140 kg",
        "volume": "12,345.5 kg",
    }
    history = ExerciseHistory(
        name="Squat",
        points=[
            HistoryPoint(date=dt.date(2026, 11, 1), workout_id=1, top_weight_kg=100, top_reps=5,
                         e1rm_kg=116.67, volume_kg=1500, e1rm_pr=False, weight_pr=False),
            HistoryPoint(date=dt.date(2026, 11, 8), workout_id=2, top_weight_kg=120, top_reps=5,
                         e1rm_kg=140.0, volume_kg=1800, e1rm_pr=True, weight_pr=True),
        ],
    )  # fmt: skip
    assert chart_points(history) == [
        {"date": "1 Nov 26", "e1rm": 116.67, "volume": 1500, "pr": None},
        {"date": "8 Nov 26", "e1rm": 140.0, "volume": 1800, "pr": 140.0},
    ]
    assert pr_lines(history) == [
        "8 Nov 2026: e1RM and weight PR \u2014 top set 120 kg \u00d7 5, e1RM 140 kg"
    ]


def test_display_rules_plurals_and_lifter_rounding() -> None:
    from cadence.display import e1rm, plural

    assert plural(1, "exercise") == "1 exercise" and plural(3, "exercise") == "3 exercises"
    assert plural(1200, "set") == "1,200 sets"
    assert e1rm(125.42) == "125.5" and e1rm(125.2) == "125" and e1rm(93.33) == "93.5"
    one = list_item(workout(ExercisePublic(name="Squat", sets=1, reps="5", weight_kg=100)))
    assert one["summary"].startswith("1 exercise \u00b7 1 set \u00b7")
