"""Response schemas of ``GET /dashboard`` and ``/analytics/*`` (DESIGN §6).

Every number carries its unit in its field name (``_ms``, ``_bpm``, ``_hours``, ``_m``, ``_kg``,
``_pct``) or in its OpenAPI description. Training load is in arbitrary units (AU): Banister TRIMP
for activities plus session-RPE x minutes for strength workouts. Dates are the user's local days.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from cadence.models.common import UtcDatetime
from cadence.models.device import DevicePublic
from cadence.models.health import MetricDay

AU = "Training load in arbitrary units (AU): TRIMP for activities + session-RPE x minutes."


class Contributor(BaseModel):
    key: Literal["hrv", "resting_hr", "sleep", "sleep_debt", "training_load"]
    label: str
    value: float | None = Field(description="The input's value in `unit`; null when missing.")
    unit: str = Field(description="`ms`, `bpm`, `h` (hours) or `ratio`.")
    score: float | None = Field(description="This input's own score, 0-100; null when missing.")
    weight: float = Field(
        description="Share of the readiness score, 0-1 (weights of the inputs with data sum to 1)."
    )
    detail: str = Field(description="One line in words: value against baseline or need.")
    reference: float | None = Field(
        default=None, description="What `value` is compared with: baseline, 60-day mean or need."
    )
    change: float | None = Field(
        default=None, description="`value` against `reference`: HRV in %, resting HR in bpm."
    )
    nights: int | None = Field(default=None, description="Sleep debt: recorded nights covered.")


class DeviceContributor(BaseModel):
    """One part of a device's own score (e.g. Oura's ``hrv_balance``), 0-100 as it reports it."""

    name: str = Field(description="In words, e.g. 'HRV balance'.")
    value: float = Field(description="0-100, as the device reports it.")


class DeviceScore(BaseModel):
    """A device's own score for the day, shown beside Cadence's and labelled."""

    label: str = Field(description="e.g. 'Whoop recovery'.")
    value: float = Field(description="0-100, as the device reports it.")
    source: str
    contributors: list[DeviceContributor] = Field(
        default_factory=list,
        description="The parts of the device's score as it names them (Oura), if it sends any.",
    )


class ReadinessOut(BaseModel):
    date: dt.date = Field(
        description="The day scored (dashboard: the latest day with sleep, HRV or resting HR)."
    )
    status: Literal["ok", "insufficient_data", "no_data"]
    score: int | None = Field(description="0-100; null unless status is `ok`.")
    color: Literal["green", "yellow", "red"] | None = Field(
        description="green >= 67, yellow 34-66, red <= 33."
    )
    why: str = Field(description="One line explaining the score.")
    days_of_data: int = Field(description="Days with any daily metric in the 60 days up to date.")
    days_required: int = Field(description="Days with data readiness needs (14).")
    age_days: int = Field(
        default=0, description="Days between `date` and the user's today (0: today's data)."
    )
    contributors: list[Contributor]
    device_score: DeviceScore | None


class TodayMetric(BaseModel):
    """The latest value of one metric with its baseline."""

    key: str = Field(description="The /metrics field name, e.g. `hrv_rmssd_ms`.")
    label: str
    unit: str = Field(description="Display unit of `value`, `baseline` and `delta`.")
    value: float = Field(description="In `unit` (sleep is converted from seconds to hours).")
    date: dt.date = Field(description="The day of the value (the latest day reporting it).")
    age_days: int = Field(default=0, description="Days between `date` and the user's today.")
    source: str = Field(description="The source that reported the value (source priority).")
    baseline: float | None = Field(description="Mean of the 60 days up to `date`, in `unit`.")
    delta: float | None = Field(description="value - baseline, in `unit`.")
    delta_pct: float | None = Field(description="delta as a percentage of the baseline.")


class TodayOut(BaseModel):
    metrics: list[TodayMetric] = Field(description="Only metrics reported in the last 90 days.")


class HrvPoint(BaseModel):
    date: dt.date
    hrv_rmssd_ms: float | None = Field(description="That night's rMSSD; null when missing.")
    hrv_sdnn_ms: float | None = Field(
        default=None, description="That night's SDNN (Apple Health); null when missing."
    )
    hrv_7d_ms: float | None = Field(description="exp(mean ln HRV over 7 days), of `metric`.")
    band_low_ms: float | None = Field(description="exp(60-day mean - 0.5 SD) of ln HRV.")
    band_high_ms: float | None = Field(description="exp(60-day mean + 0.5 SD) of ln HRV.")


class HrvNow(BaseModel):
    """HRV on one day, classified: the figures are rounded to 0.1 ms and ``status`` is decided
    on the rounded figures, so what is shown never contradicts the verdict."""

    metric: Literal["rmssd", "sdnn"] = Field(
        default="rmssd", description="rMSSD (most devices) or SDNN (Apple Health), never mixed."
    )
    as_of: dt.date | None = Field(default=None, description="The day the 7 days end on.")
    age_days: int = Field(default=0, description="Days between `as_of` and the user's today.")
    status: Literal["below", "within", "above"] | None = Field(
        description="7-day mean against the 60-day smallest-worthwhile-change band (mean +- "
        "0.5 SD of daily ln HRV); null without a baseline."
    )
    color: Literal["green", "yellow", "red"] | None = Field(
        default=None,
        description="within or above: green; below: yellow; below and flagged: red; null "
        "without a baseline.",
    )
    hrv_7d_ms: float | None = Field(description="exp(mean ln HRV over 7 days).")
    baseline_ms: float | None = Field(description="exp(60-day mean of ln HRV).")
    band_low_ms: float | None = Field(default=None, description="exp(60-day mean - 0.5 SD).")
    band_high_ms: float | None = Field(default=None, description="exp(60-day mean + 0.5 SD).")
    days_below: int = Field(
        default=0, description="Consecutive days up to `as_of` the 7-day mean was below the band."
    )
    flagged: bool = Field(default=False, description="Below the band 5 or more days running.")


class HrvOut(HrvNow):
    series: list[HrvPoint] = Field(description="The last 30 days.")


class SleepOut(BaseModel):
    need_hours: float
    debt_hours: float | None = Field(description="Net shortfall over the last 7 nights.")
    nights_counted: int = Field(description="Nights with data among the last 7.")
    nights_window: int = Field(default=7, description="Nights the debt looks at (7).")
    debt_flagged: bool = Field(default=False, description="Debt above the 2 h flag (red).")
    as_of: dt.date | None = Field(
        default=None, description="The morning the 7 nights end on (the latest recovery day)."
    )
    age_days: int = Field(default=0, description="Days between `as_of` and the user's today.")


class LoadPointOut(BaseModel):
    date: dt.date
    load: float = Field(description=AU)
    fitness: float = Field(description="EWMA of load, k = 1 - e^(-1/42) (AU).")
    fatigue: float = Field(description="EWMA of load, k = 1 - e^(-1/7) (AU).")
    form: float = Field(description="Yesterday's fitness - yesterday's fatigue (AU).")
    acwr: float | None = Field(
        description="EWMA acute (N=7) / chronic (N=28) load; null when chronic load is 0."
    )
    acwr_status: Literal["ok", "warming_up", "no_chronic_load", "no_data"]


class TrainingLoadNow(BaseModel):
    """The load figures of one day (``get_training_load``); ``TrainingLoadOut`` adds the series."""

    date: dt.date
    load: float = Field(description=AU)
    fitness: float = Field(description="AU (see series).")
    fatigue: float = Field(description="AU (see series).")
    form: float = Field(description="AU (see series).")
    acwr: float | None = Field(description="Acute:chronic ratio today (see series).")
    acwr_status: Literal["ok", "warming_up", "no_chronic_load", "no_data"]
    acwr_zone: Literal["low", "ok", "high"] | None = Field(
        default=None, description="Below 0.8, 0.8-1.3 or above 1.3; null unless status is `ok`."
    )
    acwr_color: Literal["green", "yellow", "red"] | None = Field(
        default=None, description="ok: green, low: yellow, high: red."
    )
    warmup_days_left: int = Field(description="Days until ACWR is trusted (28 after the first).")
    monotony: float | None = Field(description="Mean / SD of the last 7 daily loads.")
    week_load: float = Field(description="Sum of the last 7 daily loads (AU).")


class TrainingLoadOut(TrainingLoadNow):
    series: list[LoadPointOut] = Field(description="Oldest first, one point per day.")


class RecentItem(BaseModel):
    kind: Literal["activity", "workout"]
    id: int
    date: dt.date
    title: str
    source: str
    duration_min: float | None
    distance_m: float | None = None
    avg_hr_bpm: float | None = None
    volume_kg: float | None = Field(default=None, description="Workouts: sets x reps x weight.")
    load: float | None = Field(description=AU + " Null for an activity without heart rate.")


class WeekStats(BaseModel):
    start: dt.date = Field(description="First day of the week (the user's week start).")
    end: dt.date = Field(description="The last day counted (today for this week).")
    days: int = Field(default=7, description="Days counted: under 7 for this week so far.")
    so_far: bool = Field(default=False, description="True while the week is not over.")
    sessions: int = Field(description="Activities + workouts.")
    minutes: float = Field(description="Session minutes (activity timer time, workout length).")
    distance_m: float
    volume_load_kg: float = Field(description="Strength volume: sets x reps x weight.")
    load: float = Field(description=AU)
    avg_sleep_hours: float | None = Field(description="Mean over nights with data.")
    avg_hrv_ms: float | None = Field(description="Mean rMSSD over days with data.")


class WeeklyStats(BaseModel):
    this_week: WeekStats
    last_week: WeekStats


class FlagOut(BaseModel):
    code: Literal["hrv_low", "sleep_debt", "acwr_high", "monotony_high"]
    severity: Literal["info", "warning", "critical"]
    message: str


class DashboardResponse(BaseModel):
    """DESIGN §6's payload plus the series the dashboard charts draw (`hrv`, `sleep`)."""

    generated_at: UtcDatetime
    date: dt.date = Field(description="Today on the user's calendar (their time zone).")
    timezone: str = Field(default="UTC", description="The IANA zone the days are counted in.")
    weight_unit: Literal["kg", "lb"] = Field(
        default="kg", description="The user's unit: the weight tile is in it; `*_kg` stay kg."
    )
    distance_unit: Literal["km", "mi"] = Field(
        default="km", description="The user's unit for showing `distance_m` (stored in metres)."
    )
    devices: list[DevicePublic]
    readiness: ReadinessOut
    today: TodayOut
    daily_metrics: list[MetricDay] = Field(description="The last 30 days, merged as /metrics.")
    training_load: TrainingLoadOut
    hrv: HrvOut
    sleep: SleepOut
    recent_activities: list[RecentItem] = Field(description="Newest first, at most 10.")
    weekly_stats: WeeklyStats
    flags: list[FlagOut]
    explanations: dict[str, str] = Field(description="'How is this computed', per number.")
