"""``/activities``: the training timeline (one entry per session), one session's detail, and
deleting a session."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from cadence.api.deps import CurrentUser, PageNumber, ResourceId, SessionDep
from cadence.api.responses import error_responses
from cadence.models.activity import ActivityDetail, SportFamily
from cadence.models.health import ActivityPage
from cadence.services import activities
from cadence.services.activities import MAX_PER_PAGE

router = APIRouter(prefix="/activities", tags=["health data"])


@router.get("", response_model=ActivityPage, responses=error_responses(401, 422))
def list_activities(
    user: CurrentUser,
    session: SessionDep,
    page: PageNumber = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 20,
    sport: Annotated[SportFamily | None, Query(description="Only one sport family.")] = None,
) -> ActivityPage:
    """Sessions newest first; the same session recorded by two sources is one entry naming
    both (``sources``). Timer time in ``duration_s``, wall-clock in ``elapsed_s``; ``load`` is
    Cadence's TRIMP, ``device_load`` the device's own figure."""
    return activities.timeline(
        session=session, user_id=user.id, page=page, per_page=per_page, sport=sport
    )


@router.get(
    "/{activity_id}", response_model=ActivityDetail, responses=error_responses(401, 404, 422)
)
def get_activity(activity_id: ResourceId, user: CurrentUser, session: SessionDep) -> ActivityDetail:
    """One session: totals, downsampled streams (``t`` in seconds from the start), laps,
    auto-splits in the user's distance unit, HR zone time in the user's zones, the load and how
    it was computed, other sources' copies and (multisport) its legs."""
    return activities.get_activity(session=session, user_id=user.id, activity_id=activity_id)


@router.delete(
    "/{activity_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(401, 404, 422),
)
def delete_activity(activity_id: ResourceId, user: CurrentUser, session: SessionDep) -> Response:
    """Delete the session: this recording, other sources' copies of it and its legs. A
    workout made from its strength sets stays in the workout log."""
    activities.delete_activity(session=session, user_id=user.id, activity_id=activity_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
