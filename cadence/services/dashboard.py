"""The dashboard payload and the analytics history: read the user's rows once, run the pure
formulas of ``cadence.services.analytics`` over them.

What is read (every query scoped to the user, every window bounded, so the cost does not grow
with years of history):

- merged daily metrics (``metrics.get_daily_metrics``, source priority decides each field) for
  the 60 days behind the first charted day up to today;
- activities and workout summaries for the load model: from the first training day, at most
  ``LOAD_MODEL_DAYS`` back. Older loads weigh less than (1 - 1/42)^730 ~ 3e-8 of their value
  in Fitness, so starting the averages at 0 two years back changes no displayed digit;
- the first training day (two indexed ``MIN`` queries) for ACWR's warm-up.

Days are the user's local calendar days (``preferences.user_day``): an activity counts on the
local day it started, "today" is the user's today, weeks start on their week start. Training
load counts each distinct session once (``activities.session_index``) and computes TRIMP with
the user's physiology (``physiology.of_user``).
"""

from __future__ import annotations

import statistics
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, or_
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from cadence.models.common import as_utc, utcnow
from cadence.models.dashboard import (
    Contributor,
    DashboardResponse,
    DeviceContributor,
    DeviceScore,
    FlagOut,
    HrvNow,
    HrvOut,
    HrvPoint,
    LoadPointOut,
    ReadinessOut,
    RecentItem,
    SleepOut,
    TodayMetric,
    TodayOut,
    TrainingLoadOut,
    WeeklyStats,
    WeekStats,
)
from cadence.models.device import DevicePublic
from cadence.models.health import Activity, DailyMetric, MetricDay
from cadence.models.preferences import DistanceUnit, WeightUnit
from cadence.models.workout import Workout
from cadence.services import (
    activities,
    analytics,
    data_version,
    metrics,
    physiology,
    preferences,
    units,
    workouts,
)
from cadence.services.devices import connections as device_connections
from cadence.services.errors import InvalidInput
from cadence.services.user_cache import PerUserCache
from cadence.services.userday import UserDay

LOAD_MODEL_DAYS = 730
CHART_DAYS = 30
TREND_DAYS = 90
RECENT_LIMIT = 10
TRIMP_CACHE_SIZE = 200_000
FRESH_RECOVERY_DAYS = 3
"""HRV and sleep flags are only raised when the latest recovery data is at most this old."""
MAX_HISTORY_DAYS = 3660

TILES: tuple[tuple[str, str, str, float], ...] = (
    ("sleep_seconds", "Sleep", "h", 1 / 3600),
    ("hrv_rmssd_ms", "HRV (rMSSD)", "ms", 1.0),
    ("resting_hr", "Resting HR", "bpm", 1.0),
    ("steps", "Steps", "steps", 1.0),
    ("strain", "Strain", "0-21", 1.0),
    ("body_battery", "Body Battery", "0-100", 1.0),
    ("recovery_score", "Device recovery", "%", 1.0),
    ("sleep_score", "Sleep score", "0-100", 1.0),
    ("stress_avg", "Stress", "0-100", 1.0),
    ("spo2_pct", "SpO2", "%", 1.0),
    ("respiratory_rate", "Respiratory rate", "br/min", 1.0),
    ("weight_kg", "Weight", "kg", 1.0),
    ("hrv_sdnn_ms", "HRV (SDNN)", "ms", 1.0),
)
"""Dashboard tiles: /metrics field, label, display unit, factor from the stored unit."""

DEVICE_SCORE_LABELS = {
    "whoop": "Whoop recovery",
    "garmin": "Garmin training readiness",
    "oura": "Oura readiness",
}


@dataclass(frozen=True)
class TrainingSession:
    """An activity or a workout, reduced to what load and weekly figures need."""

    kind: str
    id: int
    day: date
    sort_key: datetime
    title: str
    source: str
    minutes: float
    distance_m: float | None
    avg_hr: float | None
    volume_kg: float | None
    load: float | None


@dataclass(frozen=True)
class History:
    """The user's rows needed to answer for days up to ``end``."""

    end: date
    metric_days: list[MetricDay]
    series: dict[str, dict[date, float]]
    sessions: list[TrainingSession]
    points: list[analytics.LoadPoint]
    need_hours: float
    calendar: UserDay
    physiology: physiology.Physiology
    weight_unit: WeightUnit = "kg"
    distance_unit: DistanceUnit = "km"

    def point(self, day: date) -> analytics.LoadPoint | None:
        if not self.points or not self.points[0].day <= day <= self.points[-1].day:
            return None
        return self.points[(day - self.points[0].day).days]


