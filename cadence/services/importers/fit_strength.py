"""Strength sets a Garmin watch records in a FIT file (``set`` messages) as a Cadence workout.

Each active set with repetitions becomes a set of the workout (rest sets and timed holds without
reps are left out); consecutive sets of one exercise at one weight share an exercise row
(``reps`` ``"10,8,8"``). Garmin names the exercise by category (``bench_press``, ``squat``...):
``EXERCISE_NAMES`` turns each category into the plain name a catalogue or a Strong/Hevy import
uses, so the same lift groups together in the library and PRs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import groupby

from cadence.models.workout import (
    MAX_DURATION_MINUTES,
    MAX_EXERCISES,
    MAX_REPS_VALUE,
    MAX_WEIGHT_KG,
    ExerciseEntry,
    WorkoutCreate,
)

UNKNOWN_EXERCISE = "Strength exercise"
EXERCISE_NAMES: dict[str, str] = {
    "bench_press": "Bench Press",
    "calf_raise": "Calf Raise",
    "carry": "Farmer's Walk",
    "chop": "Wood Chop",
    "core": "Core",
    "crunch": "Crunch",
    "curl": "Biceps Curl",
    "deadlift": "Deadlift",
    "flye": "Chest Fly",
    "hip_raise": "Glute Bridge",
    "hip_stability": "Hip Stability",
    "hip_swing": "Kettlebell Swing",
    "hyperextension": "Back Extension",
    "lateral_raise": "Lateral Raise",
    "leg_curl": "Leg Curl",
    "leg_raise": "Leg Raise",
    "lunge": "Lunge",
    "olympic_lift": "Olympic Lift",
    "plank": "Plank",
    "plyo": "Plyometrics",
    "pull_up": "Pull Up",
    "push_up": "Push Up",
    "row": "Row",
    "shoulder_press": "Shoulder Press",
    "shoulder_stability": "Shoulder Stability",
    "shrug": "Shrug",
    "sit_up": "Sit Up",
    "squat": "Squat",
    "total_body": "Total Body",
    "triceps_extension": "Triceps Extension",
    "warm_up": "Warm Up",
}
"""Garmin's ``exercise_category`` values (FIT profile) → exercise names; other categories are
title-cased (``battle_rope`` → ``Battle Rope``)."""


@dataclass(frozen=True)
class WatchSet:
    """One active set as the watch recorded it."""

    exercise: str
    reps: int
    weight_kg: float


def exercise_name(category: object) -> str:
    """The exercise name of a ``set`` message's ``category`` (a tuple of names, or one)."""
    first = category[0] if isinstance(category, tuple) and category else category
    if not isinstance(first, str) or first == "unknown":
        return UNKNOWN_EXERCISE
    return EXERCISE_NAMES.get(first, first.replace("_", " ").title())


def watch_set(values: dict) -> WatchSet | None:
    """A ``set`` message's fields as a set, or ``None`` for a rest or a set without reps."""
    reps = values.get("repetitions")
    if values.get("set_type") == "rest" or not isinstance(reps, int) or reps < 1:
        return None
    weight = values.get("weight")
    kg = float(weight) if isinstance(weight, int | float) and 0 <= weight <= MAX_WEIGHT_KG else 0.0
    return WatchSet(
        exercise=exercise_name(values.get("category")),
        reps=min(reps, MAX_REPS_VALUE),
        weight_kg=kg,
    )


def workout_from_sets(
    sets: list[WatchSet], *, day: date, name: str, minutes: float | None
) -> WorkoutCreate | None:
    """The workout of a session's sets (``None`` when it has none)."""
    if not sets:
        return None
    rows: list[ExerciseEntry] = []
    for (exercise, weight), group in groupby(
        sets, key=lambda s: (s.exercise, round(s.weight_kg, 2))
    ):
        reps = [s.reps for s in group]
        rows.append(
            ExerciseEntry(
                name=exercise,
                sets=len(reps),
                reps=str(reps[0]) if len(set(reps)) == 1 else ",".join(map(str, reps)),
                weight_kg=weight,
                warmup=exercise == EXERCISE_NAMES["warm_up"],
            )
        )
    duration = round(minutes) if minutes else None
    return WorkoutCreate(
        date=day,
        workout_name=name,
        notes="Sets recorded by the watch (FIT file).",
        exercises=rows[:MAX_EXERCISES],
        duration_minutes=min(max(duration, 1), MAX_DURATION_MINUTES) if duration else None,
    )
