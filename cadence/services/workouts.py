"""Strength workouts of one user: create, list, read, replace, delete, and load summaries.

Every query is scoped to ``user_id``; another user's workout is ``NotFound``. Lists never load
all rows: a page of workouts and the user's count are one query, its exercise rows a second one
(read as columns, not ORM objects). Both statements are built once, with bound parameters: building
a ``select`` costs more than running it from SQLAlchemy's compiled cache.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import bindparam, delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from cadence.models.common import as_utc, utcnow
from cadence.models.gym import IdempotencyKey
from cadence.models.workout import (
    ExerciseEntry,
    ExercisePublic,
    Workout,
    WorkoutCreate,
    WorkoutExercise,
    WorkoutPage,
    WorkoutPublic,
    WorkoutSummary,
)
from cadence.services import catalog, strength
from cadence.services.errors import Conflict, InvalidInput, NotFound

MAX_PER_PAGE = 100
NEWEST_FIRST = (col(Workout.date).desc(), col(Workout.created_at).desc(), col(Workout.id).desc())
_COUNT = select(func.count()).select_from(Workout).where(Workout.user_id == bindparam("user_id"))
_PAGE = (
    select(Workout, _COUNT.scalar_subquery().label("total"))
    .where(Workout.user_id == bindparam("user_id"))
    .order_by(*NEWEST_FIRST)
    .offset(bindparam("offset"))
    .limit(bindparam("limit"))
)
_EXERCISE_FIELDS = tuple(ExercisePublic.model_fields)
_EXERCISE_ROWS = (
    select(
        col(WorkoutExercise.workout_id),
        *(col(getattr(WorkoutExercise, name)) for name in _EXERCISE_FIELDS),
    )
    .where(col(WorkoutExercise.workout_id).in_(bindparam("workout_ids", expanding=True)))
    .order_by(col(WorkoutExercise.workout_id), col(WorkoutExercise.position))
)


def create_workout(
    *,
    session: Session,
    user_id: int,
    data: WorkoutCreate,
    source: str = "manual",
    external_id: str | None = None,
) -> WorkoutPublic:
    """Store a workout and its exercise rows (order kept); ``source``/``external_id`` let
    importers and generators stay idempotent (one ``external_id`` per user)."""
    workout = Workout(
        user_id=user_id,
        date=data.date,
        workout_name=data.workout_name,
        notes=data.notes,
        duration_minutes=data.duration_minutes,
        source=source,
        external_id=external_id,
    )
    session.add(workout)
    session.flush()
    rows = _store_rows(session=session, workout=workout, entries=data.exercises)
    return _to_public(workout, [_exercise_public(row) for row in rows])


def create_workout_once(
    *, session: Session, user_id: int, data: WorkoutCreate, idempotency_key: str
) -> WorkoutPublic:
    """``create_workout`` at most once per user and ``idempotency_key``: a retry with the same
    key and body returns the workout the first request made and creates nothing; the same key
    with another body is a ``Conflict``. Two concurrent first requests race on the key's unique
    constraint, so only one workout is ever stored."""
    digest = hashlib.sha256(data.model_dump_json().encode()).hexdigest()
    existing = _keyed_workout(session=session, user_id=user_id, key=idempotency_key)
    if existing is None:
        try:
            with session.begin_nested():
                created = create_workout(session=session, user_id=user_id, data=data)
                session.add(
                    IdempotencyKey(
                        user_id=user_id,
                        key=idempotency_key,
                        body_sha256=digest,
                        workout_id=created.id,
                    )
                )
                session.flush()
            return created
        except IntegrityError:
            existing = _keyed_workout(session=session, user_id=user_id, key=idempotency_key)
            if existing is None:
                raise
    if existing.body_sha256 != digest:
        raise Conflict("This Idempotency-Key was already used with a different workout.")
    return get_workout(session=session, user_id=user_id, workout_id=existing.workout_id)


def _keyed_workout(*, session: Session, user_id: int, key: str) -> IdempotencyKey | None:
    return session.exec(
        select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
    ).first()


def update_workout(
    *, session: Session, user_id: int, workout_id: int, data: WorkoutCreate
) -> WorkoutPublic:
    """Replace the workout as sent (fields and every exercise row)."""
    workout = _owned(session=session, user_id=user_id, workout_id=workout_id)
    workout.date = data.date
    workout.workout_name = data.workout_name
    workout.notes = data.notes
    workout.duration_minutes = data.duration_minutes
    workout.updated_at = utcnow()
    session.add(workout)
    session.execute(delete(WorkoutExercise).where(col(WorkoutExercise.workout_id) == workout.id))
    rows = _store_rows(session=session, workout=workout, entries=data.exercises)
    return _to_public(workout, [_exercise_public(row) for row in rows])


def delete_workout(*, session: Session, user_id: int, workout_id: int) -> None:
    """Delete the workout and its exercise rows."""
    workout = _owned(session=session, user_id=user_id, workout_id=workout_id)
    session.execute(delete(WorkoutExercise).where(col(WorkoutExercise.workout_id) == workout.id))
    session.execute(delete(IdempotencyKey).where(col(IdempotencyKey.workout_id) == workout.id))
    session.delete(workout)
    session.flush()


def get_workout(*, session: Session, user_id: int, workout_id: int) -> WorkoutPublic:
    """One workout with its exercises."""
    workout = _owned(session=session, user_id=user_id, workout_id=workout_id)
    return _to_public(workout, _rows_by_workout(session, [workout.id])[workout.id])


def list_workouts(
    *, session: Session, user_id: int, page: int = 1, per_page: int = 20
) -> WorkoutPage:
    """A page of workouts, newest first (by date, then creation); pages past the end are empty."""
    if page < 1:
        raise InvalidInput("page must be at least 1", field="page")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput(f"per_page must be between 1 and {MAX_PER_PAGE}", field="per_page")
    found = session.execute(
        _PAGE, {"user_id": user_id, "offset": (page - 1) * per_page, "limit": per_page}
    ).all()
    workouts = [workout for workout, _total in found]
    # a page past the end has no row to carry the count
    total = found[0][1] if found else session.execute(_COUNT, {"user_id": user_id}).scalar_one()
    rows = _rows_by_workout(session, [w.id for w in workouts])
    return WorkoutPage(
        workouts=[_to_public(w, rows[w.id]) for w in workouts],
        page=page,
        per_page=per_page,
        total=total,
    )


def latest_workout(*, session: Session, user_id: int) -> WorkoutPublic | None:
    """The newest workout (the one "repeat last workout" starts from), or ``None``."""
    found = list_workouts(session=session, user_id=user_id, page=1, per_page=1).workouts
    return found[0] if found else None


def external_ids(*, session: Session, user_id: int, candidates: Sequence[str]) -> set[str]:
    """Which of ``candidates`` this user already has as a workout ``external_id``."""
    if not candidates:
        return set()
    found = session.exec(
        select(Workout.external_id).where(
            Workout.user_id == user_id, col(Workout.external_id).in_(list(candidates))
        )
    ).all()
    return {value for value in found if value is not None}


def workout_id_for(*, session: Session, user_id: int, external_id: str) -> int | None:
    """The id of the user's workout stored under ``external_id``, if any."""
    return session.exec(
        select(Workout.id).where(Workout.user_id == user_id, Workout.external_id == external_id)
    ).first()


