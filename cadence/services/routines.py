"""Routines (workout templates) of one user: create, list, read, replace, delete, save a
workout as a routine, and the draft a workout started from a routine begins with.

Every query is scoped to ``user_id``; another user's routine is ``NotFound``.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from cadence.models.common import as_utc, utcnow
from cadence.models.gym import (
    Routine,
    RoutineCreate,
    RoutineList,
    RoutinePublic,
    WorkoutDraft,
)
from cadence.models.workout import ExerciseEntry, ExercisePublic, reps_per_set
from cadence.services import catalog, exercises, workouts
from cadence.services.errors import NotFound

MAX_ROUTINES = 200


def create_routine(*, session: Session, user_id: int, data: RoutineCreate) -> RoutinePublic:
    """Store a routine; its rows are kept in order, as sent."""
    routine = Routine(
        user_id=user_id,
        name=data.name,
        notes=data.notes,
        exercises=[entry.model_dump(mode="json") for entry in data.exercises],
    )
    session.add(routine)
    session.flush()
    return _to_public(routine)


def list_routines(*, session: Session, user_id: int) -> RoutineList:
    """The user's routines (at most 200), most recently changed first."""
    rows = session.exec(
        select(Routine)
        .where(Routine.user_id == user_id)
        .order_by(col(Routine.updated_at).desc(), col(Routine.id).desc())
        .limit(MAX_ROUTINES)
    ).all()
    return RoutineList(routines=[_to_public(row) for row in rows])


def get_routine(*, session: Session, user_id: int, routine_id: int) -> RoutinePublic:
    return _to_public(_owned(session=session, user_id=user_id, routine_id=routine_id))


def update_routine(
    *, session: Session, user_id: int, routine_id: int, data: RoutineCreate
) -> RoutinePublic:
    """Replace the routine as sent."""
    routine = _owned(session=session, user_id=user_id, routine_id=routine_id)
    routine.name = data.name
    routine.notes = data.notes
    routine.exercises = [entry.model_dump(mode="json") for entry in data.exercises]
    routine.updated_at = utcnow()
    session.add(routine)
    session.flush()
    return _to_public(routine)


def delete_routine(*, session: Session, user_id: int, routine_id: int) -> None:
    session.delete(_owned(session=session, user_id=user_id, routine_id=routine_id))
    session.flush()


def routine_from_workout(
    *, session: Session, user_id: int, workout_id: int, name: str | None = None
) -> RoutinePublic:
    """Save a finished workout as a routine (its rows, set by set, and its name by default)."""
    workout = workouts.get_workout(session=session, user_id=user_id, workout_id=workout_id)
    data = RoutineCreate(
        name=name or workout.workout_name,
        notes=workout.notes,
        exercises=[ExerciseEntry(**row.model_dump()) for row in workout.exercises],
    )
    return create_routine(session=session, user_id=user_id, data=data)


def start_from_routine(*, session: Session, user_id: int, routine_id: int) -> WorkoutDraft:
    """The routine's rows with each exercise's last values filled in: the n-th set of an
    exercise takes the weight and reps of that exercise's n-th set last time (the routine's own
    values where there was none). Nothing is stored until the workout is finished."""
    routine = _owned(session=session, user_id=user_id, routine_id=routine_id)
    entries = [ExerciseEntry(**row) for row in routine.exercises]
    keys = catalog.identity_keys(
        session=session, user_id=user_id, names=[entry.name for entry in entries]
    )
    previous = {
        item.key: item
        for item in exercises.previous_values(session=session, user_id=user_id).exercises
    }
    seen: dict[str, int] = {}
    rows = []
    for entry in entries:
        last = previous.get(keys[entry.name])
        planned = reps_per_set(entry.reps, entry.sets)
        for set_number in range(entry.sets):
            index = seen.get(entry.name, 0)
            seen[entry.name] = index + 1
            done = last.sets[index] if last and index < len(last.sets) else None
            rows.append(
                ExercisePublic(
                    name=entry.name,
                    sets=1,
                    reps=str(done.reps if done else planned[set_number]),
                    weight_kg=done.weight_kg if done else entry.weight_kg,
                    rpe=entry.rpe,
                    warmup=entry.warmup,
                    set_type=entry.set_type or "normal",
                    superset=entry.superset,
                )
            )
    return WorkoutDraft(routine_id=routine.id, workout_name=routine.name, exercises=rows)


def _owned(*, session: Session, user_id: int, routine_id: int) -> Routine:
    routine = session.exec(
        select(Routine).where(Routine.id == routine_id, Routine.user_id == user_id)
    ).first()
    if routine is None:
        raise NotFound("Routine not found.")
    return routine


def _to_public(routine: Routine) -> RoutinePublic:
    return RoutinePublic(
        id=routine.id,
        name=routine.name,
        notes=routine.notes,
        exercises=[ExercisePublic(**row) for row in routine.exercises],
        created_at=as_utc(routine.created_at),
        updated_at=as_utc(routine.updated_at),
    )
