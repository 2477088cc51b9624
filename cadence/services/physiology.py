"""The heart rates and TRIMP curve a user's training load is computed with, decided once.

The dashboard's load model, an activity's page, the coach and MCP all ask here, so a session has
one TRIMP everywhere:

- resting HR: the user's own (Settings), else the mean of the last 60 days of resting HR their
  devices reported (``measured``), else 60 bpm (``default``);
- max HR: the user's own, else estimated from the birth year (Tanaka), else 190 bpm. Never "the
  highest HR ever seen": one 215 bpm artefact would re-weight every past session;
- the curve: Banister's coefficients for the user's sex (``analytics.TRIMP_CURVES``).

Changing any of them changes every cached TRIMP's key (``dashboard._activity_loads``), and the
preferences route enqueues a recomputation.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from cadence.models.preferences import UserPreferences
from cadence.services import analytics, metrics, preferences
from cadence.services.preferences import HeartRate


@dataclass(frozen=True)
class Physiology:
    """What a TRIMP needs, with where each heart rate came from."""

    resting: HeartRate
    maximum: HeartRate
    sex: str

    @property
    def curve(self) -> analytics.TrimpCurve:
        return analytics.TRIMP_CURVES.get(self.sex, analytics.TRIMP_MALE)

    def describe(self) -> str:
        """The heart rates in words, e.g. "resting HR 52 bpm (measured), max HR 185 bpm
        (estimated)"."""
        return (
            f"resting HR {self.resting.bpm} bpm ({self.resting.origin}), "
            f"max HR {self.maximum.bpm} bpm ({self.maximum.origin})"
        )


def resting_from_series(row: UserPreferences, resting: dict[date, float], *, on: date) -> HeartRate:
    """The user's resting HR, else the mean of the 60 days of device readings up to ``on``."""
    if row.resting_hr is not None:
        return preferences.resting_heart_rate(row)
    values = analytics.window(resting, end=on, days=analytics.BASELINE_DAYS)
    if values:
        return HeartRate(round(statistics.fmean(values)), "measured")
    return preferences.resting_heart_rate(row)


def of_user(
    *,
    session: Session,
    user_id: int,
    on: date,
    resting_series: dict[date, float] | None = None,
) -> Physiology:
    """The user's physiology as of ``on`` (their today). ``resting_series`` spares the read of
    the 60 days of resting HR when the caller already holds them."""
    row = preferences.stored(session=session, user_id=user_id)
    if resting_series is None and row.resting_hr is None:
        days = metrics.get_daily_metrics(
            session=session,
            user_id=user_id,
            start=on - timedelta(days=analytics.BASELINE_DAYS - 1),
            end=on,
        )
        resting_series = {d.date: float(d.resting_hr) for d in days if d.resting_hr is not None}
    return Physiology(
        resting=resting_from_series(row, resting_series or {}, on=on),
        maximum=preferences.max_heart_rate(row, today=on),
        sex=row.sex,
    )
