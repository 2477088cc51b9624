"""``/exercises``: the exercise library and per-exercise progress history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from cadence.api.deps import CurrentUser, PageNumber, SessionDep
from cadence.api.responses import error_responses
from cadence.models.gym import (
    CatalogExercise,
    CatalogPage,
    CustomExerciseCreate,
    MappingConfirm,
    MappingPublic,
    MappingSuggestions,
    PreviousValues,
)
from cadence.models.workout import ExerciseHistory, ExerciseLibrary
from cadence.services import catalog, exercises

router = APIRouter(prefix="/exercises", tags=["exercises"])


@router.get("/catalog", response_model=CatalogPage, responses=error_responses(401, 422))
def search_catalog(
    user: CurrentUser,
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=100, description="Words of the name.")] = None,
    muscle: Annotated[str | None, Query(max_length=40, description="e.g. hamstrings")] = None,
    equipment: Annotated[str | None, Query(max_length=40, description="e.g. barbell")] = None,
    page: PageNumber = 1,
    per_page: Annotated[int, Query(ge=1, le=catalog.MAX_CATALOG_PER_PAGE)] = 50,
) -> CatalogPage:
    """Your custom exercises, then the built-in catalogue (free-exercise-db, 873 exercises)."""
    return catalog.search_catalog(
        session=session,
        user_id=user.id,
        q=q,
        muscle=muscle,
        equipment=equipment,
        page=page,
        per_page=per_page,
    )


@router.post(
    "/custom",
    status_code=status.HTTP_201_CREATED,
    response_model=CatalogExercise,
    responses=error_responses(401, 409, 422),
)
def create_custom(
    body: CustomExerciseCreate, user: CurrentUser, session: SessionDep
) -> CatalogExercise:
    """Add an exercise of your own to your catalogue."""
    return catalog.create_custom(session=session, user_id=user.id, data=body)


@router.get("/mappings", response_model=MappingSuggestions, responses=error_responses(401))
def unmapped(user: CurrentUser, session: SessionDep) -> MappingSuggestions:
    """Logged or imported names that are not a catalogue exercise yet, with suggested matches."""
    return catalog.unmapped_names(session=session, user_id=user.id)


@router.put("/mappings", response_model=MappingPublic, responses=error_responses(401, 404, 422))
def confirm_mapping(body: MappingConfirm, user: CurrentUser, session: SessionDep) -> MappingPublic:
    """Confirm that a logged name is a catalogue (or custom) exercise: its rows count as it."""
    return catalog.confirm_mapping(session=session, user_id=user.id, data=body)


@router.get("/previous", response_model=PreviousValues, responses=error_responses(401))
def previous(user: CurrentUser, session: SessionDep) -> PreviousValues:
    """Each exercise's sets last time and bests (what the live logger shows as "previous")."""
    return exercises.previous_values(session=session, user_id=user.id)


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
