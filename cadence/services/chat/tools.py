"""The coach's tools (DESIGN §5): typed functions over the services, each returning a compact,
factual summary that says when data is missing. ``TOOLS`` is the one registry (the chat agent,
the offline coach and any other protocol serve the same definitions)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import statistics
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import Field

from cadence import routes
from cadence.db import session_scope
from cadence.display import signed
from cadence.models.activity import ActivityDetail
from cadence.models.coach import (
    ActivitiesOut,
    ActivityFound,
    BestE1rm,
    BestWeight,
    ChartPoints,
    ChartSeries,
    ChartSpec,
    CoachingProfile,
    DailyBriefOut,
    DatedValue,
    ExerciseProgressOut,
    FieldStats,
    HrvReading,
    HrvTrendOut,
    LastSession,
    LatestWorkout,
    LoggedWorkout,
    MetricsOut,
    Night,
    NoActivity,
    NoReadiness,
    SleepHistoryOut,
    StrengthHistoryOut,
    TopLift,
    WeeklySummaryOut,
    WeekView,
    WorkoutsOut,
)
from cadence.models.dashboard import HrvNow, SleepOut, TrainingLoadNow, WeekStats
from cadence.models.health import METRIC_FIELDS, MetricDay
from cadence.models.workout import ExerciseEntry, WorkoutCreate
from cadence.services import (
    activities,
    analytics,
    dashboard,
    exercises,
    metrics,
    preferences,
    units,
    users,
    workouts,
)
from cadence.services import activity_text as text
from cadence.services.chat.registry import ToolContext, ToolEffect, ToolRegistry, ToolResult
from cadence.services.userday import age_words

TOOLS = ToolRegistry()

Days = Annotated[int, Field(ge=1, le=90, description="How many days back from today.")]
NO_DEVICE_HINT = "Connect a device or import files on the Devices page (or load demo data)."
NO_WORKOUT_HINT = "Log a workout on the Workouts page or ask me to log one."
MAX_LISTED = 30
"""Laps and splits named in a summary (the rest are in the data)."""


def execute_tool(
    *, user_id: int, today: dt.date | None, name: str, arguments: dict[str, Any] | str
) -> ToolResult:
    """Run one tool in its own transaction (committed when it succeeds); ``today`` defaults to
    the user's today in their time zone."""
    with session_scope() as session:
        today = today or preferences.user_day(session=session, user_id=user_id).today()
        return TOOLS.call(
            name, arguments, ToolContext(session=session, user_id=user_id, today=today)
        )


# --- helpers ------------------------------------------------------------------------------------


def _days(ctx: ToolContext, days: int) -> list[MetricDay]:
    start = ctx.today - dt.timedelta(days=days - 1)
    return metrics.get_daily_metrics(
        session=ctx.session, user_id=ctx.user_id, start=start, end=ctx.today
    )


def _series(rows: list[MetricDay], field: str) -> dict[dt.date, float]:
    return {r.date: float(v) for r in rows if (v := getattr(r, field)) is not None}


def _hours(seconds: float) -> float:
    return round(seconds / 3600, 1)


