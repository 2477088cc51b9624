"""Typed results of the coach's tools: each tool returns its own model as ``ToolResult.data``, and
what the LLM, MCP and the checker get is its ``model_dump(mode="json")`` (``ToolResult.payload``).
The recovery and load results embed the dashboard's own view models (``SleepOut``, ``HrvNow``,
``ReadinessOut``, ``TrainingLoadNow``), so a number the coach states is the dashboard's number,
with its classification and its age. Chart specs are ``ChartSpec``."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from cadence.models.activity import ActivityDetail
from cadence.models.dashboard import (
    FlagOut,
    HrvNow,
    ReadinessOut,
    SleepOut,
    TodayMetric,
    TrainingLoadOut,
    WeekStats,
)
from cadence.models.workout import ExercisePublic


class Night(BaseModel):
    date: dt.date = Field(description="The morning the night ended on (the user's local day).")
    hours: float
    score: float | None = None
    age_days: int = Field(description="Days between `date` and the user's today.")


class SleepHistoryOut(BaseModel):
    """``get_sleep_history``: the nights of the last ``days`` days and the dashboard's debt."""

    days: int
    nights: int
    last_night: Night | None = None
    avg_hours: float | None = None
    min_hours: float | None = None
    max_hours: float | None = None
    need_hours: float
    debt_hours: float | None = Field(default=None, description="= `debt.debt_hours`, rounded.")
    debt: SleepOut


class HrvReading(BaseModel):
    date: dt.date
    ms: float
    age_days: int


class HrvTrendOut(BaseModel):
    """``get_hrv_trend``: the latest reading and the dashboard's HRV verdict (``now``)."""

    days: int
    readings: int
    latest: HrvReading | None = None
    avg_ms: float | None = None
    now: HrvNow | None = None


class DailyBriefOut(BaseModel):
    """``get_daily_brief``: the dashboard's own figures for today (the load without its series)."""

    date: dt.date
    readiness: ReadinessOut
    tiles: list[TodayMetric]
    sleep: SleepOut
    hrv: HrvNow
    training_load: TrainingLoadOut
    flags: list[FlagOut]


class WeekView(WeekStats):
    """A week of ``get_weekly_summary``: the dashboard's figures, plus the distance and the
    strength volume in the user's units."""

    distance: float = Field(description="`distance_m` in `distance_unit`, 1 decimal.")
    volume_load: float = Field(description="`volume_load_kg` in `weight_unit`, whole units.")


class WeeklySummaryOut(BaseModel):
    """``get_weekly_summary``: this week so far against the whole of last week."""

    this_week: WeekView
    last_week: WeekView
    distance_unit: Literal["km", "mi"]
    weight_unit: Literal["kg", "lb"]


class NoReadiness(BaseModel):
    """``get_readiness`` before any recovery data."""

    status: Literal["no_data"] = "no_data"


class ActivitiesOut(BaseModel):
    """``get_activities``: the count, time and distance, and the latest sessions in words."""

    count: int
    minutes: int | None = None
    distance_km: float | None = None
    recent: list[str] = Field(default_factory=list)


class ActivityFound(ActivityDetail):
    """``get_activity``: the session (without ``streams`` unless asked for)."""

    found: Literal[True] = True


class NoActivity(BaseModel):
    found: Literal[False] = False


class DatedValue(BaseModel):
    date: dt.date
    value: float


class FieldStats(BaseModel):
    """One daily field over a range; only ``days`` when it has no reading."""

    days: int
    first: DatedValue | None = None
    last: DatedValue | None = None
    change: float | None = None
    mean: float | None = None
    min: float | None = None
    max: float | None = None
    values: list[DatedValue] = Field(default_factory=list)


class MetricsOut(BaseModel):
    """``get_metrics``: per field, its statistics over ``start``-``end``."""

    start: dt.date
    end: dt.date
    fields: dict[str, FieldStats] = Field(default_factory=dict)


class LatestWorkout(BaseModel):
    date: dt.date
    name: str
    exercises: list[ExercisePublic]


class WorkoutsOut(BaseModel):
    """``list_workouts``: how many, the latest with every exercise, the latest few in words."""

    total: int
    latest: LatestWorkout | None = None
    lines: list[str] = Field(default_factory=list)


class TopLift(BaseModel):
    name: str
    best_e1rm_kg: float | None
    best_weight_kg: float | None


class StrengthHistoryOut(BaseModel):
    """``get_strength_history``: sessions, sets, volume, Foster's session-RPE load, best lifts."""

    sessions: int
    sets: int | None = None
    volume_kg: int | None = None
    load: int | None = None
    top_lifts: list[TopLift] = Field(default_factory=list)


class BestE1rm(BaseModel):
    kg: float
    date: dt.date


class BestWeight(BaseModel):
    kg: float
    reps: int | None
    date: dt.date


class LastSession(BaseModel):
    date: dt.date
    top_weight_kg: float | None
    top_reps: int | None
    e1rm_kg: float | None


class ExerciseProgressOut(BaseModel):
    """``get_exercise_progress``: one exercise's bests, last session, PRs and e1RM change."""

    name: str
    sessions: int
    best_e1rm: BestE1rm | None
    best_weight: BestWeight | None
    last: LastSession
    prs: int
    e1rm_change_kg: float | None = None


class LoggedWorkout(BaseModel):
    """``log_workout``: the workout saved (or found saved already: ``repeated``)."""

    workout_id: int
    line: str
    href: str
    repeated: bool


class CoachingProfile(BaseModel):
    profile: str


class ChartPoints(BaseModel):
    """``render_chart``: how many points the chart shows (the chart itself is ``ChartSpec``)."""

    points: int


class ChartSeries(BaseModel):
    key: str
    label: str
    unit: str


class ChartSpec(BaseModel):
    """A chart in the chat (DESIGN §4): ``data`` rows keyed by ``x`` and each series' ``key``."""

    id: str
    kind: Literal["line", "bar"]
    title: str
    x: str = "date"
    series: list[ChartSeries]
    data: list[dict[str, float | str | None]]
