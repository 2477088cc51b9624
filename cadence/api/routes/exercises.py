"""``/exercises``: the exercise library and per-exercise progress history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from cadence.api.deps import CurrentUser, SessionDep
from cadence.api.responses import error_responses
from cadence.models.workout import ExerciseHistory, ExerciseLibrary
from cadence.services import exercises

router = APIRouter(prefix="/exercises", tags=["exercises"])


@router.get("/library", response_model=ExerciseLibrary, responses=error_responses(401, 422))
def library(
    user: CurrentUser,
    session: SessionDep,
    q: Annotated[
        str | None, Query(max_length=100, description="Filter: part of the name (any case).")
    ] = None,
) -> ExerciseLibrary:
    """Every exercise you logged, most recently performed first, with bests and volume."""
    return exercises.library(session=session, user_id=user.id, search=q)


@router.get(
    "/{name:path}/history", response_model=ExerciseHistory, responses=error_responses(401, 404)
)
def history(name: str, user: CurrentUser, session: SessionDep) -> ExerciseHistory:
    """One point per workout (date, top set, e1RM, volume) with PRs marked, oldest first."""
    return exercises.exercise_history(session=session, user_id=user.id, name=name)
