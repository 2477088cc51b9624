"""Health data: one ``DailyMetric`` row per user, day and source, and ``Activity`` rows.

Units follow DESIGN §6: seconds, metres, bpm, kg, percent. HRV is kept in two columns because the
two statistics are not comparable: ``hrv_rmssd_ms`` (Garmin, Whoop, Oura, demo) feeds the HRV
baseline; ``hrv_sdnn_ms`` (Apple Health's SDNN) is stored for display only and never mixed in.

``Activity.hr_histogram`` is the per-activity heart-rate summary for Banister TRIMP: a list of
``[bpm, seconds]`` pairs (integer bpm, seconds spent at that rate, sorted by bpm). Summing
``seconds / 60 * hrr * 0.64 * exp(1.92 * hrr)`` with ``hrr = (bpm - rest) / (max - rest)`` over the
pairs gives the exact TRIMP for any resting/maximum HR chosen later, from at most ~200 pairs per
activity instead of thousands of samples. It is ``null`` when the activity has no HR samples (then
only ``avg_hr`` may be known).
"""

from __future__ import annotations

from datetime import date as date_type
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import JSON, Column, DateTime, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from cadence.models.common import UtcDatetime, timestamp_field

MAX_SOURCE_LENGTH = 32
MAX_EXTERNAL_ID_LENGTH = 200
MAX_SPORT_LENGTH = 64


class MetricValues(SQLModel):
    """The value columns of ``DailyMetric``, shared by ``DailyMetricIn`` and ``MetricDay``."""

    sleep_seconds: int | None = None
    sleep_deep_seconds: int | None = None
    sleep_light_seconds: int | None = None
    sleep_rem_seconds: int | None = None
    sleep_awake_seconds: int | None = None
    sleep_score: float | None = None
    hrv_rmssd_ms: float | None = None
    hrv_sdnn_ms: float | None = None
    resting_hr: float | None = None
    recovery_score: float | None = None
    strain: float | None = None
    steps: int | None = None
    body_battery: float | None = None
    stress_avg: float | None = None
    spo2_pct: float | None = None
    respiratory_rate: float | None = None
    weight_kg: float | None = None


METRIC_FIELDS: tuple[str, ...] = tuple(MetricValues.model_fields)
"""Every value column of ``DailyMetric`` (what ``GET /metrics?fields=`` accepts)."""


class DailyMetric(MetricValues, table=True):
    """What one source reported for one day (the wake-up day for sleep); ``null`` = not reported."""

    __tablename__ = "daily_metric"
    __table_args__ = (
        UniqueConstraint("user_id", "date", "source", name="uq_daily_metric_user_date_source"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    date: date_type
    source: str = Field(max_length=MAX_SOURCE_LENGTH)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class ActivityIn(SQLModel):
    """One activity as providers and importers hand it to ``upsert_activities`` (and the
    columns ``Activity`` stores for it)."""

    source: str = Field(max_length=MAX_SOURCE_LENGTH)
    external_id: str = Field(max_length=MAX_EXTERNAL_ID_LENGTH)
    sport: str = Field(max_length=MAX_SPORT_LENGTH)
    start_time: datetime = Field(sa_type=DateTime(timezone=True))
    duration_s: float
    elapsed_s: float | None = None
    distance_m: float | None = None
    avg_hr: float | None = None
    max_hr: float | None = None
    calories: float | None = None
    elevation_gain_m: float | None = None
    load: float | None = None
    hr_histogram: list[list[float]] | None = Field(default=None, sa_column=Column(JSON))


class Activity(ActivityIn, table=True):
    """One recorded session (a run, a ride, one leg of a triathlon...), unique per external id."""

    __table_args__ = (
        UniqueConstraint("user_id", "source", "external_id", name="uq_activity_user_source_xid"),
        Index("ix_activity_user_start", "user_id", "start_time"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class DailyMetricIn(MetricValues):
    """One day from one source, as providers and importers hand it to ``upsert_daily_metrics``."""

    date: date_type
    source: str


class MetricDay(MetricValues):
    """One merged day of ``GET /metrics``: ``source`` is the highest-priority source of that day,
    ``sources`` every source that contributed a value."""

    date: date_type
    source: str
    sources: list[str]


class MetricsResponse(BaseModel):
    metrics: list[MetricDay]


class ActivityPublic(BaseModel):
    id: int
    source: str
    sport: str
    start_time: UtcDatetime
    duration_s: float
    elapsed_s: float | None
    distance_m: float | None
    avg_hr: float | None
    max_hr: float | None
    calories: float | None
    elevation_gain_m: float | None
    load: float | None


class ActivityPage(BaseModel):
    activities: list[ActivityPublic]
    page: int
    per_page: int
    total: int