def workout_summaries(
    *, session: Session, user_id: int, start: dt.date, end: dt.date
) -> list[WorkoutSummary]:
    """Totals and session-RPE load of each workout dated ``start``..``end`` (inclusive), oldest
    first. Aggregated in SQL: one row per workout."""
    query = (
        select(
            Workout.id,
            Workout.date,
            Workout.workout_name,
            Workout.duration_minutes,
            func.count(col(WorkoutExercise.id)),
            func.coalesce(func.sum(WorkoutExercise.sets), 0),
            func.coalesce(func.sum(WorkoutExercise.volume_kg), 0.0),
            func.avg(WorkoutExercise.rpe),
        )
        .join(WorkoutExercise, col(WorkoutExercise.workout_id) == Workout.id, isouter=True)
        .where(Workout.user_id == user_id, Workout.date >= start, Workout.date <= end)
        .group_by(col(Workout.id))
        .order_by(col(Workout.date), col(Workout.created_at), col(Workout.id))
    )
    summaries = []
    for workout_id, day, name, duration, count, total_sets, volume, mean_rpe in session.exec(
        query
    ).all():
        minutes = strength.session_minutes(duration_minutes=duration, total_sets=int(total_sets))
        rpe = strength.session_rpe(float(mean_rpe) if mean_rpe is not None else None)
        summaries.append(
            WorkoutSummary(
                id=workout_id,
                date=day,
                workout_name=name,
                exercise_count=count,
                total_sets=int(total_sets),
                volume_kg=round(float(volume), 2),
                minutes=minutes,
                session_rpe=rpe,
                load=strength.session_load(rpe=rpe, minutes=minutes),
            )
        )
    return summaries


