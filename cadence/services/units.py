"""Units: values are stored in SI (kg, metres, seconds); users see kg or lb and km or mi.

The one place that knows the conversion factors and the plate step of each weight unit.
"""

from __future__ import annotations

from cadence.models.preferences import DistanceUnit, WeightUnit

KG_PER_LB = 0.45359237  # exact, by definition of the international pound
METRES_PER_MILE = 1609.344  # exact, international mile
METRES_PER_KM = 1000.0
PLATE_STEP = {"kg": 2.5, "lb": 5.0}  # the smallest usual jump on a barbell, per unit


def weight_from_kg(kg: float, unit: WeightUnit) -> float:
    """A stored weight in the user's unit."""
    return kg / KG_PER_LB if unit == "lb" else kg


def weight_to_kg(value: float, unit: WeightUnit) -> float:
    """A weight entered in the user's unit, for storage."""
    return value * KG_PER_LB if unit == "lb" else value


def distance_from_m(metres: float, unit: DistanceUnit) -> float:
    """A stored distance in the user's unit (km or mi)."""
    return metres / (METRES_PER_MILE if unit == "mi" else METRES_PER_KM)


def distance_to_m(value: float, unit: DistanceUnit) -> float:
    """A distance entered in km or mi, for storage."""
    return value * (METRES_PER_MILE if unit == "mi" else METRES_PER_KM)
