"""Health data: one ``DailyMetric`` row per user, day and source, and ``Activity`` rows.

Units follow DESIGN §6: seconds, metres, bpm, kg, percent. HRV is kept in two columns because the
two statistics are not comparable: ``hrv_rmssd_ms`` (Garmin, Whoop, Oura, demo) feeds the HRV
baseline; ``hrv_sdnn_ms`` (Apple Health's SDNN) has its own baseline and is never mixed in.

Each activity may also have downsampled streams and laps (``cadence.models.activity``); a
multisport file gives one parent activity (``sport="multisport"``) whose legs point to it with
``parent_id``; a watch-logged strength session links the workout made from its sets
(``workout_id``).

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

from pydantic import BaseModel, model_validator
from pydantic import Field as PydanticField
from sqlalchemy import JSON, Column, DateTime, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from cadence.models.common import UtcDatetime, timestamp_field

MAX_SOURCE_LENGTH = 32
MAX_BUCKET_ORIGIN_LENGTH = 100
MAX_EXTERNAL_ID_LENGTH = 200
MAX_SPORT_LENGTH = 64
TIMESTAMP_ROUNDING_S = 1.0
"""Whole-second timestamps can put a sub-second timer up to this much past the wall clock."""


class MetricValues(SQLModel):
    """The value columns of ``DailyMetric``, shared by ``DailyMetricIn`` and ``MetricDay``."""

    sleep_seconds: int | None = None
    sleep_deep_seconds: int | None = None
    sleep_light_seconds: int | None = None
    sleep_rem_seconds: int | None = None
    sleep_awake_seconds: int | None = None
    sleep_score: float | None = None
    sleep_efficiency_pct: float | None = None
    sleep_latency_seconds: int | None = None
    sleep_avg_hr: float | None = None
    hrv_rmssd_ms: float | None = None
    hrv_sdnn_ms: float | None = None
    resting_hr: float | None = None
    recovery_score: float | None = None
    strain: float | None = None
    steps: int | None = None
    active_kcal: float | None = None
    body_battery: float | None = None
    stress_avg: float | None = None
    stress_high_seconds: int | None = None
    recovery_high_seconds: int | None = None
    spo2_pct: float | None = None
    respiratory_rate: float | None = None
    weight_kg: float | None = None


METRIC_FIELDS: tuple[str, ...] = tuple(MetricValues.model_fields)
"""Every value column of ``DailyMetric`` (what ``GET /metrics?fields=`` accepts)."""
STORED_FIELDS: tuple[str, ...] = (*METRIC_FIELDS, "recovery_contributors")
"""What a day row stores besides its keys: the values and the device's readiness contributors."""


class DailyMetric(MetricValues, table=True):
    """What one source reported for one day (the wake-up day for sleep); ``null`` = not reported.

    ``recovery_contributors`` are the parts of the device's own ``recovery_score`` as it names
    them (Oura's readiness contributors, 0-100 each); shown beside the score, never merged.
    """

    __tablename__ = "daily_metric"
    __table_args__ = (
        UniqueConstraint("user_id", "date", "source", name="uq_daily_metric_user_date_source"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    date: date_type
    source: str = Field(max_length=MAX_SOURCE_LENGTH)
    recovery_contributors: dict[str, float] | None = Field(default=None, sa_column=Column(JSON))
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

    @model_validator(mode="after")
    def _consistent(self) -> ActivityIn:
        """Rules every source obeys: moving time never exceeds elapsed time (a timer that runs
        past the wall clock is read as stopped at the wall clock; within a second, the wall
        clock is the one rounded to whole seconds, so it moves up), and a total of 0 kcal is
        "not recorded", not a session that burned nothing."""
        if self.elapsed_s is not None and self.duration_s > self.elapsed_s:
            if self.duration_s - self.elapsed_s <= TIMESTAMP_ROUNDING_S:
                self.elapsed_s = self.duration_s
            else:
                self.duration_s = self.elapsed_s
        if self.calories is not None and self.calories <= 0:
            self.calories = None
        return self


class Activity(ActivityIn, table=True):
    """One recorded session (a run, a ride, one leg of a triathlon...), unique per external id."""

    __table_args__ = (
        UniqueConstraint("user_id", "source", "external_id", name="uq_activity_user_source_xid"),
        Index("ix_activity_user_start", "user_id", "start_time"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    parent_id: int | None = Field(
        default=None, foreign_key="activity.id", ondelete="CASCADE", index=True
    )
    workout_id: int | None = Field(default=None, foreign_key="workout.id", ondelete="SET NULL")
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class DailyMetricIn(MetricValues):
    """One day from one source, as providers and importers hand it to ``upsert_daily_metrics``."""

    date: date_type
    source: str
    recovery_contributors: dict[str, float] | None = None


class MetricDay(MetricValues):
    """One merged day of ``GET /metrics``: ``source`` is the highest-priority source of that day,
    ``sources`` every source that contributed a value."""

    date: date_type
    source: str
    sources: list[str]


class MetricsResponse(BaseModel):
    metrics: list[MetricDay]


class ActivityPublic(BaseModel):
    """One session of the timeline (``GET /activities``): the copy Cadence keeps of it, and
    every source that recorded it (a Garmin sync and the FIT uploaded by hand are one session).

    ``load`` is Cadence's training load of the session (Banister TRIMP from its heart rate, the
    figure the dashboard sums); ``device_load`` is the recording device's own figure (Garmin's
    training load, TSS, Strava's relative effort), shown for reference.
    """

    id: int
    source: str
    sources: list[str] = PydanticField(
        default_factory=list, description="Every source that recorded this session."
    )
    sport: str
    start_time: UtcDatetime
    duration_s: float = PydanticField(description="Moving (timer) time, never above elapsed_s.")
    elapsed_s: float | None
    distance_m: float | None
    avg_hr: float | None
    max_hr: float | None
    calories: float | None
    elevation_gain_m: float | None
    load: float | None = PydanticField(description="Cadence's TRIMP of the session.")
    device_load: float | None = PydanticField(
        default=None, description="The device's own load figure, when it gave one."
    )
    leg_count: int = PydanticField(default=0, description="Legs of a multisport session.")
    workout_id: int | None = PydanticField(
        default=None, description="The strength workout made from the sets a watch recorded."
    )


class ActivityPage(BaseModel):
    activities: list[ActivityPublic]
    page: int
    per_page: int
    total: int


class MetricBucket(SQLModel, table=True):
    """A quarter hour of one per-sample field from one recording device (Apple Health's
    ``sourceName``), kept by its UTC instant: the source's daily rows are derived from these in
    the user's time zone, so changing the zone re-buckets them (``services.metric_buckets``).

    ``name`` is ``mean:<field>`` (total and count of the samples), ``steps``, ``weight_kg`` or
    ``sleep:<part>`` (seconds; a sleep segment is kept at the quarter hour it ends in)."""

    __tablename__ = "metric_bucket"
    __table_args__ = (
        UniqueConstraint(
            "user_id", "source", "origin", "name", "start", name="uq_metric_bucket_key"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    source: str = Field(max_length=MAX_SOURCE_LENGTH)
    origin: str = Field(max_length=MAX_BUCKET_ORIGIN_LENGTH)
    name: str = Field(max_length=40)
    start: datetime = Field(sa_type=DateTime(timezone=True))
    total: float
    count: int
