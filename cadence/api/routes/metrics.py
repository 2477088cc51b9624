"""``/metrics``: the user's daily metrics, one merged row per day."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from cadence.api.deps import CurrentUser, SessionDep
from cadence.api.responses import error_responses
from cadence.models.common import utcnow
from cadence.models.health import METRIC_FIELDS, MetricsResponse
from cadence.services import metrics

router = APIRouter(prefix="/metrics", tags=["health data"])


@router.get(
    "",
    response_model=MetricsResponse,
    response_model_exclude_unset=True,
    responses=error_responses(401, 422),
)
def get_metrics(
    user: CurrentUser,
    session: SessionDep,
    start: Annotated[
        date | None, Query(description="First day (default: 29 days before end)")
    ] = None,
    end: Annotated[date | None, Query(description="Last day (default: today, UTC)")] = None,
    fields: Annotated[
        str | None, Query(description=f"Comma-separated subset of: {', '.join(METRIC_FIELDS)}")
    ] = None,
) -> MetricsResponse:
    """Days with data in ``[start, end]``, oldest first; each field from the highest-priority
    source that reported it (garmin, whoop, oura, apple_health, strava, demo); missing = null."""
    first, last = metrics.resolve_range(start=start, end=end, today=utcnow().date())
    days = metrics.get_daily_metrics(
        session=session,
        user_id=user.id,
        start=first,
        end=last,
        fields=metrics.parse_fields(fields),
    )
    return MetricsResponse(metrics=days)
