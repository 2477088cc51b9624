"""Activity figures in words, in the user's units: one formatting for the pages, the coach and
MCP (``1:52:03``, ``5:18 /km``, ``21.10 km``, ``24.3 km/h``)."""

from __future__ import annotations

import math

from cadence.models.health import ActivityPublic
from cadence.models.preferences import DistanceUnit
from cadence.services.activities import sport_family
from cadence.services.units import METRES_PER_KM, METRES_PER_MILE, distance_from_m

PACE_FAMILIES = ("running", "walking")
"""Sports shown as pace (time per km/mi); the others as speed."""
SPORT_LABELS = {"multisport": "Multisport", "other": "Activity"}
SPEED_UNITS = {"km": "km/h", "mi": "mph"}


def sport_label(sport: str) -> str:
    """``trail_running`` → ``Trail running``."""
    return SPORT_LABELS.get(sport, sport.replace("_", " ").capitalize())


def uses_pace(sport: str) -> bool:
    return sport_family(sport) in PACE_FAMILIES


def clock(seconds: float | None) -> str:
    """``3723`` → ``1:02:03``; under an hour ``42:05``."""
    if seconds is None or not math.isfinite(seconds):
        return "—"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def distance_text(metres: float | None, unit: DistanceUnit) -> str:
    if metres is None:
        return "—"
    return f"{distance_from_m(metres, unit):.2f} {unit}"


def unit_metres(unit: DistanceUnit) -> float:
    return METRES_PER_MILE if unit == "mi" else METRES_PER_KM


def pace_text(seconds_per_unit: float | None, unit: DistanceUnit) -> str:
    if seconds_per_unit is None or seconds_per_unit <= 0:
        return "—"
    return f"{clock(seconds_per_unit)} /{unit}"


def speed_text(metres_per_second: float | None, unit: DistanceUnit) -> str:
    if metres_per_second is None:
        return "—"
    per_hour = metres_per_second * 3600 / unit_metres(unit)
    return f"{per_hour:.1f} {SPEED_UNITS[unit]}"


def pace_or_speed(
    *, sport: str, distance_m: float | None, seconds: float | None, unit: DistanceUnit
) -> str:
    """Average pace (running, walking) or speed (the rest) over a distance and a time."""
    if not distance_m or not seconds:
        return "—"
    if uses_pace(sport):
        return pace_text(seconds / distance_m * unit_metres(unit), unit)
    return speed_text(distance_m / seconds, unit)


def totals(activity: ActivityPublic, unit: DistanceUnit) -> list[tuple[str, str]]:
    """The session's totals as (label, value) pairs, in the order the pages show them."""
    rows = [("Moving time", clock(activity.duration_s))]
    if activity.elapsed_s:
        rows.append(("Elapsed", clock(activity.elapsed_s)))
    if activity.distance_m:
        rows.append(("Distance", distance_text(activity.distance_m, unit)))
        pace = pace_or_speed(
            sport=activity.sport,
            distance_m=activity.distance_m,
            seconds=activity.duration_s,
            unit=unit,
        )
        rows.append(("Avg pace" if uses_pace(activity.sport) else "Avg speed", pace))
    if activity.avg_hr:
        rows.append(("Avg HR", f"{activity.avg_hr:.0f} bpm"))
    if activity.max_hr:
        rows.append(("Max HR", f"{activity.max_hr:.0f} bpm"))
    if activity.elevation_gain_m is not None:
        rows.append(("Climb", f"{activity.elevation_gain_m:.0f} m"))
    if activity.calories:
        rows.append(("Calories", f"{activity.calories:.0f} kcal"))
    rows.append(("Load", f"{activity.load:.0f}" if activity.load is not None else "—"))
    return rows
