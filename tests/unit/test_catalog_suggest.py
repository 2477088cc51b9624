"""The catalogue match suggested for an imported or typed name (``catalog.suggest``)."""

from __future__ import annotations

import pytest

from cadence.services.catalog import suggest


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Bench Press (Barbell)", "Barbell Bench Press - Medium Grip"),  # Strong
        ("bench press", "Barbell Bench Press - Medium Grip"),  # typed
        ("Overhead Press (Barbell)", "Barbell Shoulder Press"),  # Strong, not a bench press
        ("Military Press", "Barbell Shoulder Press"),
        ("Overhead Press (Dumbbell)", "Dumbbell Shoulder Press"),
        ("Squat (Barbell)", "Barbell Squat"),
    ],
)
def test_the_first_suggestion_is_the_same_lift(name: str, expected: str) -> None:
    assert suggest(name)[0].name == expected
