"""``/activities``: the user's recorded sessions, newest first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from cadence.api.deps import CurrentUser, PageNumber, SessionDep
from cadence.api.responses import error_responses
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
) -> ActivityPage:
    """One page of activities (timer time in ``duration_s``, wall-clock in ``elapsed_s``)."""
    rows, total = activities.list_activities(
        session=session, user_id=user.id, page=page, per_page=per_page
    )
    return ActivityPage(
        activities=[activities.to_public(row) for row in rows],
        page=page,
        per_page=per_page,
        total=total,
    )
