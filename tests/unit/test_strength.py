"""Strength arithmetic: the reps rule, Epley e1RM, volume load, PRs and session load."""

from __future__ import annotations

import pytest

from cadence.models.workout import exercise_name_key, normalize_reps, reps_per_set
from cadence.services import strength
from cadence.services.strength import SessionBest


@pytest.mark.parametrize(
    ("reps", "sets", "expected"),
    [
        ("8", 3, [8, 8, 8]),
        ("8-10", 3, [8, 8, 8]),  # a range counts by its lower bound
        ("5,5,3", 3, [5, 5, 3]),
        (" 5, 5 ,3 ", 3, [5, 5, 3]),
        ("8\u201310", 2, [8, 8]),  # en dash typed on a phone
        ("8-10,8-10,6", 3, [8, 8, 6]),
        ("1", 1, [1]),
    ],
)
def test_reps_per_set_follows_the_documented_rule(reps: str, sets: int, expected: list[int]):
    assert reps_per_set(reps, sets) == expected


@pytest.mark.parametrize(
    ("reps", "sets", "message"),
    [
        ("abc", 1, "not a number"),
        ("", 1, "must not be empty"),
        ("0", 1, "between 1 and 999"),
        ("10-8", 1, "goes down"),
        ("5,5", 3, "lists 2 values but sets is 3"),
        ("5,,5", 2, "not a number"),
        ("8x", 1, "not a number"),
    ],
)
def test_invalid_reps_are_explained(reps: str, sets: int, message: str):
    with pytest.raises(ValueError, match=message):
        reps_per_set(reps, sets)


def test_normalize_reps_is_the_stored_form():
    assert normalize_reps(" 8 \u2013 10 ") == "8-10"


@pytest.mark.parametrize(
    ("weight", "reps", "expected"),
    [
        (100.0, 5, 116.67),  # 100 * (1 + 5/30)
        (100.0, 10, 133.33),
        (60.0, 12, 84.0),  # the last rep count with an estimate
        (140.0, 1, 140.0),  # a single is the 1RM itself
        (100.0, 13, None),  # none above 12 reps
        (0.0, 5, None),  # bodyweight: no estimate
    ],
)
def test_epley(weight: float, reps: int, expected: float | None):
    assert strength.epley(weight, reps) == expected


def test_row_stats_volume_and_best_set():
    stats = strength.row_stats(sets=3, reps="5,5,3", weight_kg=80.0)
    assert stats.total_reps == 13
    assert stats.top_reps == 5
    assert stats.volume_kg == 1040.0  # 80 * 13
    assert stats.e1rm_kg == 93.33  # best set: 80 x 5


def test_row_stats_best_e1rm_skips_sets_above_twelve_reps():
    stats = strength.row_stats(sets=2, reps="15,10", weight_kg=50.0)
    assert stats.e1rm_kg == 66.67  # only the 10-rep set has an estimate
    assert strength.row_stats(sets=3, reps="15", weight_kg=50.0).e1rm_kg is None
    assert strength.row_stats(sets=3, reps="15", weight_kg=50.0).volume_kg == 2250.0


def test_detect_prs_marks_strict_improvements_after_the_baseline():
    sessions = [
        SessionBest(e1rm_kg=None, top_weight_kg=None),  # only warm-ups: nothing to compare
        SessionBest(e1rm_kg=100.0, top_weight_kg=90.0),  # baseline
        SessionBest(e1rm_kg=105.0, top_weight_kg=90.0),  # e1RM PR, equal weight is no PR
        SessionBest(e1rm_kg=104.0, top_weight_kg=95.0),  # weight PR only
        SessionBest(e1rm_kg=105.0, top_weight_kg=95.0),  # ties are not PRs
        SessionBest(e1rm_kg=110.0, top_weight_kg=100.0),  # both
    ]
    flags = [(f.e1rm, f.weight) for f in strength.detect_prs(sessions)]
    assert flags == [
        (False, False),
        (False, False),
        (True, False),
        (False, True),
        (False, False),
        (True, True),
    ]


def test_session_load_defaults():
    assert strength.session_minutes(duration_minutes=50, total_sets=10) == 50
    assert strength.session_minutes(duration_minutes=None, total_sets=10) == 30  # 3 min per set
    assert strength.session_minutes(duration_minutes=None, total_sets=1) == 15  # lower bound
    assert strength.session_minutes(duration_minutes=None, total_sets=100) == 120  # upper bound
    assert strength.session_rpe(None) == 7.0
    assert strength.session_rpe(8.25) == 8.25
    assert strength.session_load(rpe=7.0, minutes=30) == 210.0


def test_exercise_name_key_ignores_case_and_spaces():
    assert exercise_name_key("Bench  Press") == exercise_name_key("bench press") == "benchpress"
    assert exercise_name_key(" BENCH\tPRESS ") == "benchpress"
    assert exercise_name_key("Squat") != exercise_name_key("Front Squat")
