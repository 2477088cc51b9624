"""Reading and changing a user's preferences: time zone, week start, units, sleep need, body.

Every consumer (dashboard, coach tools, MCP, workouts, activities, imports) asks here, so a
user's day and units are decided in one place. A user without a stored row has the defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from cadence.config import get_settings
from cadence.models.common import utcnow
from cadence.models.preferences import (
    DEFAULT_TIMEZONE,
    HeartRateOrigin,
    PreferencesPublic,
    PreferencesUpdate,
    UserPreferences,
)
from cadence.services import metric_buckets
from cadence.services.errors import InvalidInput
from cadence.services.userday import UserDay

SECONDS_PER_HOUR = 3600
DEFAULT_RESTING_HR = 60
DEFAULT_MAX_HR = 190
# Tanaka, Monahan & Seals (2001): max HR = 208 - 0.7 x age, for adults of either sex.
TANAKA_INTERCEPT, TANAKA_SLOPE = 208.0, 0.7
MIN_HR_RESERVE_BPM = 20
DEFAULT_ZONE_SHARES = (0.5, 0.6, 0.7, 0.8, 0.9)
"""Zone 1-5 lower bounds as shares of max HR when the user set no zones (the common 5-zone
split of maximum heart rate)."""


@dataclass(frozen=True)
class HeartRate:
    """A heart rate Cadence computes with, and where it came from."""

    bpm: int
    origin: HeartRateOrigin


def _row(*, session: Session, user_id: int) -> UserPreferences:
    """The stored row, or an unsaved one holding the defaults."""
    return session.get(UserPreferences, user_id) or UserPreferences(user_id=user_id)


def sleep_need_hours(row: UserPreferences) -> float:
    """The user's nightly need, or ``CADENCE_SLEEP_NEED_HOURS`` when not set."""
    if row.sleep_need_seconds is None:
        return get_settings().sleep_need_hours
    return row.sleep_need_seconds / SECONDS_PER_HOUR


def max_heart_rate(row: UserPreferences, *, today: date) -> HeartRate:
    """Entered by the user, else estimated from the birth year (Tanaka), else the default."""
    if row.max_hr is not None:
        return HeartRate(row.max_hr, row.max_hr_origin or "measured")
    if row.birth_year is not None:
        age = max(today.year - row.birth_year, 0)
        return HeartRate(round(TANAKA_INTERCEPT - TANAKA_SLOPE * age), "estimated")
    return HeartRate(DEFAULT_MAX_HR, "default")


def resting_heart_rate(row: UserPreferences) -> HeartRate:
    """Entered by the user, else the default (analytics may estimate it from the data)."""
    if row.resting_hr is not None:
        return HeartRate(row.resting_hr, row.resting_hr_origin or "measured")
    return HeartRate(DEFAULT_RESTING_HR, "default")


def heart_rate_zones(row: UserPreferences, *, today: date) -> tuple[list[int], bool]:
    """Zone 1-5 lower bounds in bpm, and whether they are the user's own (else the default
    split of max HR)."""
    if row.hr_zones:
        return list(row.hr_zones), True
    maximum = max_heart_rate(row, today=today).bpm
    return [round(share * maximum) for share in DEFAULT_ZONE_SHARES], False


def stored(*, session: Session, user_id: int) -> UserPreferences:
    """The user's preferences row (the defaults when none is stored), for reading."""
    return _row(session=session, user_id=user_id)


def is_stored(*, session: Session, user_id: int) -> bool:
    """Whether the user ever saved preferences (the Settings page proposes the browser's time
    zone until they do)."""
    return session.get(UserPreferences, user_id) is not None


def user_day(*, session: Session, user_id: int) -> UserDay:
    """The user's calendar: local days in their zone, weeks from their week start."""
    row = _row(session=session, user_id=user_id)
    return UserDay.of(timezone=row.timezone, week_start=row.week_start)


def get_preferences(*, session: Session, user_id: int) -> PreferencesPublic:
    """Every preference with the defaults filled in."""
    return _to_public(_row(session=session, user_id=user_id))


def update_preferences(
    *, session: Session, user_id: int, changes: PreferencesUpdate
) -> PreferencesPublic:
    """Apply the fields sent (``null`` resets one to its default) and return the result. A new
    time zone re-buckets the daily metrics kept by instant (``metric_buckets.rebucket``)."""
    row = _row(session=session, user_id=user_id)
    zone_before = row.timezone
    sent = changes.model_dump(include=changes.model_fields_set)
    defaults = UserPreferences(user_id=user_id)
    for name in ("timezone", "week_start", "weight_unit", "distance_unit", "sex"):
        if name in sent:
            setattr(row, name, sent[name] if sent[name] is not None else getattr(defaults, name))
    for name in ("birth_year", "hr_zones"):
        if name in sent:
            setattr(row, name, sent[name])
    if "sleep_need_hours" in sent:
        hours = sent["sleep_need_hours"]
        row.sleep_need_seconds = None if hours is None else round(hours * SECONDS_PER_HOUR)
    for name in ("resting_hr", "max_hr"):
        if name in sent:
            setattr(row, name, sent[name])
            origin = sent.get(f"{name}_origin") or "measured"
            setattr(row, f"{name}_origin", None if sent[name] is None else origin)
    _check_heart_rates(row)
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    if row.timezone != zone_before:
        calendar = user_day(session=session, user_id=user_id)
        metric_buckets.rebucket(session=session, user_id=user_id, calendar=calendar)
    return _to_public(row)


def _check_heart_rates(row: UserPreferences) -> None:
    today = user_today(row)
    resting = resting_heart_rate(row).bpm
    maximum = max_heart_rate(row, today=today).bpm
    if maximum - resting < MIN_HR_RESERVE_BPM:
        raise InvalidInput(
            f"Max heart rate ({maximum} bpm) must be at least {MIN_HR_RESERVE_BPM} bpm above "
            f"resting heart rate ({resting} bpm).",
            field="max_hr",
        )
    if row.hr_zones is not None and row.hr_zones[-1] >= maximum:
        raise InvalidInput(
            f"Zone 5 must start below your max heart rate ({maximum} bpm).", field="hr_zones"
        )


def user_today(row: UserPreferences) -> date:
    return UserDay.of(timezone=row.timezone or DEFAULT_TIMEZONE).today()


def _to_public(row: UserPreferences) -> PreferencesPublic:
    resting = resting_heart_rate(row)
    maximum = max_heart_rate(row, today=user_today(row))
    return PreferencesPublic(
        timezone=row.timezone,
        week_start=row.week_start,
        weight_unit=row.weight_unit,
        distance_unit=row.distance_unit,
        sleep_need_hours=round(sleep_need_hours(row), 2),
        sex=row.sex,
        birth_year=row.birth_year,
        resting_hr=resting.bpm,
        resting_hr_origin=resting.origin,
        max_hr=maximum.bpm,
        max_hr_origin=maximum.origin,
        hr_zones=row.hr_zones,
    )