# --- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HealthPart:
    """What ``load_history`` reads outside the training log (``data_version.LOG_TABLES``): the
    user's settings, merged metrics, physiology and activities (with their TRIMP). Logging a
    workout changes none of it, so the dashboard keeps it under the user's health version."""

    metric_days: list[MetricDay]
    series: dict[str, dict[date, float]]
    physiology: physiology.Physiology
    calendar: UserDay
    need_hours: float
    weight_unit: WeightUnit
    distance_unit: DistanceUnit
    activities: list[TrainingSession]
    """Every distinct activity from which a load model ending ``end`` may start, oldest first."""
    first_activity: date | None
    linked_workouts: frozenset[int]
    """Workouts made from a watch's strength sets (their load is the activity's, counted once)."""


def read_health(
    *, session: Session, user_id: int, end: date, metrics_from: date, load_from: date, today: date
) -> HealthPart:
    """Metrics from ``metrics_from`` and the activities a load model from ``load_from`` (or the
    first training day within ``LOAD_MODEL_DAYS``) up to ``end`` needs. Sessions are scored
    with the user's physiology as of ``today`` (their today), whatever ``end`` is, so a day's
    load is the same in every window that holds it."""
    row = preferences.stored(session=session, user_id=user_id)
    calendar = UserDay.of(timezone=row.timezone, week_start=row.week_start)  # type: ignore[arg-type]
    baseline_from = end - timedelta(days=analytics.BASELINE_DAYS - 1)
    metric_days = metrics.get_daily_metrics(
        session=session, user_id=user_id, start=min(metrics_from, baseline_from), end=end
    )
    series: dict[str, dict[date, float]] = {name: {} for name in metrics.METRIC_FIELDS}
    for day_row in metric_days:
        for name, values in series.items():
            value = getattr(day_row, name)
            if value is not None:
                values[day_row.date] = float(value)
    rates = physiology.of_user(
        session=session,
        user_id=user_id,
        on=today,
        resting_series=series["resting_hr"] if end == today else None,
    )
    first_start = session.exec(
        select(func.min(Activity.start_time)).where(Activity.user_id == user_id)
    ).one()
    first_activity = None if first_start is None else calendar.day_of(first_start)
    # The model's start (``with_training_log``) is at most this, and earlier than this only
    # where no activity is (before the first one, or further back than ``LOAD_MODEL_DAYS``).
    acts: list[TrainingSession] = []
    if first_activity is not None:
        start = min(load_from, end, max(first_activity, end - timedelta(days=LOAD_MODEL_DAYS - 1)))
        acts = _activity_sessions(
            session=session, user_id=user_id, start=start, end=end, calendar=calendar, hr=rates
        )
    return HealthPart(
        metric_days=metric_days,
        series=series,
        physiology=rates,
        calendar=calendar,
        need_hours=preferences.sleep_need_hours(row),
        weight_unit="lb" if row.weight_unit == "lb" else "kg",
        distance_unit="mi" if row.distance_unit == "mi" else "km",
        activities=acts,
        first_activity=first_activity,
        linked_workouts=frozenset(activities.workout_ids_linked(session=session, user_id=user_id)),
    )


def with_training_log(
    health: HealthPart, *, session: Session, user_id: int, end: date, load_from: date
) -> History:
    """``health`` with the training log read now (workouts from the model's start to ``end``)
    and the load model computed over both."""
    first_workout = session.exec(
        select(func.min(Workout.date)).where(Workout.user_id == user_id)
    ).one()
    first_day = min((d for d in (health.first_activity, first_workout) if d), default=None)
    model_start = min(load_from, end)
    if first_day is not None:
        model_start = min(model_start, max(first_day, end - timedelta(days=LOAD_MODEL_DAYS - 1)))
    sessions = health.activities + _workout_sessions(
        session=session,
        user_id=user_id,
        start=model_start,
        end=end,
        skip=health.linked_workouts,
        hr=health.physiology,
    )
    sessions.sort(key=lambda s: s.sort_key)
    loads = analytics.daily_loads(
        ((s.day, s.load) for s in sessions if s.load is not None), start=model_start, end=end
    )
    return History(
        end,
        health.metric_days,
        health.series,
        sessions,
        analytics.load_model(loads, first_load_day=first_day),
        health.need_hours,
        health.calendar,
        health.physiology,
        weight_unit=health.weight_unit,
        distance_unit=health.distance_unit,
    )