def _fmt(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


# --- recovery -----------------------------------------------------------------------------------


def _need_hours(ctx: ToolContext) -> float:
    return preferences.sleep_need_hours(
        preferences.stored(session=ctx.session, user_id=ctx.user_id)
    )


def _recovery_day(ctx: ToolContext) -> dt.date:
    return dashboard.recovery_day(session=ctx.session, user_id=ctx.user_id, today=ctx.today)


@TOOLS.register
def get_sleep_history(ctx: ToolContext, *, days: Days = 7) -> ToolResult:
    """Sleep per night over the last `days` days: last night, average, range, sleep score and the
    7-night sleep debt against the sleep need (the dashboard's, with how old it is)."""
    day = _recovery_day(ctx)
    first = min(ctx.today - dt.timedelta(days=days - 1), day - dt.timedelta(days=6))
    rows = _days(ctx, (ctx.today - first).days + 1)
    sleep = _series(rows, "sleep_seconds")
    need = _need_hours(ctx)
    debt = dashboard.sleep_out(sleep, need_hours=need, day=day, today=ctx.today)
    period = {d: s for d, s in sleep.items() if d > ctx.today - dt.timedelta(days=days)}
    out = SleepHistoryOut(
        days=days,
        nights=len(period),
        need_hours=need,
        debt_hours=_round1(debt.debt_hours),
        debt=debt,
    )
    if not sleep:
        return ToolResult(
            summary=f"No sleep data in the last {days} days. {NO_DEVICE_HINT}",
            data=out,
        )
    scores = _series(rows, "sleep_score")
    last_day = max(sleep)  # in the period when it has nights; else stated with its age
    out.last_night = Night(
        date=last_day,
        hours=_hours(sleep[last_day]),
        score=scores.get(last_day),
        age_days=(ctx.today - last_day).days,
    )
    if not period:
        summary = (
            f"No sleep recorded in the last {days} days. {_night_label(out.last_night)}: "
            f"{out.last_night.hours} h. {debt_sentence(debt)}"
        )
        return ToolResult(summary=summary, data=out)
    hours = [_hours(s) for s in period.values()]
    out.avg_hours = round(statistics.fmean(hours), 1)
    out.min_hours, out.max_hours = min(hours), max(hours)
    score = f", sleep score {scores[last_day]:.0f}" if last_day in scores else ""
    summary = (
        f"{_night_label(out.last_night)}: {out.last_night.hours} h{score}. "
        f"Last {days} days: {len(period)} nights recorded, average {out.avg_hours} h "
        f"(range {out.min_hours}-{out.max_hours} h)."
    )
    summary += " " + debt_sentence(debt)
    return ToolResult(summary=summary, data=out)


def _round1(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _night_label(night: Night) -> str:
    """ "Last night (2026-03-02)", or the latest night with its age when it is not last night."""
    if night.age_days == 0:
        return f"Last night ({night.date.isoformat()})"
    return f"Latest night recorded ({night.date.isoformat()}, {age_words(night.age_days)})"


def debt_sentence(debt: SleepOut) -> str:
    """The dashboard's sleep debt in words: its nights, its need, its flag and its age."""
    if debt.debt_hours is None:
        return f"No nights recorded in the {debt.nights_window} nights for a sleep debt."
    as_of = "" if debt.age_days == 0 else f" (as of {age_words(debt.age_days)})"
    flag = f", above the {analytics.SLEEP_DEBT_FLAG_HOURS:g} h flag" if debt.debt_flagged else ""
    return (
        f"Sleep debt {debt.debt_hours:.1f} h over {debt.nights_counted} of the last "
        f"{debt.nights_window} nights{as_of}, against a {debt.need_hours:g} h need{flag}."
    )


@TOOLS.register
def get_hrv_trend(ctx: ToolContext, *, days: Days = 14) -> ToolResult:
    """Overnight HRV (rMSSD in ms, or Apple Health's SDNN with its own baseline): latest
    reading, 7-day mean against the 60-day normal band (the dashboard's) and the flag."""
    day = _recovery_day(ctx)
    first = min(ctx.today - dt.timedelta(days=days - 1), day - dt.timedelta(days=59))
    rows = _days(ctx, (ctx.today - first).days + 1)
    both = {field: _series(rows, field) for field in dashboard.HRV_FIELDS.values()}
    metric, hrv = dashboard.hrv_series(both, on=day)
    name = analytics.HRV_LABELS[metric]
    recent = {d: v for d, v in hrv.items() if d > ctx.today - dt.timedelta(days=days)}
    out = HrvTrendOut(days=days, readings=len(recent))
    if not recent:
        return ToolResult(
            summary=f"No HRV readings in the last {days} days. {NO_DEVICE_HINT}",
            data=out,
        )
    latest_day = max(recent)
    out.latest = HrvReading(
        date=latest_day, ms=round(recent[latest_day], 1), age_days=(ctx.today - latest_day).days
    )
    out.avg_ms = round(statistics.fmean(recent.values()), 1)
    out.now = now = dashboard.hrv_now(hrv, on=day, today=ctx.today, metric=metric)
    summary = (
        f"{name} latest {out.latest.ms:.1f} ms ({latest_day.isoformat()}, "
        f"{age_words(out.latest.age_days)}); {days}-day average {out.avg_ms:.1f} ms over "
        f"{len(recent)} readings."
    )
    return ToolResult(summary=f"{summary} {hrv_sentence(now)}", data=out)


HRV_COLOR_WORDS = {
    "green": "green",
    "yellow": "yellow: lower than usual",
    "red": "red: flagged",
}
"""Each HRV colour (``analytics.HrvVerdict.color``) in words."""


def hrv_sentence(now: HrvNow) -> str:
    """The dashboard's HRV verdict in words, with the figures and colour it was decided on."""
    own = " (SDNN, its own baseline: not comparable with rMSSD)" if now.metric == "sdnn" else ""
    if now.status is None or now.color is None:
        return (
            f"Not enough readings for a {analytics.BASELINE_DAYS}-day baseline yet (needs "
            f"{analytics.MIN_BASELINE_VALUES}){own}."
        )
    as_of = "" if now.age_days == 0 else f", as of {age_words(now.age_days)}"
    sentence = (
        f"7-day mean {now.hrv_7d_ms:.1f} ms vs {analytics.BASELINE_DAYS}-day baseline "
        f"{now.baseline_ms:.1f} ms (normal range {now.band_low_ms:.1f}-{now.band_high_ms:.1f} ms"
        f"{as_of}): {now.status} the normal range, {HRV_COLOR_WORDS[now.color]}{own}."
    )
    if now.days_below:
        sentence += (
            f" Below it {now.days_below} day(s) in a row (flagged from {analytics.HRV_LOW_DAYS})."
        )
    return sentence


@TOOLS.register
def get_readiness(ctx: ToolContext) -> ToolResult:
    """Today's readiness score (0-100, green/yellow/red) with every contributor (HRV, resting
    HR, sleep, sleep debt, training load), its value, weight and why."""
    day = dashboard.latest_metric_day(
        session=ctx.session, user_id=ctx.user_id, on_or_before=ctx.today
    )
    if day is None:
        return ToolResult(
            summary=f"No recovery data yet, so no readiness score. {NO_DEVICE_HINT}",
            data=NoReadiness(),
        )
    result = dashboard.readiness_on(
        session=ctx.session, user_id=ctx.user_id, day=day, today=ctx.today
    )
    when = (
        "today"
        if result.age_days == 0
        else f"on {day.isoformat()} ({age_words(result.age_days)}, the latest day with data)"
    )
    if result.status != "ok":
        summary = f"Readiness {when}: not scored. {result.why}"
    else:
        summary = f"Readiness {when}: {result.score}/100 ({result.color}). {result.why}"
    parts = [
        f"{c.label} {c.detail}"
        + (f" (score {c.score:.0f}, weight {c.weight:.0%})" if c.score is not None else "")
        for c in result.contributors
    ]
    summary += " Contributors: " + "; ".join(parts) + "."
    if result.device_score is not None:
        summary += f" {result.device_score.label}: {result.device_score.value:.0f}."
    return ToolResult(summary=summary, data=result)


@TOOLS.register
def get_training_load(
    ctx: ToolContext,
    *,
    days: Annotated[int, Field(ge=7, le=365, description="Days of history to consider.")] = 42,
) -> ToolResult:
    """Training load: today's Fitness, Fatigue and Form (EWMA of daily load), the
    acute:chronic workload ratio (ACWR) and the last 7 days' load and monotony."""
    load = dashboard.training_load(
        session=ctx.session, user_id=ctx.user_id, today=ctx.today, days=days
    )
    data = TrainingLoadNow(**load.model_dump(exclude={"series"}))
    if load.acwr_status == "no_data":
        return ToolResult(
            summary=f"No training recorded yet, so no training load. {NO_WORKOUT_HINT}",
            data=data,
        )
    summary = (
        f"Training load on {load.date.isoformat()}: Fitness {load.fitness:.1f}, "
        f"Fatigue {load.fatigue:.1f}, Form {signed(load.form, 1)}; last 7 days load "
        f"{load.week_load:.0f} AU (monotony {_fmt(load.monotony, 2)})."
    )
    if load.acwr_zone is not None and load.acwr is not None:
        summary += f" ACWR {load.acwr:.2f} ({ACWR_ZONE_WORDS[load.acwr_zone]})."
    elif load.acwr_status == "warming_up":
        summary += f" ACWR is warming up ({load.warmup_days_left} more days needed)."
    else:
        summary += " ACWR: no chronic load yet."
    return ToolResult(summary=summary, data=data)


ACWR_ZONE_WORDS = {
    "high": f"above {analytics.ACWR_FLAG}: a risky jump",
    "low": f"below {analytics.ACWR_LOW}: detraining",
    "ok": f"in the {analytics.ACWR_LOW}-{analytics.ACWR_FLAG} range",
}
"""Each ACWR zone (``analytics.acwr_zone``) in words."""


@TOOLS.register
def get_weekly_summary(ctx: ToolContext) -> ToolResult:
    """This week so far (from the user's week start to today) against the whole of last week:
    sessions, minutes, distance, strength volume, load, average sleep and HRV."""
    history = dashboard.load_history(
        session=ctx.session,
        user_id=ctx.user_id,
        end=ctx.today,
        metrics_from=ctx.today - dt.timedelta(days=13),
        load_from=ctx.today - dt.timedelta(days=13),
        today=ctx.today,
    )
    stats = dashboard.weekly_stats(history)
    dist, weight = history.distance_unit, history.weight_unit

    def view(week: WeekStats) -> WeekView:
        return WeekView(
            **week.model_dump(),
            distance=round(units.distance_from_m(week.distance_m, dist), 1),
            volume_load=round(units.weight_from_kg(week.volume_load_kg, weight)),
        )

    out = WeeklySummaryOut(
        this_week=view(stats.this_week),
        last_week=view(stats.last_week),
        distance_unit=dist,
        weight_unit=weight,
    )
    lines = [
        _week_line("This week", out.this_week, out),
        _week_line("Last week", out.last_week, out),
    ]
    return ToolResult(summary=" ".join(lines), data=out)


def _week_line(label: str, week: WeekView, out: WeeklySummaryOut) -> str:
    if week.so_far:
        label += f" so far ({week.days} of 7 days)"
    sleep = f"{week.avg_sleep_hours:.1f} h" if week.avg_sleep_hours is not None else "no data"
    hrv = f"{week.avg_hrv_ms:.0f} ms" if week.avg_hrv_ms is not None else "no data"
    return (
        f"{label} ({week.start.isoformat()} to {week.end.isoformat()}): {week.sessions} sessions, "
        f"{week.minutes:.0f} min, {week.distance:.1f} {out.distance_unit}, strength volume "
        f"{week.volume_load:.0f} {out.weight_unit}, load {week.load:.0f} AU, average sleep "
        f"{sleep}, average HRV {hrv}."
    )


@TOOLS.register
def get_daily_brief(ctx: ToolContext) -> ToolResult:
    """A one-look brief for today: readiness, last night's sleep, HRV status, training load,
    active risk flags."""
    board = dashboard.dashboard_for(session=ctx.session, user_id=ctx.user_id, today=ctx.today)
    brief = DailyBriefOut(
        date=board.date,
        readiness=board.readiness,
        tiles=[m for m in board.today.metrics if m.key in BRIEF_TILES],
        sleep=board.sleep,
        hrv=HrvNow(**board.hrv.model_dump(exclude={"series"})),
        training_load=board.training_load.model_copy(update={"series": []}),
        flags=board.flags,
    )
    readiness = brief.readiness
    parts = []
    if readiness.status == "ok":
        when = "" if readiness.age_days == 0 else f" ({age_words(readiness.age_days)})"
        parts.append(f"Readiness{when} {readiness.score}/100 ({readiness.color}): {readiness.why}")
    else:
        parts.append(f"Readiness not scored: {readiness.why}")
    for tile in brief.tiles:
        parts.append(
            f"{tile.label} {tile.value:.{BRIEF_TILES[tile.key]}f} {tile.unit} on "
            f"{tile.date.isoformat()} ({age_words(tile.age_days)})"
        )
    parts.append(debt_sentence(brief.sleep).removesuffix("."))
    if brief.hrv.status is not None:
        parts.append(hrv_sentence(brief.hrv).removesuffix("."))
    load = brief.training_load
    if load.acwr_status != "no_data":
        parts.append(
            f"Fitness {load.fitness:.1f}, Fatigue {load.fatigue:.1f}, Form {signed(load.form, 1)}"
            + (f", ACWR {load.acwr:.2f}" if load.acwr is not None else "")
        )
    flags = [f.message for f in brief.flags]
    parts.append("Flags: " + (" ".join(flags) if flags else "none"))
    if not brief.tiles and load.acwr_status == "no_data":
        parts.append(NO_DEVICE_HINT)
    return ToolResult(summary=". ".join(parts) + ".", data=brief)


BRIEF_TILES = {"sleep_seconds": 1, "hrv_rmssd_ms": 0, "hrv_sdnn_ms": 0, "resting_hr": 0}
"""The tiles the brief names, with the digits it shows."""


# --- activities and strength ---------------------------------------------------------------------


@TOOLS.register
def get_activities(
    ctx: ToolContext,
    *,
    days: Days = 14,
    sport: Annotated[str | None, Field(description="Only this sport, e.g. 'running'.")] = None,
) -> ToolResult:
    """Cardio and other recorded activities in the last `days` days: count, time, distance and
    the most recent sessions with heart rate and load."""
    found = activities.activities_between(
        session=ctx.session,
        user_id=ctx.user_id,
        start=ctx.today - dt.timedelta(days=days - 1),
        end=ctx.today,
    )
    if sport:
        found = [a for a in found if sport.strip().lower() in a.sport.lower()]
    label = f"{sport} activities" if sport else "activities"
    if not found:
        return ToolResult(
            summary=f"No {label} in the last {days} days. {NO_DEVICE_HINT}",
            data=ActivitiesOut(count=0),
        )
    minutes = sum(a.duration_s for a in found) / 60
    km = sum(a.distance_m or 0 for a in found) / 1000
    lines = [_activity_line(a) for a in reversed(found[-5:])]
    data = ActivitiesOut(
        count=len(found), minutes=round(minutes), distance_km=round(km, 1), recent=lines
    )
    summary = (
        f"{len(found)} {label} in the last {days} days: {minutes:.0f} min, {km:.1f} km. "
        f"Most recent: {'; '.join(lines)}."
    )
    return ToolResult(summary=summary, data=data)


@TOOLS.register
def get_activity(
    ctx: ToolContext,
    *,
    activity_id: Annotated[
        int | None, Field(ge=1, le=2_147_483_647, description="A known activity id.")
    ] = None,
    date: Annotated[
        dt.date | None,
        Field(description="The user's local day of the session (YYYY-MM-DD), e.g. last Sunday."),
    ] = None,
    sport: Annotated[
        str | None, Field(max_length=40, description="e.g. 'running', 'cycling', 'swimming'.")
    ] = None,
    include_streams: Annotated[
        bool, Field(description="Also return the downsampled samples (large).")
    ] = False,
) -> ToolResult:
    """One recorded session in detail: totals, pace or speed, laps, auto-splits per km or mile,
    heart-rate zone time, training load and how it was computed, and its sources. Give `date`
    (and `sport` to choose among that day's sessions: the longest is taken) or `activity_id`;
    with neither, the latest session (of `sport`, when given)."""
    if activity_id is not None:
        chosen_id = activity_id
    else:
        found = activities.find_activity(
            session=ctx.session, user_id=ctx.user_id, day=date, sport=sport
        )
        if found is None:
            what = f"{sport} session" if sport else "session"
            when = f" on {date.isoformat()}" if date else ""
            return ToolResult(
                summary=f"No {what}{when} recorded. {NO_DEVICE_HINT}", data=NoActivity()
            )
        chosen_id = found.id or 0
    detail = activities.get_activity(
        session=ctx.session, user_id=ctx.user_id, activity_id=chosen_id
    )
    shown = detail if include_streams else detail.model_copy(update={"streams": None})
    return ToolResult(summary=activity_summary(detail), data=ActivityFound(**dict(shown)))


def activity_summary(detail: ActivityDetail) -> str:
    """The session in a few factual sentences, in the user's distance unit."""
    unit = detail.split_unit
    local = dt.datetime.fromisoformat(detail.local_start)
    parts = [
        f"{text.sport_label(detail.sport)} on {local:%A %Y-%m-%d %H:%M} ({detail.timezone}), "
        f"recorded by {', '.join(activities.SOURCE_LABELS.get(s, s) for s in detail.sources)} "
        f"(activity {detail.id})."
    ]
    totals = [f"{label} {value}" for label, value in text.totals(detail, unit)]
    parts.append(", ".join(totals) + ".")
    load = detail.load_detail
    parts.append(
        f"Load {load.value:.0f} (TRIMP; {load.explanation})"
        if load.value is not None
        else load.explanation
    )
    if load.device_load is not None:
        parts.append(f"The {load.device_load_label}: {load.device_load:.1f}.")
    if detail.hr_zones:
        zones = ", ".join(
            f"Z{z.zone} {text.clock(z.seconds)} ({z.share:.0%})"
            for z in detail.hr_zones.zones
            if z.seconds
        )
        parts.append(f"Heart-rate zones ({detail.hr_zones.origin} zones): {zones}.")
    if detail.legs:
        legs = "; ".join(
            f"{text.sport_label(leg.sport)} {text.clock(leg.duration_s)}"
            + (f" {text.distance_text(leg.distance_m, unit)}" if leg.distance_m else "")
            for leg in detail.legs
        )
        parts.append(f"Legs: {legs}.")
    if detail.laps:
        laps = "; ".join(
            f"{lap.number}: {text.clock(lap.duration_s)}"
            + (f" {text.distance_text(lap.distance_m, unit)}" if lap.distance_m else "")
            + (f" HR {lap.avg_hr:.0f}" if lap.avg_hr else "")
            for lap in detail.laps[:MAX_LISTED]
        )
        parts.append(f"{len(detail.laps)} laps: {laps}.")
    if detail.splits:
        splits = "; ".join(
            f"{split.number}: {text.clock(split.duration_s)}"
            + (f" HR {split.avg_hr:.0f}" if split.avg_hr else "")
            for split in detail.splits[:MAX_LISTED]
        )
        parts.append(f"Splits per {unit}: {splits}.")
    if detail.workout_id:
        parts.append(f"Its strength sets are workout {detail.workout_id}.")
    return " ".join(parts)


MetricField = Literal[METRIC_FIELDS]  # type: ignore[valid-type]


@TOOLS.register
def get_metrics(
    ctx: ToolContext,
    *,
    fields: Annotated[
        list[MetricField],
        Field(
            min_length=1,
            max_length=len(METRIC_FIELDS),
            description="The daily fields to read, e.g. ['steps', 'weight_kg'].",
        ),
    ],
    start: Annotated[dt.date, Field(description="First day, YYYY-MM-DD (e.g. 1 June).")],
    end: Annotated[dt.date | None, Field(description="Last day; default today.")] = None,
) -> ToolResult:
    """Any stored daily field (steps, weight_kg, resting_hr, hrv_rmssd_ms, spo2_pct,
    stress_avg, body_battery, respiratory_rate, sleep_seconds, sleep_efficiency_pct,
    active_kcal, recovery_score, ...) over any date range, up to ten years: per field the first
    and last reading, the change, mean, lowest and highest, and the daily values."""
    first, last = metrics.resolve_range(start=start, end=end or ctx.today, today=ctx.today)
    rows = metrics.get_daily_metrics(
        session=ctx.session, user_id=ctx.user_id, start=first, end=last, fields=fields
    )
    span = f"{first.isoformat()} to {last.isoformat()}"
    data = MetricsOut(start=first, end=last)
    for name in dict.fromkeys(fields):
        data.fields[name] = _field_stats(_series(rows, name))
    summaries = [_field_sentence(name, stats) for name, stats in data.fields.items()]
    return ToolResult(summary=f"From {span}: " + " ".join(summaries), data=data)


def _field_stats(series: dict[dt.date, float]) -> FieldStats:
    if not series:
        return FieldStats(days=0)
    values = [DatedValue(date=d, value=round(series[d], 2)) for d in sorted(series)]
    plain = [v.value for v in values]
    return FieldStats(
        days=len(values),
        first=values[0],
        last=values[-1],
        change=round(plain[-1] - plain[0], 2),
        mean=round(statistics.fmean(series.values()), 2),
        min=min(plain),
        max=max(plain),
        values=values,
    )


def _field_sentence(name: str, stats: FieldStats) -> str:
    label = name.replace("_", " ")
    first, last = stats.first, stats.last
    if first is None or last is None:
        return f"{label}: no readings in this range."
    return (
        f"{label}: {stats.days} days with a reading; {first.value:g} on {first.date} "
        f"→ {last.value:g} on {last.date} (change {stats.change:+g}); mean "
        f"{stats.mean:g}, range {stats.min:g}-{stats.max:g}."
    )


def _activity_line(activity: Any) -> str:
    parts = [
        activity.start_time.date().isoformat(),
        activity.sport,
        f"{activity.duration_s / 60:.0f} min",
    ]
    if activity.distance_m:
        parts.append(f"{activity.distance_m / 1000:.1f} km")
    if activity.avg_hr:
        parts.append(f"avg HR {activity.avg_hr:.0f}")
    if activity.load:
        parts.append(f"load {activity.load:.0f}")
    return " ".join(parts)


def _workout_line(workout: Any) -> str:
    sets = ", ".join(
        f"{e.name} {e.sets}x{e.reps}"
        + (f" @ {e.weight_kg:g} kg" if e.weight_kg else " (bodyweight)")
        for e in workout.exercises
    )
    return f"{workout.date.isoformat()} {workout.workout_name}: {sets}"


@TOOLS.register
def list_workouts(
    ctx: ToolContext,
    *,
    limit: Annotated[int, Field(ge=1, le=20, description="How many recent workouts.")] = 5,
) -> ToolResult:
    """The most recent strength workouts with every exercise (sets x reps @ weight)."""
    page = workouts.list_workouts(session=ctx.session, user_id=ctx.user_id, page=1, per_page=limit)
    if not page.workouts:
        return ToolResult(
            summary=f"No workouts logged yet. {NO_WORKOUT_HINT}", data=WorkoutsOut(total=0)
        )
    lines = [_workout_line(w) for w in page.workouts]
    latest = page.workouts[0]
    data = WorkoutsOut(
        total=page.total,
        latest=LatestWorkout(
            date=latest.date, name=latest.workout_name, exercises=latest.exercises
        ),
        lines=lines,
    )
    summary = f"{page.total} workouts logged; latest {len(lines)}: " + " | ".join(lines)
    return ToolResult(summary=summary, data=data)


@TOOLS.register
def get_strength_history(ctx: ToolContext, *, days: Days = 30) -> ToolResult:
    """Strength training over the last `days` days: sessions, sets, volume load and session-RPE
    load, plus the best lifts (estimated 1RM) of the exercises trained."""
    start = ctx.today - dt.timedelta(days=days - 1)
    sessions = workouts.workout_summaries(
        session=ctx.session, user_id=ctx.user_id, start=start, end=ctx.today
    )
    if not sessions:
        return ToolResult(
            summary=f"No strength workouts in the last {days} days. {NO_WORKOUT_HINT}",
            data=StrengthHistoryOut(sessions=0),
        )
    library = exercises.library(session=ctx.session, user_id=ctx.user_id).exercises
    recent = [e for e in library if e.last_performed >= start]
    top = sorted(recent, key=lambda e: e.best_e1rm_kg or 0, reverse=True)[:5]
    data = StrengthHistoryOut(
        sessions=len(sessions),
        sets=sum(s.total_sets for s in sessions),
        volume_kg=round(sum(s.volume_kg for s in sessions)),
        load=round(sum(s.load for s in sessions)),
        top_lifts=[
            TopLift(name=e.name, best_e1rm_kg=e.best_e1rm_kg, best_weight_kg=e.best_weight_kg)
            for e in top
        ],
    )
    lifts = ", ".join(
        f"{e.name} e1RM {_fmt(e.best_e1rm_kg)} kg (heaviest {_fmt(e.best_weight_kg, 1)} kg)"
        for e in top
    )
    summary = (
        f"Last {days} days: {data.sessions} strength sessions, {data.sets} sets, "
        f"volume load {data.volume_kg} kg, session-RPE load {data.load}. "
        f"Best lifts (all-time e1RM of exercises trained): {lifts or 'none'}."
    )
    return ToolResult(summary=summary, data=data)


@TOOLS.register
def get_exercise_progress(
    ctx: ToolContext,
    *,
    exercise: Annotated[str, Field(min_length=1, max_length=100, description="Exercise name.")],
) -> ToolResult:
    """One exercise's history: best weight and estimated 1RM (Epley) with their dates, PRs, the
    last session and the e1RM trend."""
    history = exercises.exercise_history(session=ctx.session, user_id=ctx.user_id, name=exercise)
    points = history.points
    with_e1rm = [p for p in points if p.e1rm_kg is not None]
    with_weight = [p for p in points if p.top_weight_kg is not None]
    best_e1rm = max(with_e1rm, key=lambda p: p.e1rm_kg, default=None)
    best_weight = max(with_weight, key=lambda p: p.top_weight_kg, default=None)
    last = points[-1]
    data = ExerciseProgressOut(
        name=history.name,
        sessions=len(points),
        best_e1rm=BestE1rm(kg=best_e1rm.e1rm_kg, date=best_e1rm.date) if best_e1rm else None,
        best_weight=BestWeight(
            kg=best_weight.top_weight_kg, reps=best_weight.top_reps, date=best_weight.date
        )
        if best_weight
        else None,
        last=LastSession(
            date=last.date,
            top_weight_kg=last.top_weight_kg,
            top_reps=last.top_reps,
            e1rm_kg=last.e1rm_kg,
        ),
        prs=sum(1 for p in points if p.e1rm_pr or p.weight_pr),
    )
    parts = [f"{history.name}: {len(points)} sessions"]
    if best_weight:
        parts.append(
            f"heaviest {best_weight.top_weight_kg:g} kg x {best_weight.top_reps} "
            f"on {best_weight.date.isoformat()}"
        )
    if best_e1rm:
        parts.append(f"best e1RM {best_e1rm.e1rm_kg:.1f} kg on {best_e1rm.date.isoformat()}")
    else:
        parts.append("no e1RM (no working set of 12 reps or fewer)")
    parts.append(
        f"last session {last.date.isoformat()}: top set "
        f"{_fmt(last.top_weight_kg, 1)} kg x {last.top_reps or 'n/a'}"
    )
    if len(with_e1rm) >= 2:
        change = with_e1rm[-1].e1rm_kg - with_e1rm[0].e1rm_kg
        data.e1rm_change_kg = round(change, 1)
        parts.append(f"e1RM {signed(change, 1)} kg since {with_e1rm[0].date.isoformat()}")
    parts.append(f"{data.prs} PR sessions")
    return ToolResult(summary="; ".join(parts) + ".", data=data)


# A repeated "log ..." (sent twice, retried, asked again) finds the workout it made instead of
# saving a second: the same exercises on the same day are the same chat-logged workout.
LOG_WORKOUT_EFFECT = ToolEffect(writes=True, destructive=False, idempotent=True)


def chat_workout_key(data: WorkoutCreate) -> str:
    """The ``external_id`` of a workout logged from the chat: its day and exercise rows."""
    rows = [
        [" ".join(e.name.lower().split()), e.sets, e.reps, e.weight_kg, e.rpe]
        for e in data.exercises
    ]
    digest = hashlib.sha256(json.dumps([data.date.isoformat(), rows]).encode()).hexdigest()
    return f"chat:{digest[:40]}"


def workout_href(workout_id: int) -> str:
    return f"{routes.WORKOUT_VIEW}?id={workout_id}"


@TOOLS.register(effect=LOG_WORKOUT_EFFECT)
def log_workout(
    ctx: ToolContext,
    *,
    exercises: Annotated[
        list[ExerciseEntry],
        Field(min_length=1, max_length=30, description="The exercises done, one row each."),
    ],
    workout_name: Annotated[
        str | None,
        Field(max_length=100, description="A title, e.g. 'Push day'; default: the exercises."),
    ] = None,
    date: Annotated[dt.date | None, Field(description="YYYY-MM-DD; default today.")] = None,
    notes: Annotated[str, Field(max_length=2000, description="Free-text notes.")] = "",
) -> ToolResult:
    """Log a strength workout the user asked you to record (only when asked). The same
    exercises on the same day are saved once: asking again returns the workout already saved.
    In the chat the user confirms it first (a card with Confirm and Cancel)."""
    data = _chat_workout(ctx, exercises, workout_name, date, notes)
    key = chat_workout_key(data)
    existing = workouts.workout_id_for(session=ctx.session, user_id=ctx.user_id, external_id=key)
    if existing is not None:
        saved = workouts.get_workout(session=ctx.session, user_id=ctx.user_id, workout_id=existing)
    else:
        saved = workouts.create_workout(
            session=ctx.session, user_id=ctx.user_id, data=data, source="chat", external_id=key
        )
    line = _workout_line(saved)
    verb = "Already saved (not saved twice)" if existing is not None else "Saved"
    return ToolResult(
        summary=f"{verb} as workout #{saved.id} ({workout_href(saved.id)}): {line}.",
        data=LoggedWorkout(
            workout_id=saved.id,
            line=line,
            href=workout_href(saved.id),
            repeated=existing is not None,
        ),
    )


def _chat_workout(
    ctx: ToolContext,
    exercises: list[ExerciseEntry],
    workout_name: str | None,
    date: dt.date | None,
    notes: str,
) -> WorkoutCreate:
    name = workout_name or ", ".join(dict.fromkeys(e.name for e in exercises))[:100]
    return WorkoutCreate(
        date=date or ctx.today, workout_name=name, notes=notes, exercises=exercises
    )


def log_workout_proposal(
    ctx: ToolContext,
    *,
    exercises: list[ExerciseEntry],
    workout_name: str | None = None,
    date: dt.date | None = None,
    notes: str = "",
) -> str | None:
    """What ``log_workout`` would save, in words; ``None`` when it is already saved (running it
    then only finds it)."""
    data = _chat_workout(ctx, exercises, workout_name, date, notes)
    key = chat_workout_key(data)
    if workouts.workout_id_for(session=ctx.session, user_id=ctx.user_id, external_id=key):
        return None
    return f"Log {_workout_line(data)}"


# --- profile ------------------------------------------------------------------------------------


@TOOLS.register
def get_coaching_profile(ctx: ToolContext) -> ToolResult:
    """The user's coaching profile: goals, injuries, schedule, equipment (free text)."""
    user = users.get_user(session=ctx.session, user_id=ctx.user_id)
    text = user.coaching_profile.strip()
    if not text:
        return ToolResult(
            summary="The coaching profile is empty.", data=CoachingProfile(profile="")
        )
    return ToolResult(summary=f"Coaching profile: {text}", data=CoachingProfile(profile=text))


@TOOLS.register(effect=ToolEffect(writes=True, destructive=True, idempotent=False))
def update_coaching_profile(
    ctx: ToolContext,
    *,
    text: Annotated[
        str, Field(min_length=1, max_length=2000, description="What to save, in the user's words.")
    ],
    mode: Annotated[
        Literal["append", "replace"], Field(description="append a line, or replace it all")
    ] = "append",
) -> ToolResult:
    """Save something durable the user told you (a goal, injury, schedule) to their profile."""
    user = users.get_user(session=ctx.session, user_id=ctx.user_id)
    current = user.coaching_profile.rstrip()
    updated = text.strip() if mode == "replace" or not current else f"{current}\n{text.strip()}"
    users.set_coaching_profile(session=ctx.session, user=user, coaching_profile=updated)
    return ToolResult(
        summary=f"Coaching profile updated ({len(updated)} characters).",
        data=CoachingProfile(profile=updated),
    )


# --- charts -------------------------------------------------------------------------------------

ChartMetric = Literal[
    "sleep_hours",
    "hrv",
    "resting_hr",
    "sleep_score",
    "steps",
    "weight",
    "training_load",
    "exercise_e1rm",
]
ChartKind = Literal["line", "bar"]
_METRIC_CHARTS: dict[str, tuple[str, str, str, ChartKind, Callable[[float], float]]] = {
    # metric: (field, label, unit, kind, convert)
    "sleep_hours": ("sleep_seconds", "Sleep", "h", "bar", _hours),
    "hrv": ("hrv_rmssd_ms", "HRV (rMSSD)", "ms", "line", lambda v: round(v, 1)),
    "resting_hr": ("resting_hr", "Resting HR", "bpm", "line", lambda v: round(v, 1)),
    "sleep_score": ("sleep_score", "Sleep score", "", "line", lambda v: round(v)),
    "steps": ("steps", "Steps", "", "bar", lambda v: int(v)),
    "weight": ("weight_kg", "Weight", "kg", "line", lambda v: round(v, 1)),
}


@TOOLS.register
def render_chart(
    ctx: ToolContext,
    *,
    metric: Annotated[ChartMetric, Field(description="What to chart.")],
    days: Days = 14,
    exercise: Annotated[str | None, Field(description="For exercise_e1rm: the exercise.")] = None,
) -> ToolResult:
    """Show the user a chart of a metric over the last `days` days (or an exercise's estimated
    1RM over all sessions) inline in the chat."""
    if metric == "exercise_e1rm":
        return _exercise_chart(ctx, exercise)
    if metric == "training_load":
        return _load_chart(ctx, days)
    field, label, unit, kind, convert = _METRIC_CHARTS[metric]
    rows = _days(ctx, days)
    points = [
        {"date": r.date.isoformat(), metric: convert(float(v))}
        for r in rows
        if (v := getattr(r, field)) is not None
    ]
    if not points:
        return ToolResult(
            summary=f"No {label.lower()} data in the last {days} days to chart. {NO_DEVICE_HINT}",
            data=ChartPoints(points=0),
        )
    return _chart_result(
        chart_id=f"{metric}-{ctx.today.isoformat()}-{days}",
        kind=kind,
        title=f"{label}, last {days} days",
        series=[(metric, label, unit)],
        points=points,
        what=f"{label.lower()} for {len(points)} days",
    )


def _chart_result(
    *,
    chart_id: str,
    kind: ChartKind,
    title: str,
    series: list[tuple[str, str, str]],
    points: list[dict[str, float | str | None]],
    what: str,
) -> ToolResult:
    """A ``chart`` event's spec (DESIGN §4) and the summary the model gets instead of the data."""
    chart = ChartSpec(
        id=chart_id,
        kind=kind,
        title=title,
        series=[ChartSeries(key=key, label=label, unit=unit) for key, label, unit in series],
        data=points,
    )
    return ToolResult(
        summary=f"Chart shown: {what}.", data=ChartPoints(points=len(points)), chart=chart
    )


def _exercise_chart(ctx: ToolContext, exercise: str | None) -> ToolResult:
    if not exercise:
        return ToolResult(summary="Error: exercise_e1rm needs `exercise`.", ok=False)
    history = exercises.exercise_history(session=ctx.session, user_id=ctx.user_id, name=exercise)
    points = [
        {"date": p.date.isoformat(), "e1rm_kg": p.e1rm_kg, "top_weight_kg": p.top_weight_kg}
        for p in history.points
    ]
    return _chart_result(
        chart_id=f"e1rm-{history.name.lower().replace(' ', '-')}-{ctx.today.isoformat()}",
        kind="line",
        title=f"{history.name}: estimated 1RM and top set",
        series=[("e1rm_kg", "e1RM", "kg"), ("top_weight_kg", "Top set", "kg")],
        points=points,
        what=f"{history.name} over {len(points)} sessions",
    )


def _load_chart(ctx: ToolContext, days: int) -> ToolResult:
    load = dashboard.training_load(
        session=ctx.session, user_id=ctx.user_id, today=ctx.today, days=days
    )
    if load.acwr_status == "no_data":
        return ToolResult(
            summary=f"No training to chart yet. {NO_WORKOUT_HINT}", data=ChartPoints(points=0)
        )
    points = [
        {"date": p.date.isoformat(), "fitness": p.fitness, "fatigue": p.fatigue, "form": p.form}
        for p in load.series
    ]
    return _chart_result(
        chart_id=f"training_load-{ctx.today.isoformat()}-{days}",
        kind="line",
        title=f"Fitness, fatigue and form, last {days} days",
        series=[("fitness", "Fitness", "AU"), ("fatigue", "Fatigue", "AU"), ("form", "Form", "AU")],
        points=points,
        what=f"fitness, fatigue and form for {len(points)} days",
    )


# Gym-mode tools register themselves on TOOLS (imported last: they use the helpers above).
from cadence.services.chat import gym_tools  # noqa: E402, F401
