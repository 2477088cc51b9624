"""Demo data: 90 days of realistic, reproducible metrics, activities and strength workouts.

Reproducible: the random generator is seeded with the user id and the last day, so generating
twice for the same user and day gives the same numbers (and, rows being keyed by date/external id,
adds nothing the second time). Realistic: a training plan drives the body. Each day's load
(Banister TRIMP of the sessions, computed from their HR histograms) feeds a fatigue state (7-day
EWMA) against a fitness state (42-day EWMA); HRV (rMSSD) falls and resting HR rises when fatigue
outruns fitness, both with a weekly rhythm (short weeknight sleep, a late Saturday) and noise.
The plan has easy base weeks, a hard block around days 42-55 with a deload after, and a second
hard block over the last 10 days with short sleep, so the ACWR, low-HRV and sleep-debt flags
have something to fire on. About one day in twenty has no metrics at all (watch left off).
All rows carry ``source = "demo"``.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, select

from cadence.models.health import ActivityIn, DailyMetricIn
from cadence.models.user import User
from cadence.models.workout import ExerciseEntry, WorkoutCreate
from cadence.services import activities, analytics, metrics, workouts
from cadence.services.auth import normalize_email
from cadence.services.errors import NotFound

SOURCE = "demo"
DAYS = 90
RESTING_BASE = 52.0
HRV_BASE_MS = 64.0
MAX_HR = 188.0

# (sport, minutes, average HR as a fraction of HR reserve) per weekday, Monday first.
_BASE_WEEK: dict[int, list[tuple[str, float, float]]] = {
    0: [],
    1: [("running", 45, 0.72)],
    2: [("cycling", 60, 0.55)],
    3: [("running", 35, 0.55)],
    4: [],
    5: [("cycling", 110, 0.6)],
    6: [("running", 70, 0.62)],
}
_HARD_EXTRA: dict[int, list[tuple[str, float, float]]] = {
    0: [("cycling", 50, 0.6)],
    1: [("running", 20, 0.85)],
    3: [("cycling", 60, 0.75)],
    4: [("running", 40, 0.6)],
    5: [("cycling", 60, 0.7)],
    6: [("running", 30, 0.7)],
}
_STRENGTH_DAYS = (0, 3)
STRENGTH_BODY_LOAD = 70.0
"""TRIMP-equivalent strain of one lifting session on the simulated body."""
_LIFTS = (("Back Squat", 80.0), ("Bench Press", 62.5), ("Deadlift", 100.0), ("Barbell Row", 55.0))


@dataclass
class _Body:
    """Fitness and fatigue (42- and 7-day EWMAs of daily load) that drive HRV and resting HR."""

    fitness: float
    fatigue: float


def generate_demo_data(
    *, session: Session, user_id: int, end: date | None = None, days: int = DAYS
) -> dict[str, int]:
    """Create (or refresh) the demo rows for ``days`` days ending ``end`` (default today, UTC).

    Returns counts: ``daily_metrics``, ``activities`` and ``workouts`` created this time.
    """
    end = end or datetime.now(UTC).date()
    rng = random.Random(f"cadence-demo:{user_id}:{end.isoformat()}")
    start = end - timedelta(days=days - 1)
    missing = {start + timedelta(days=rng.randrange(3, days - 3)) for _ in range(days // 20)}
    activity_rows: list[ActivityIn] = []
    strength_days: list[tuple[date, int]] = []
    body_loads: list[float] = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        phase = _phase(offset, days)
        planned = [
            _activity(day, index, s, rng) for index, s in enumerate(_sessions_for(day, phase, rng))
        ]
        activity_rows.extend(planned)
        lifting = day.weekday() in _STRENGTH_DAYS and phase != "deload"
        if lifting:
            strength_days.append((day, offset))
        body_loads.append(sum(a.load or 0.0 for a in planned) + STRENGTH_BODY_LOAD * lifting)
    usual = sum(body_loads[:28]) / 28
    body = _Body(fitness=usual, fatigue=usual)
    day_rows: list[DailyMetricIn] = []
    for offset, load in enumerate(body_loads):
        day = start + timedelta(days=offset)
        body.fitness += (load - body.fitness) * analytics.FITNESS_K
        body.fatigue += (load - body.fatigue) * analytics.FATIGUE_K
        if day not in missing:
            day_rows.append(_metrics(day, body, _phase(offset, days), load, rng))
    created = {
        "daily_metrics": metrics.upsert_daily_metrics(
            session=session, user_id=user_id, days=day_rows
        )["created"],
        "activities": activities.upsert_activities(
            session=session, user_id=user_id, activities=activity_rows
        )["created"],
        "workouts": _store_workouts(session=session, user_id=user_id, days=strength_days),
    }
    return created


def generate_for_email(*, session: Session, email: str, end: date | None = None) -> dict[str, int]:
    """``generate_demo_data`` for the account with this email (``NotFound`` if there is none)."""
    user = session.exec(select(User).where(User.email == normalize_email(email))).first()
    if user is None or user.id is None:
        raise NotFound(f"No account with the email {email!r}.")
    return generate_demo_data(session=session, user_id=user.id, end=end)


def _phase(offset: int, days: int) -> str:
    """Where ``offset`` sits in the plan: base, hard (two blocks), or the deload after block 1."""
    if days - offset <= 10:
        return "hard"
    if 42 <= offset < 56:
        return "hard"
    if 56 <= offset < 63:
        return "deload"
    return "base"


def _sessions_for(day: date, phase: str, rng: random.Random) -> list[tuple[str, float, float]]:
    planned = list(_BASE_WEEK[day.weekday()])
    if phase == "hard":
        planned += _HARD_EXTRA.get(day.weekday(), [])
    elif phase == "deload":
        planned = [(sport, minutes * 0.5, 0.55) for sport, minutes, _ in planned]
    if planned and rng.random() < 0.08:  # a skipped session now and then
        planned.pop()
    return planned


def _activity(
    day: date, index: int, planned: tuple[str, float, float], rng: random.Random
) -> ActivityIn:
    sport, minutes, intensity = planned
    minutes *= rng.uniform(0.9, 1.12)
    resting = RESTING_BASE
    avg_hr = round(resting + (MAX_HR - resting) * (intensity + rng.uniform(-0.03, 0.03)))
    histogram = _hr_histogram(avg_hr, minutes * 60, spread=6 + 10 * intensity)
    duration = round(minutes * 60)
    pace_m_s = {"running": 2.6 + 1.4 * intensity, "cycling": 6.0 + 4.0 * intensity}[sport]
    start = datetime.combine(day, time(6 + 11 * index, rng.randrange(0, 50)), tzinfo=UTC)
    return ActivityIn(
        source=SOURCE,
        external_id=f"demo-{day.isoformat()}-{index}",
        sport=sport,
        start_time=start,
        duration_s=duration,
        elapsed_s=duration + rng.randrange(0, 240),
        distance_m=round(duration * pace_m_s * rng.uniform(0.95, 1.05), 1),
        avg_hr=avg_hr,
        max_hr=max(bpm for bpm, _ in histogram),
        calories=round(minutes * (6 + 8 * intensity)),
        elevation_gain_m=round(duration / 60 * rng.uniform(1, 6)),
        load=round(analytics.histogram_trimp(histogram, resting_hr=resting, max_hr=MAX_HR), 1),
        hr_histogram=histogram,
    )


def _hr_histogram(avg_hr: float, seconds: float, *, spread: float) -> list[list[float]]:
    """A bell-shaped ``[bpm, seconds]`` histogram around ``avg_hr`` (see models.health)."""
    bpms = range(int(avg_hr - 2 * spread), int(avg_hr + 2 * spread) + 1)
    weights = [math.exp(-((bpm - avg_hr) ** 2) / (2 * (spread / 2) ** 2)) for bpm in bpms]
    total = sum(weights)
    return [
        [bpm, round(seconds * w / total, 1)]
        for bpm, w in zip(bpms, weights, strict=True)
        if seconds * w / total >= 0.5 and bpm <= MAX_HR
    ]


def _metrics(day: date, body: _Body, phase: str, load: float, rng: random.Random) -> DailyMetricIn:
    strain_gap = 2.5 * (body.fatigue - body.fitness) / body.fitness  # > 0: load outruns fitness
    weekday = day.weekday()
    weeknight = weekday in (0, 1, 2, 3, 4)  # the night before is a work night
    late_saturday = weekday == 6
    sleep_h = 7.6 - (0.45 if weeknight else -0.2) - (0.9 if late_saturday else 0.0)
    if phase == "hard":
        sleep_h -= 0.6
    sleep_h += rng.gauss(0, 0.35)
    hrv = HRV_BASE_MS * math.exp(-0.22 * strain_gap - (0.08 if late_saturday else 0.0))
    hrv *= math.exp(rng.gauss(0, 0.06)) * (1 + 0.03 * (sleep_h - 7.2))
    resting_hr = RESTING_BASE + 3.0 * strain_gap + (1.5 if late_saturday else 0) + rng.gauss(0, 0.8)
    sleep_s = round(sleep_h * 3600)
    recovery = 60 + 120 * (math.log(hrv) - math.log(HRV_BASE_MS)) - 2 * (resting_hr - RESTING_BASE)
    recovery += 6 * (sleep_h - 7.2)
    return DailyMetricIn(
        date=day,
        source=SOURCE,
        sleep_seconds=sleep_s,
        sleep_deep_seconds=round(sleep_s * rng.uniform(0.14, 0.2)),
        sleep_rem_seconds=round(sleep_s * rng.uniform(0.19, 0.25)),
        sleep_light_seconds=round(sleep_s * rng.uniform(0.5, 0.56)),
        sleep_awake_seconds=round(rng.uniform(8, 35) * 60),
        sleep_score=round(min(100.0, max(20.0, 82 + 9 * (sleep_h - 7.5) + rng.gauss(0, 3)))),
        hrv_rmssd_ms=round(hrv, 1),
        resting_hr=round(resting_hr, 1),
        recovery_score=round(min(99.0, max(5.0, recovery))),
        strain=round(min(21.0, 4 + load / 25), 1),
        steps=round(max(1500, rng.gauss(9000 if weekday < 5 else 11500, 2200))),
        body_battery=round(min(100.0, max(5.0, 70 - 25 * strain_gap + rng.gauss(0, 6)))),
        stress_avg=round(max(5.0, 28 + 10 * strain_gap + rng.gauss(0, 4))),
        spo2_pct=round(rng.uniform(95.0, 98.5), 1),
        respiratory_rate=round(14.2 + 0.5 * strain_gap + rng.gauss(0, 0.3), 1),
        weight_kg=round(74.5 - 0.01 * (day.toordinal() % 90) + rng.gauss(0, 0.25), 1)
        if weekday in (0, 3, 5)
        else None,
    )


def _store_workouts(*, session: Session, user_id: int, days: list[tuple[date, int]]) -> int:
    """Twice-weekly strength sessions with slowly rising weights; existing ones are kept."""
    wanted = {f"demo-strength-{day.isoformat()}": (day, offset) for day, offset in days}
    have = workouts.external_ids(session=session, user_id=user_id, candidates=list(wanted))
    created = 0
    for external_id, (day, offset) in wanted.items():
        if external_id in have:
            continue
        lower = day.weekday() == 0
        lifts = _LIFTS[:2] if lower else _LIFTS[2:]
        progress = 1 + 0.004 * offset
        entries = [
            ExerciseEntry(
                name=name,
                sets=4 if index == 0 else 3,
                reps="5" if index == 0 else "8",
                weight_kg=round(base * progress / 2.5) * 2.5,
                rpe=8 if index == 0 else 7,
            )
            for index, (name, base) in enumerate(lifts)
        ]
        workouts.create_workout(
            session=session,
            user_id=user_id,
            data=WorkoutCreate(
                date=day,
                workout_name="Lower body" if lower else "Pull and hinge",
                exercises=entries,
                duration_minutes=50,
            ),
            source=SOURCE,
            external_id=external_id,
        )
        created += 1
    return created