def load_history(
    *, session: Session, user_id: int, end: date, metrics_from: date, load_from: date, today: date
) -> History:
    """Metrics from ``metrics_from`` and training from ``load_from`` (or the first training day
    within ``LOAD_MODEL_DAYS``) up to ``end``, with the load model computed (physiology as of
    ``today``: ``read_health``)."""
    health = read_health(
        session=session,
        user_id=user_id,
        end=end,
        metrics_from=metrics_from,
        load_from=load_from,
        today=today,
    )
    return with_training_log(health, session=session, user_id=user_id, end=end, load_from=load_from)


def _activity_sessions(
    *,
    session: Session,
    user_id: int,
    start: date,
    end: date,
    calendar: UserDay,
    hr: physiology.Physiology,
) -> list[TrainingSession]:
    acts = _distinct_activities(session=session, user_id=user_id, between=calendar.span(start, end))
    loads = _activity_loads(session=session, user_id=user_id, acts=acts, hr=hr)
    result = [
        TrainingSession(
            kind="activity",
            id=a.id or 0,
            day=calendar.day_of(a.start_time),
            sort_key=as_utc(a.start_time),
            title=a.sport.replace("_", " ").capitalize(),
            source=a.source,
            minutes=a.duration_s / 60,
            distance_m=a.distance_m,
            avg_hr=a.avg_hr,
            volume_kg=None,
            load=loads[a.id or 0],
        )
        for a in acts
    ]
    return sorted(result, key=lambda s: s.sort_key)


def _workout_sessions(
    *,
    session: Session,
    user_id: int,
    start: date,
    end: date,
    skip: frozenset[int],
    hr: physiology.Physiology,
) -> list[TrainingSession]:
    """The workouts dated ``start``..``end``, except those in ``skip`` (counted as activities)."""
    return [
        TrainingSession(
            kind="workout",
            id=w.id,
            day=w.date,
            sort_key=datetime.combine(w.date, time.max, tzinfo=UTC),
            title=w.workout_name,
            source="cadence",
            minutes=float(w.minutes),
            distance_m=None,
            avg_hr=None,
            volume_kg=w.volume_kg,
            load=round(
                analytics.strength_trimp(rpe=w.session_rpe, minutes=w.minutes, curve=hr.curve), 1
            ),
        )
        for w in workouts.workout_summaries(session=session, user_id=user_id, start=start, end=end)
        if w.id not in skip
    ]


def _distinct_activities(
    *, session: Session, user_id: int, between: tuple[datetime, datetime]
) -> list[Activity]:
    """The kept copy of each distinct session starting ``between`` two UTC instants (a run
    uploaded as GPX and as TCX counts once), HR histograms not loaded: they are read only for
    activities whose TRIMP is not cached."""
    kept = [
        g.kept.id
        for g in activities.session_index(session=session, user_id=user_id, between=between)
    ]
    rows: list[Activity] = []
    for offset in range(0, len(kept), 500):
        rows.extend(
            session.exec(
                select(Activity)
                .options(defer(Activity.hr_histogram))  # type: ignore[arg-type]
                .where(
                    Activity.user_id == user_id,
                    col(Activity.id).in_(kept[offset : offset + 500]),
                )
            ).all()
        )
    return rows


_TrimpKey = tuple[int, datetime, float, float, analytics.TrimpCurve]
_trimp_cache: dict[_TrimpKey, float | None] = {}
_trimp_cache_lock = threading.Lock()


