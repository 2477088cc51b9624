"""The request mix ``bench/load.py`` and ``bench/profile_mix.py`` share."""

from __future__ import annotations

MIX = {"dashboard": 3, "list_workouts": 3, "log_workout": 2}
"""Each kind of request and its weight (chat is left out: its pacing is a design choice)."""


def workout_body(n: int) -> dict:
    """The workout the ``n``-th logging request sends."""
    return {
        "date": "2026-11-28",
        "workout_name": f"Load session {n}",
        "exercises": [
            {"name": "Squat", "sets": 5, "reps": "5", "weight_kg": 100},
            {"name": "Bench Press", "sets": 3, "reps": "8-10", "weight_kg": 70},
            {"name": "Barbell Row", "sets": 3, "reps": "10", "weight_kg": 60, "rpe": 8},
        ],
    }
