"""``/workouts``: log, list, read, replace and delete strength workouts (DESIGN §3)."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from sqlmodel import Session

from cadence.api.deps import CallerDep, CurrentUser, PageNumber, ResourceId, SessionDep
from cadence.api.responses import error_responses
from cadence.api.routes import model_json
from cadence.models.gym import MAX_IDEMPOTENCY_KEY_LENGTH
from cadence.models.user import User
from cadence.models.workout import WorkoutCreate, WorkoutPage, WorkoutPublic, WorkoutUpdate
from cadence.services import workouts
from cadence.services.workouts import MAX_PER_PAGE


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _pairs_without_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    seen: dict[str, object] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


async def reject_duplicate_keys(request: Request) -> None:
    """422 when a JSON object in the body repeats a key (JSON parsers silently keep the last)."""
    try:
        json.loads(await request.body(), object_pairs_hook=_pairs_without_duplicates)
    except _DuplicateKey as exc:
        raise RequestValidationError(
            [
                {
                    "type": "duplicate_key",
                    "loc": ("body", exc.key),
                    "msg": f"duplicate key '{exc.key}' in the JSON body",
                    "input": exc.key,
                }
            ]
        ) from None
    except ValueError:
        return  # malformed JSON: FastAPI's own body parsing reports it


UniqueKeys = Depends(reject_duplicate_keys)
router = APIRouter(prefix="/workouts", tags=["workouts"])


@router.get("", response_model=WorkoutPage, responses=error_responses(401, 422))
async def list_workouts(
    caller: CallerDep,
    page: PageNumber = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 20,
) -> Response:
    """Workouts newest first (by date, then creation)."""
    return await caller.run(
        lambda session, user: model_json(
            workouts.list_workouts(session=session, user_id=user.id, page=page, per_page=per_page)
        )
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=WorkoutPublic,
    responses=error_responses(401, 409, 413, 422),
    dependencies=[UniqueKeys],
)
async def create_workout(
    body: WorkoutCreate,
    caller: CallerDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            min_length=1,
            max_length=MAX_IDEMPOTENCY_KEY_LENGTH,
            description="Send one key per workout: a retry with the same key (yours only) "
            "returns the first answer and creates nothing; the same key with another body is 409.",
        ),
    ] = None,
) -> Response:
    """Log a workout; exercise order is kept."""

    def log(session: Session, user: User) -> Response:
        if idempotency_key is None:
            created = workouts.create_workout(session=session, user_id=user.id, data=body)
        else:
            created = workouts.create_workout_once(
                session=session, user_id=user.id, data=body, idempotency_key=idempotency_key
            )
        return model_json(created, status_code=status.HTTP_201_CREATED)

    return await caller.run(log)


@router.get("/{workout_id}", response_model=WorkoutPublic, responses=error_responses(401, 404))
def get_workout(workout_id: ResourceId, user: CurrentUser, session: SessionDep) -> WorkoutPublic:
    return workouts.get_workout(session=session, user_id=user.id, workout_id=workout_id)


@router.put(
    "/{workout_id}",
    response_model=WorkoutPublic,
    responses=error_responses(401, 404, 413, 422),
    dependencies=[UniqueKeys],
)
def replace_workout(
    workout_id: ResourceId, body: WorkoutUpdate, user: CurrentUser, session: SessionDep
) -> WorkoutPublic:
    """Replace the workout as sent (every field and exercise row)."""
    return workouts.update_workout(
        session=session, user_id=user.id, workout_id=workout_id, data=body
    )


@router.delete(
    "/{workout_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(401, 404),
)
def delete_workout(workout_id: ResourceId, user: CurrentUser, session: SessionDep) -> Response:
    workouts.delete_workout(session=session, user_id=user.id, workout_id=workout_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