def _activity_loads(
    *, session: Session, user_id: int, acts: list[Activity], hr: physiology.Physiology
) -> dict[int, float | None]:
    """TRIMP per activity id, cached per process by (id, updated_at, rest HR, max HR, curve).

    An activity that is re-imported or edited gets a new ``updated_at``, and a new resting or
    maximum HR or sex gives new keys, so a cached value is never stale; the cache is emptied
    when it holds ``TRIMP_CACHE_SIZE`` values. Misses read their histograms in one query per 500.
    """
    resting_hr, max_hr, curve = float(hr.resting.bpm), float(hr.maximum.bpm), hr.curve
    keys = {a.id or 0: (a.id or 0, a.updated_at, resting_hr, max_hr, curve) for a in acts}
    with _trimp_cache_lock:
        known = {i: _trimp_cache[k] for i, k in keys.items() if k in _trimp_cache}
    missing = [a for a in acts if (a.id or 0) not in known]
    histograms = _histograms(session=session, user_id=user_id, ids=[a.id or 0 for a in missing])
    computed = {
        a.id or 0: analytics.activity_trimp(
            duration_s=a.duration_s,
            avg_hr=a.avg_hr,
            hr_histogram=histograms.get(a.id or 0),
            resting_hr=resting_hr,
            max_hr=max_hr,
            curve=curve,
        )
        for a in missing
    }
    with _trimp_cache_lock:
        if len(_trimp_cache) + len(computed) > TRIMP_CACHE_SIZE:
            _trimp_cache.clear()
        _trimp_cache.update({keys[i]: value for i, value in computed.items()})
    return known | computed


def clear_trimp_cache() -> None:
    """Forget every cached TRIMP (the benchmark uses it to time a cold dashboard)."""
    with _trimp_cache_lock:
        _trimp_cache.clear()


def _histograms(*, session: Session, user_id: int, ids: list[int]) -> dict[int, list]:
    found: dict[int, list] = {}
    for offset in range(0, len(ids), 500):
        rows = session.exec(
            select(Activity.id, Activity.hr_histogram).where(
                Activity.user_id == user_id, col(Activity.id).in_(ids[offset : offset + 500])
            )
        ).all()
        found.update({row_id: histogram for row_id, histogram in rows if histogram and row_id})
    return found


def recovery_day(*, session: Session, user_id: int, today: date) -> date:
    """The day "last night", readiness, HRV and sleep debt refer to: the latest day up to
    ``today`` with a readiness input, else ``today``. The dashboard and the coach both ask here."""
    return latest_metric_day(session=session, user_id=user_id, on_or_before=today) or today


def latest_metric_day(*, session: Session, user_id: int, on_or_before: date) -> date | None:
    """The latest day up to ``on_or_before`` with a readiness input (sleep, HRV as rMSSD or
    SDNN, or resting HR): a day with only a weigh-in or steps does not count."""
    return session.exec(
        select(func.max(DailyMetric.date)).where(
            DailyMetric.user_id == user_id,
            DailyMetric.date <= on_or_before,
            or_(
                col(DailyMetric.sleep_seconds).is_not(None),
                col(DailyMetric.hrv_rmssd_ms).is_not(None),
                col(DailyMetric.hrv_sdnn_ms).is_not(None),
                col(DailyMetric.resting_hr).is_not(None),
            ),
        )
    ).one()


# --- readiness ----------------------------------------------------------------------------------


def compute_readiness(history: History, day: date) -> analytics.Readiness:
    """Readiness for ``day`` from ``history`` (which must hold the 60 days up to ``day``)."""
    s = history.series
    metric, hrv = hrv_series(s, on=day)
    inputs = analytics.ReadinessInputs(
        hrv=analytics.hrv_baseline(hrv, on=day),
        hrv_metric=metric,
        resting_hr=analytics.resting_hr_deviation(s["resting_hr"], on=day),
        sleep_last_night_s=s["sleep_seconds"].get(day),
        debt=analytics.sleep_debt(s["sleep_seconds"], on=day, need_hours=history.need_hours),
        need_hours=history.need_hours,
        load=history.point(day),
        resting_hr_reading=s["resting_hr"].get(day),
    )
    start = day - timedelta(days=analytics.BASELINE_DAYS - 1)
    days_of_data = sum(1 for m in history.metric_days if start <= m.date <= day)
    return analytics.readiness(day=day, days_of_data=days_of_data, inputs=inputs)


def _device_score(*, session: Session, user_id: int, day: date) -> DeviceScore | None:
    rows = session.exec(
        select(DailyMetric).where(
            DailyMetric.user_id == user_id,
            DailyMetric.date == day,
            col(DailyMetric.recovery_score).is_not(None),
        )
    ).all()
    row = metrics.winning_row(rows, "recovery_score")
    if row is None:
        return None
    source = row.source
    label = DEVICE_SCORE_LABELS.get(source, f"{source.replace('_', ' ').title()} recovery")
    parts = [
        DeviceContributor(
            name=name.replace("_", " ").capitalize().replace("Hrv", "HRV"), value=float(value)
        )
        for name, value in (row.recovery_contributors or {}).items()
    ]
    return DeviceScore(
        label=label, value=float(row.recovery_score), source=source, contributors=parts
    )


