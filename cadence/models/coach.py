"""Typed results of the coach's recovery tools (``ToolResult.data`` is their ``model_dump(mode=
"json")``). They embed the dashboard's own view models (``SleepOut``, ``HrvNow``), so a number the
coach states is the dashboard's number, with its classification and its age."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from cadence.models.dashboard import (
    FlagOut,
    HrvNow,
    ReadinessOut,
    SleepOut,
    TodayMetric,
    TrainingLoadOut,
    WeekStats,
)


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
