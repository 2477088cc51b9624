"""The exercise library (every exercise a user logged) and per-exercise progress history.

Names are matched case- and space-insensitively (``exercise_name_key``); the library shows the
most recent spelling. ``times_logged`` counts workouts containing the exercise, ``best_*`` skip
warm-up rows, ``total_volume_kg`` includes them. The library is one SQL aggregation over the
indexed exercise rows: no row is loaded into Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from sqlalchemy import case, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from cadence.models.gym import PreviousExercise, PreviousSet, PreviousValues, WorkoutPr
from cadence.models.workout import (
    ExerciseHistory,
    ExerciseLibrary,
    HistoryPoint,
    LibraryExercise,
    WorkoutExercise,
    exercise_name_key,
    reps_per_set,
)
from cadence.services import catalog, strength
from cadence.services.errors import NotFound

Row = WorkoutExercise
MAX_PREVIOUS_EXERCISES = 200


def library(*, session: Session, user_id: int, search: str | None = None) -> ExerciseLibrary:
    """Every exercise the user logged, most recently performed first; ``search`` filters by a
    case- and space-insensitive substring of the name."""
    working = col(Row.warmup).is_(False)
    scope = [col(Row.user_id) == user_id]
    key = exercise_name_key(search or "")
    if key:
        scope.append(col(Row.name_key).contains(key, autoescape=True))
    totals = (
        select(
            col(Row.name_key).label("name_key"),
            func.count(func.distinct(Row.workout_id)).label("times_logged"),
            func.max(Row.date).label("last_performed"),
            func.max(case((working, Row.weight_kg))).label("best_weight_kg"),
            func.max(case((working, Row.e1rm_kg))).label("best_e1rm_kg"),
            func.sum(Row.volume_kg).label("total_volume_kg"),
        )
        .where(*scope)
        .group_by(col(Row.name_key))
        .subquery()
    )
    latest = aliased(Row)
    spelling = (
        select(latest.name)
        .where(latest.user_id == user_id, latest.name_key == totals.c.name_key)
        .order_by(latest.date.desc(), latest.workout_id.desc(), latest.position)
        .limit(1)
        .scalar_subquery()
    )
    query = select(spelling.label("name"), totals).order_by(
        totals.c.last_performed.desc(), totals.c.name_key
    )
    return ExerciseLibrary(
        exercises=[
            LibraryExercise(
                name=row.name,
                times_logged=row.times_logged,
                last_performed=row.last_performed,
                best_weight_kg=row.best_weight_kg,
                best_e1rm_kg=row.best_e1rm_kg,
                total_volume_kg=round(float(row.total_volume_kg), 2),
            )
            for row in session.exec(query).all()
        ]
    )


def exercise_history(*, session: Session, user_id: int, name: str) -> ExerciseHistory:
    """One point per workout containing the exercise, oldest first, with PRs marked.

    A point's top set is its heaviest working set (ties: most reps), e1RM the best working set's,
    volume all rows' (warm-ups included). ``NotFound`` when the user never logged it.
    """
    key = catalog.identity_keys(session=session, user_id=user_id, names=[name])[name]
    rows = session.exec(
        select(Row)
        .where(col(Row.user_id) == user_id, col(Row.name_key) == key)
        .order_by(col(Row.date), col(Row.workout_id), col(Row.position))
    ).all()
    if not rows:
        raise NotFound(f"No exercise named '{name}' in your log.")
    sessions = [list(group) for _, group in groupby(rows, key=lambda r: r.workout_id)]
    bests = [_session_best(group) for group in sessions]
    flags = strength.detect_prs([best for best, _ in bests])
    points = [
        HistoryPoint(
            date=group[0].date,
            workout_id=group[0].workout_id,
            top_weight_kg=best.top_weight_kg,
            top_reps=top_reps,
            e1rm_kg=best.e1rm_kg,
            volume_kg=round(sum(r.volume_kg for r in group), 2),
            e1rm_pr=flag.e1rm,
            weight_pr=flag.weight,
        )
        for group, (best, top_reps), flag in zip(sessions, bests, flags, strict=True)
    ]
    latest_name = max(rows, key=lambda r: (r.date, r.workout_id, -r.position)).name
    return ExerciseHistory(name=latest_name, points=points)


def _session_best(rows: Sequence[WorkoutExercise]) -> tuple[strength.SessionBest, int | None]:
    working = [r for r in rows if not r.warmup]
    if not working:
        return strength.SessionBest(e1rm_kg=None, top_weight_kg=None), None
    top = max(working, key=lambda r: (r.weight_kg, r.top_reps))
    estimates = [r.e1rm_kg for r in working if r.e1rm_kg is not None]
    best = strength.SessionBest(
        e1rm_kg=max(estimates) if estimates else None, top_weight_kg=top.weight_kg
    )
    return best, top.top_reps


def previous_values(*, session: Session, user_id: int) -> PreviousValues:
    """For each of the user's most recently performed exercises (at most 200): the sets of the
    last workout that had it, in order, and the bests (working sets only) the live logger
    compares a ticked set with to show a PR."""
    working = col(Row.warmup).is_(False)
    totals = session.exec(
        select(
            Row.name_key,
            func.max(Row.date),
            func.max(case((working, Row.e1rm_kg))),
            func.max(case((working, Row.weight_kg))),
        )
        .where(col(Row.user_id) == user_id)
        .group_by(col(Row.name_key))
        .order_by(func.max(Row.date).desc())
        .limit(MAX_PREVIOUS_EXERCISES)
    ).all()
    aliases = catalog.aliases(session=session, user_id=user_id)
    if not totals:
        return PreviousValues(exercises=[], aliases=aliases)
    last_day = {key: day for key, day, _, _ in totals}
    rows = session.exec(
        select(Row)
        .where(
            col(Row.user_id) == user_id,
            col(Row.name_key).in_(list(last_day)),
            col(Row.date).in_(set(last_day.values())),
        )
        .order_by(col(Row.name_key), col(Row.workout_id).desc(), col(Row.position))
    ).all()
    latest: dict[str, list[WorkoutExercise]] = {}
    for row in rows:
        if row.date != last_day[row.name_key]:
            continue
        group = latest.setdefault(row.name_key, [row])
        if group[0].workout_id == row.workout_id and group[-1] is not row:
            group.append(row)
    return PreviousValues(
        exercises=[
            PreviousExercise(
                key=key,
                name=latest[key][-1].name,
                date=day,
                sets=[
                    PreviousSet(
                        set_type=row.set_type, weight_kg=row.weight_kg, reps=reps, rpe=row.rpe
                    )
                    for row in latest[key]
                    for reps in reps_per_set(row.reps, row.sets)
                ],
                best_e1rm_kg=best_e1rm,
                best_weight_kg=best_weight,
            )
            for key, day, best_e1rm, best_weight in totals
            if key in latest
        ],
        aliases=aliases,
    )


def workout_prs(*, session: Session, user_id: int, workout_id: int) -> list[WorkoutPr]:
    """The exercises of one of the user's workouts that set an e1RM or weight PR in it (the rule
    of ``exercise_history``), in workout order."""
    names = session.exec(
        select(Row.name)
        .where(col(Row.user_id) == user_id, col(Row.workout_id) == workout_id)
        .order_by(col(Row.position))
    ).all()
    keys = catalog.identity_keys(session=session, user_id=user_id, names=names)
    found, seen = [], set()
    for name in names:
        if keys[name] in seen:
            continue
        seen.add(keys[name])
        point = next(
            p
            for p in exercise_history(session=session, user_id=user_id, name=name).points
            if p.workout_id == workout_id
        )
        if point.e1rm_pr or point.weight_pr:
            found.append(WorkoutPr(name=name, e1rm=point.e1rm_pr, weight=point.weight_pr))
    return found