def readiness_out(
    result: analytics.Readiness, device_score: DeviceScore | None, *, today: date
) -> ReadinessOut:
    return ReadinessOut(
        date=result.day,
        age_days=max(0, (today - result.day).days),
        status=result.status,
        score=result.score,
        color=result.color,
        why=result.why,
        days_of_data=result.days_of_data,
        days_required=analytics.READINESS_MIN_DAYS,
        contributors=[
            Contributor(
                key=c.key,
                label=c.label,
                value=c.value,  # unrounded: `detail` states them at its own precision
                unit=c.unit,
                score=c.score,
                weight=round(c.weight, 3),
                detail=c.detail,
                reference=c.reference,
                change=c.change,
                nights=c.nights,
            )
            for c in result.contributors
        ],
        device_score=device_score,
    )


def readiness_on(
    *, session: Session, user_id: int, day: date | None = None, today: date | None = None
) -> ReadinessOut:
    """Readiness for one day (``GET /analytics/readiness?date=``; the user's today by default);
    its age is counted from ``today`` (the user's today by default)."""
    today = today or preferences.user_day(session=session, user_id=user_id).today()
    day = day or today
    _check_not_future(day)
    history = load_history(
        session=session,
        user_id=user_id,
        end=day,
        metrics_from=day - timedelta(days=analytics.BASELINE_DAYS - 1),
        load_from=day,
        today=today,
    )
    result = compute_readiness(history, day)
    score = _device_score(session=session, user_id=user_id, day=day)
    return readiness_out(result, score, today=today)


def sleep_out(
    sleep_seconds: dict[date, float], *, need_hours: float, day: date, today: date
) -> SleepOut:
    """The 7-night sleep debt ending on the morning of ``day`` (the latest recovery day), with
    the nights it covers and how old it is on ``today``."""
    debt = analytics.sleep_debt(sleep_seconds, on=day, need_hours=need_hours)
    return SleepOut(
        need_hours=need_hours,
        debt_hours=_round(debt.hours, 2) if debt else None,
        nights_counted=debt.nights if debt else 0,
        nights_window=analytics.SHORT_DAYS,
        debt_flagged=debt is not None and analytics.sleep_debt_flagged(debt.hours),
        as_of=day,
        age_days=max(0, (today - day).days),
    )


def _check_not_future(day: date) -> None:
    """No zone is more than a day ahead of UTC, so "after tomorrow in UTC" is the future."""
    if day > utcnow().date() + timedelta(days=1):
        raise InvalidInput("date must not be in the future.", field="date")


# --- training load ------------------------------------------------------------------------------


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def training_load_out(history: History, days: int) -> TrainingLoadOut:
    """The latest load figures and the last ``days`` days of the load model."""
    points = history.points[-days:] if history.points else []
    last = history.point(history.end) or analytics.LoadPoint(
        history.end, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, None, "no_data"
    )
    week = [p.load for p in history.points[-analytics.SHORT_DAYS :]]
    first = next((p.day for p in history.points if p.acwr_status != "no_data"), None)
    warmup_left = (
        max(0, analytics.ACWR_WARMUP_DAYS - (history.end - first).days)
        if first is not None and last.acwr_status == "warming_up"
        else 0
    )
    latest = _load_point_out(last).model_dump(exclude={"date"})
    zone = (
        analytics.acwr_zone(last.acwr)
        if last.acwr_status == "ok" and last.acwr is not None
        else None
    )
    return TrainingLoadOut(
        date=history.end,
        **latest,
        acwr_zone=zone,
        acwr_color=analytics.ACWR_COLORS[zone] if zone else None,
        warmup_days_left=warmup_left,
        monotony=_round(analytics.training_monotony(week), 2),
        week_load=round(sum(week), 1),
        series=[_load_point_out(p) for p in points],
    )


def _load_point_out(p: analytics.LoadPoint) -> LoadPointOut:
    return LoadPointOut(
        date=p.day,
        load=round(p.load, 1),
        fitness=round(p.fitness, 1),
        fatigue=round(p.fatigue, 1),
        form=round(p.form, 1),
        acwr=_round(p.acwr, 2),
        acwr_status=p.acwr_status,
    )