def _owned(*, session: Session, user_id: int, workout_id: int) -> Workout:
    workout = session.exec(
        select(Workout).where(Workout.id == workout_id, Workout.user_id == user_id)
    ).first()
    if workout is None:
        raise NotFound("Workout not found.")
    return workout


def _store_rows(
    *, session: Session, workout: Workout, entries: Sequence[ExerciseEntry]
) -> list[WorkoutExercise]:
    rows = []
    keys = catalog.identity_keys(
        session=session, user_id=workout.user_id, names=[entry.name for entry in entries]
    )
    for position, entry in enumerate(entries):
        stats = strength.row_stats(sets=entry.sets, reps=entry.reps, weight_kg=entry.weight_kg)
        rows.append(
            WorkoutExercise(
                workout_id=workout.id,
                user_id=workout.user_id,
                position=position,
                date=workout.date,
                name=entry.name,
                name_key=keys[entry.name],
                sets=entry.sets,
                reps=entry.reps,
                weight_kg=entry.weight_kg,
                rpe=entry.rpe,
                warmup=entry.warmup,
                set_type=entry.set_type or "normal",
                superset=entry.superset,
                total_reps=stats.total_reps,
                top_reps=stats.top_reps,
                volume_kg=stats.volume_kg,
                e1rm_kg=stats.e1rm_kg,
            )
        )
    session.add_all(rows)
    session.flush()
    return rows


def _rows_by_workout(
    session: Session, workout_ids: Sequence[int | None]
) -> dict[int, list[ExercisePublic]]:
    grouped: dict[int, list[ExercisePublic]] = defaultdict(list)
    if not workout_ids:
        return grouped
    for workout_id, *values in session.execute(_EXERCISE_ROWS, {"workout_ids": list(workout_ids)}):
        grouped[workout_id].append(
            ExercisePublic(**dict(zip(_EXERCISE_FIELDS, values, strict=True)))
        )
    return grouped


def _exercise_public(row: WorkoutExercise) -> ExercisePublic:
    return ExercisePublic(**{name: getattr(row, name) for name in _EXERCISE_FIELDS})


def _to_public(workout: Workout, exercises: list[ExercisePublic]) -> WorkoutPublic:
    return WorkoutPublic(
        id=workout.id,
        date=workout.date,
        workout_name=workout.workout_name,
        notes=workout.notes,
        duration_minutes=workout.duration_minutes,
        exercises=exercises,
        created_at=as_utc(workout.created_at),
        updated_at=as_utc(workout.updated_at),
    )
