"""``/routines``: workout templates; save a workout as one, start a workout from one."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from cadence.api.deps import CurrentUser, ResourceId, SessionDep
from cadence.api.responses import error_responses
from cadence.api.routes.workouts import UniqueKeys
from cadence.models.gym import (
    RoutineCreate,
    RoutineFromWorkout,
    RoutineList,
    RoutinePublic,
    WorkoutDraft,
)
from cadence.services import routines

router = APIRouter(prefix="/routines", tags=["routines"])


@router.get("", response_model=RoutineList, responses=error_responses(401))
def list_routines(user: CurrentUser, session: SessionDep) -> RoutineList:
    """Your routines, most recently changed first."""
    return routines.list_routines(session=session, user_id=user.id)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=RoutinePublic,
    responses=error_responses(401, 413, 422),
    dependencies=[UniqueKeys],
)
def create_routine(body: RoutineCreate, user: CurrentUser, session: SessionDep) -> RoutinePublic:
    """A routine is ``{name, notes?, exercises}`` with rows as in a workout."""
    return routines.create_routine(session=session, user_id=user.id, data=body)


@router.post(
    "/from-workout",
    status_code=status.HTTP_201_CREATED,
    response_model=RoutinePublic,
    responses=error_responses(401, 404, 422),
    dependencies=[UniqueKeys],
)
def from_workout(body: RoutineFromWorkout, user: CurrentUser, session: SessionDep) -> RoutinePublic:
    """Save a finished workout as a routine."""
    return routines.routine_from_workout(
        session=session, user_id=user.id, workout_id=body.workout_id, name=body.name
    )


@router.get("/{routine_id}", response_model=RoutinePublic, responses=error_responses(401, 404))
def get_routine(routine_id: ResourceId, user: CurrentUser, session: SessionDep) -> RoutinePublic:
    return routines.get_routine(session=session, user_id=user.id, routine_id=routine_id)


@router.put(
    "/{routine_id}",
    response_model=RoutinePublic,
    responses=error_responses(401, 404, 413, 422),
    dependencies=[UniqueKeys],
)
def replace_routine(
    routine_id: ResourceId, body: RoutineCreate, user: CurrentUser, session: SessionDep
) -> RoutinePublic:
    return routines.update_routine(
        session=session, user_id=user.id, routine_id=routine_id, data=body
    )


@router.delete(
    "/{routine_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(401, 404),
)
def delete_routine(routine_id: ResourceId, user: CurrentUser, session: SessionDep) -> Response:
    routines.delete_routine(session=session, user_id=user.id, routine_id=routine_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{routine_id}/start", response_model=WorkoutDraft, responses=error_responses(401, 404))
def start(routine_id: ResourceId, user: CurrentUser, session: SessionDep) -> WorkoutDraft:
    """A workout from the routine, one row per set with last time's values (not stored)."""
    return routines.start_from_routine(session=session, user_id=user.id, routine_id=routine_id)