def training_load(
    *, session: Session, user_id: int, days: int, today: date | None = None
) -> TrainingLoadOut:
    """``GET /analytics/training-load?days=N``: the ``days`` days ending ``today`` (the user's
    today by default)."""
    if not 1 <= days <= MAX_HISTORY_DAYS:
        raise InvalidInput(f"days must be between 1 and {MAX_HISTORY_DAYS}.", field="days")
    end = today or preferences.user_day(session=session, user_id=user_id).today()
    history = load_history(
        session=session,
        user_id=user_id,
        end=end,
        metrics_from=end - timedelta(days=analytics.BASELINE_DAYS - 1),
        load_from=end - timedelta(days=days - 1),
        today=end,
    )
    return training_load_out(history, days)


# --- the dashboard ------------------------------------------------------------------------------


def _today(*, session: Session, user_id: int, health: HealthPart, end: date) -> TodayOut:
    """The latest value of each tile, with its day and how old it is on ``end``."""
    latest = {key: max(health.series[key]) for key, *_ in TILES if health.series[key]}
    sources = _field_sources(session=session, user_id=user_id, wanted=latest)
    tiles = []
    for key, label, unit, factor in TILES:
        if key not in latest:
            continue
        if key == "weight_kg":  # stored in kg, shown in the user's unit
            unit, factor = health.weight_unit, units.weight_from_kg(1.0, health.weight_unit)
        values, day = health.series[key], latest[key]
        base = analytics.window(values, end=day, days=analytics.BASELINE_DAYS)
        value = values[day] * factor
        baseline = statistics.fmean(base) * factor if len(base) > 1 else None
        delta = value - baseline if baseline is not None else None
        tiles.append(
            TodayMetric(
                key=key,
                label=label,
                unit=unit,
                value=round(value, 2),
                date=day,
                age_days=(end - day).days,
                source=sources[key],
                baseline=_round(baseline, 2),
                delta=_round(delta, 2),
                delta_pct=_round(delta / baseline * 100, 1)
                if delta is not None and baseline
                else None,
            )
        )
    return TodayOut(metrics=tiles)


def _field_sources(*, session: Session, user_id: int, wanted: dict[str, date]) -> dict[str, str]:
    """For each metric, the source whose value won on its day (``metrics.winning_row``)."""
    if not wanted:
        return {}
    rows = session.exec(
        select(DailyMetric).where(
            DailyMetric.user_id == user_id, col(DailyMetric.date).in_(set(wanted.values()))
        )
    ).all()
    winners = {
        key: metrics.winning_row((r for r in rows if r.date == day), key)
        for key, day in wanted.items()
    }
    return {key: row.source for key, row in winners.items() if row is not None}


HRV_FIELDS: dict[str, str] = {"rmssd": "hrv_rmssd_ms", "sdnn": "hrv_sdnn_ms"}
"""The daily field of each HRV metric (never mixed: each has its own baseline)."""


def hrv_series(
    series: dict[str, dict[date, float]], *, on: date
) -> tuple[analytics.HrvMetric, dict[date, float]]:
    """The HRV metric judged on ``on`` (``analytics.hrv_metric``) and its daily series: the
    dashboard, readiness and the coach all choose here."""
    metric = analytics.hrv_metric(rmssd=series["hrv_rmssd_ms"], sdnn=series["hrv_sdnn_ms"], on=on)
    return metric, series[HRV_FIELDS[metric]]


def _hrv(
    health: HealthPart,
    *,
    verdict: analytics.HrvVerdict | None,
    metric: analytics.HrvMetric,
    on: date,
    today: date,
) -> HrvOut:
    """The HRV block: ``verdict`` (of ``metric`` on ``on``) and the 30-day chart to ``today``
    with its band."""
    values = health.series[HRV_FIELDS[metric]]
    points = []
    for offset in range(CHART_DAYS - 1, -1, -1):
        day = today - timedelta(days=offset)
        band = analytics.hrv_band(values, on=day)
        points.append(
            HrvPoint(
                date=day,
                hrv_rmssd_ms=_round(health.series["hrv_rmssd_ms"].get(day), 1),
                hrv_sdnn_ms=_round(health.series["hrv_sdnn_ms"].get(day), 1),
                hrv_7d_ms=band[0] if band else None,
                band_low_ms=band[1] if band else None,
                band_high_ms=band[2] if band else None,
            )
        )
    now = hrv_view(verdict, metric=metric, on=on, today=today)
    return HrvOut(**now.model_dump(), series=points)


