"""``/analytics``: training-load and readiness history for clients that chart their own."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from cadence.api.deps import CurrentUser, SessionDep
from cadence.api.responses import error_responses
from cadence.models.dashboard import ReadinessOut, TrainingLoadOut
from cadence.services import dashboard

router = APIRouter(prefix="/analytics", tags=["analytics"])


@router.get("/training-load", response_model=TrainingLoadOut, responses=error_responses(401))
def get_training_load(
    user: CurrentUser,
    session: SessionDep,
    days: Annotated[
        int, Query(ge=1, le=dashboard.MAX_HISTORY_DAYS, description="Days of series, ending today")
    ] = 90,
) -> TrainingLoadOut:
    """Fitness, fatigue, form and ACWR today, with one point per day for the last ``days``."""
    return dashboard.training_load(session=session, user_id=user.id, days=days)


@router.get("/readiness", response_model=ReadinessOut, responses=error_responses(401))
def get_readiness(
    user: CurrentUser,
    session: SessionDep,
    on: Annotated[
        date | None,
        Query(alias="date", description="YYYY-MM-DD (default: the user's today)"),
    ] = None,
) -> ReadinessOut:
    """Readiness 0-100 for one day, with its contributors and the device's own score."""
    return dashboard.readiness_on(session=session, user_id=user.id, day=on)
