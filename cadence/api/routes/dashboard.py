"""``/dashboard``: readiness, today's metrics, trends, recent sessions and flags in one call."""

from __future__ import annotations

from fastapi import APIRouter, Response

from cadence.api.deps import CallerDep
from cadence.api.responses import error_responses
from cadence.api.routes import model_json
from cadence.models.dashboard import DashboardResponse
from cadence.services import dashboard

router = APIRouter(prefix="/dashboard", tags=["dashboard"])


@router.get("", response_model=DashboardResponse, responses=error_responses(401))
async def get_dashboard(caller: CallerDep) -> Response:
    """DESIGN §6's payload as of today (UTC). Every definition is in `explanations`."""
    return await caller.run(
        lambda session, user: model_json(dashboard.dashboard_for(session=session, user_id=user.id))
    )