def hrv_now(
    series: dict[date, float], *, on: date, today: date, metric: analytics.HrvMetric = "rmssd"
) -> HrvNow:
    """HRV on ``on`` (the latest recovery day) of one metric's ``series``."""
    return hrv_view(analytics.hrv_verdict(series, on=on), metric=metric, on=on, today=today)


def hrv_view(
    verdict: analytics.HrvVerdict | None, *, metric: analytics.HrvMetric, on: date, today: date
) -> HrvNow:
    """``analytics.hrv_verdict`` as the view model, with its age on ``today``."""
    common = {"metric": metric, "as_of": on, "age_days": max(0, (today - on).days)}
    if verdict is None:
        return HrvNow(**common, status=None, hrv_7d_ms=None, baseline_ms=None)
    return HrvNow(
        **common,
        status=verdict.status,
        color=verdict.color,
        hrv_7d_ms=verdict.week_ms,
        baseline_ms=verdict.baseline_ms,
        band_low_ms=verdict.low_ms,
        band_high_ms=verdict.high_ms,
        days_below=verdict.days_below,
        flagged=verdict.flagged,
    )


def _week(history: History, start: date, end: date) -> WeekStats:
    days = (end - start).days + 1
    sessions = [s for s in history.sessions if start <= s.day <= end]
    sleep = [v / 3600 for d, v in history.series["sleep_seconds"].items() if start <= d <= end]
    hrv = [v for d, v in history.series["hrv_rmssd_ms"].items() if start <= d <= end]
    return WeekStats(
        start=start,
        end=end,
        days=days,
        so_far=days < analytics.SHORT_DAYS,
        sessions=len(sessions),
        minutes=round(sum(s.minutes for s in sessions), 1),
        distance_m=round(sum(s.distance_m or 0.0 for s in sessions), 1),
        volume_load_kg=round(sum(s.volume_kg or 0.0 for s in sessions), 1),
        load=round(sum(s.load or 0.0 for s in sessions), 1),
        avg_sleep_hours=round(statistics.fmean(sleep), 2) if sleep else None,
        avg_hrv_ms=round(statistics.fmean(hrv), 1) if hrv else None,
    )


def weekly_stats(history: History) -> WeeklyStats:
    """This week so far (from the user's week start to today) against the whole of last week."""
    first = history.calendar.week_start_of(history.end)
    return WeeklyStats(
        this_week=_week(history, first, history.end),
        last_week=_week(history, first - timedelta(days=7), first - timedelta(days=1)),
    )


def _recent(history: History) -> list[RecentItem]:
    newest = sorted(history.sessions, key=lambda s: s.sort_key, reverse=True)[:RECENT_LIMIT]
    return [
        RecentItem(
            kind=s.kind,  # type: ignore[arg-type]
            id=s.id,
            date=s.day,
            title=s.title,
            source=s.source,
            duration_min=round(s.minutes, 1),
            distance_m=_round(s.distance_m, 1),
            avg_hr_bpm=_round(s.avg_hr, 0),
            volume_kg=_round(s.volume_kg, 1),
            load=_round(s.load, 1),
        )
        for s in newest
    ]


@dataclass(frozen=True)
class HealthView:
    """The dashboard's parts that follow from ``HealthPart`` alone, for one user's today."""

    today: date
    readiness_day: date
    health: HealthPart
    devices: list[DevicePublic]
    device_score: DeviceScore | None
    tiles: TodayOut
    hrv_metric: analytics.HrvMetric
    hrv_verdict: analytics.HrvVerdict | None
    hrv: HrvOut
    sleep: SleepOut


def health_view(*, session: Session, user_id: int, today: date) -> HealthView:
    """Read and compute what the dashboard shows outside the training log, as of ``today``."""
    readiness_day = recovery_day(session=session, user_id=user_id, today=today)
    chart_start = min(readiness_day, today - timedelta(days=CHART_DAYS - 1))
    health = read_health(
        session=session,
        user_id=user_id,
        end=today,
        metrics_from=chart_start - timedelta(days=analytics.BASELINE_DAYS - 1),
        load_from=today - timedelta(days=TREND_DAYS - 1),
        today=today,
    )
    metric, hrv_values = hrv_series(health.series, on=readiness_day)
    verdict = analytics.hrv_verdict(hrv_values, on=readiness_day)
    return HealthView(
        today=today,
        readiness_day=readiness_day,
        health=health,
        devices=device_connections.list_devices(session=session, user_id=user_id),
        device_score=_device_score(session=session, user_id=user_id, day=readiness_day),
        tiles=_today(session=session, user_id=user_id, health=health, end=today),
        hrv_metric=metric,
        hrv_verdict=verdict,
        hrv=_hrv(health, verdict=verdict, metric=metric, on=readiness_day, today=today),
        sleep=sleep_out(
            health.series["sleep_seconds"],
            need_hours=health.need_hours,
            day=readiness_day,
            today=today,
        ),
    )


def build_dashboard(
    *, session: Session, user_id: int, today: date | None = None, view: HealthView | None = None
) -> DashboardResponse:
    """The dashboard payload for the user, as of ``today`` (the user's today by default): ``view``
    (read now when not given, else as of its own day) with the training log read now."""
    today = today or preferences.user_day(session=session, user_id=user_id).today()
    if view is None or view.today != today:
        view = health_view(session=session, user_id=user_id, today=today)
    readiness_day = view.readiness_day
    history = with_training_log(
        view.health,
        session=session,
        user_id=user_id,
        end=today,
        load_from=today - timedelta(days=TREND_DAYS - 1),
    )
    readiness = compute_readiness(history, readiness_day)
    debt = analytics.sleep_debt(
        history.series["sleep_seconds"], on=readiness_day, need_hours=history.need_hours
    )
    load = training_load_out(history, TREND_DAYS)
    fresh = (today - readiness_day).days <= FRESH_RECOVERY_DAYS
    flags = analytics.risk_flags(
        hrv=view.hrv_verdict if fresh else None,
        hrv_metric=view.hrv_metric,
        debt=debt if fresh else None,
        load=history.point(today),
        monotony=load.monotony,
    )
    chart_from = today - timedelta(days=CHART_DAYS - 1)
    return DashboardResponse(
        generated_at=utcnow(),
        date=today,
        timezone=history.calendar.timezone,
        weight_unit=history.weight_unit,
        distance_unit=history.distance_unit,
        devices=view.devices,
        readiness=readiness_out(readiness, view.device_score, today=today),
        today=view.tiles,
        daily_metrics=[m for m in history.metric_days if m.date >= chart_from],
        training_load=load,
        hrv=view.hrv,
        sleep=view.sleep,
        recent_activities=_recent(history),
        weekly_stats=weekly_stats(history),
        flags=[FlagOut(code=f.code, severity=f.severity, message=f.message) for f in flags],
        explanations=analytics.explanations(
            need_hours=history.need_hours, source_priority=metrics.SOURCE_PRIORITY
        ),
    )


DASHBOARD_CACHE_USERS = 256
"""Users whose latest dashboard each process keeps (a 90-day payload is ~35 kB of JSON)."""
DASHBOARD_MAX_AGE_S = 600.0
"""Recompute at least this often: device connection states carry times of their own."""
_dashboards: PerUserCache[DashboardResponse] = PerUserCache(
    max_users=DASHBOARD_CACHE_USERS, max_age_s=DASHBOARD_MAX_AGE_S
)
_health_views: PerUserCache[HealthView] = PerUserCache(
    max_users=DASHBOARD_CACHE_USERS,
    max_age_s=DASHBOARD_MAX_AGE_S,
    version=data_version.health_current,
)


def dashboard_for(
    *, session: Session, user_id: int, today: date | None = None
) -> DashboardResponse:
    """``build_dashboard`` through the per-user cache: what the page, REST, the coach's tools and
    MCP call. Unchanged rows and the same day give the payload computed before (treat it as
    read-only); any write to the user's rows, in any process, makes the next call recompute.
    A recomputation after a write to the training log alone reuses the ``HealthView`` kept
    under the user's health version (``data_version.health_current``): it reads only the log."""
    day = today or preferences.user_day(session=session, user_id=user_id).today()

    def compute() -> DashboardResponse:
        view = _health_views.get_or_compute(
            session=session,
            user_id=user_id,
            day=day,
            compute=lambda: health_view(session=session, user_id=user_id, today=day),
        )
        return build_dashboard(session=session, user_id=user_id, today=day, view=view)

    return _dashboards.get_or_compute(session=session, user_id=user_id, day=day, compute=compute)


def clear_dashboard_cache() -> None:
    """Forget every cached dashboard of this process (tests reuse user ids across databases)."""
    _dashboards.clear()
    _health_views.clear()
