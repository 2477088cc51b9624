"""``/devices``: list, connect, OAuth callback, manual sync and disconnect (DESIGN §3)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Body, Query, Response, status
from fastapi.responses import RedirectResponse

from cadence.api.deps import CurrentUser, SessionDep
from cadence.api.responses import error_responses
from cadence.config import get_settings
from cadence.models.device import ConnectResponse, DeviceList, DevicePublic, GarminConnectRequest
from cadence.services.devices import connections, sync
from cadence.services.errors import DomainError

router = APIRouter(prefix="/devices", tags=["devices"])


@router.get("", response_model=DeviceList, responses=error_responses(401))
def list_devices(user: CurrentUser, session: SessionDep) -> DeviceList:
    """Every supported provider with its connection status (``ok``, ``syncing``, ``error``,
    ``disconnected``), last successful sync and last error in words."""
    return DeviceList(devices=connections.list_devices(session=session, user_id=user.id))


@router.post(
    "/{provider}/connect",
    response_model=ConnectResponse,
    responses=error_responses(401, 404, 409, 422, 503),
)
def connect(
    provider: str,
    user: CurrentUser,
    session: SessionDep,
    body: Annotated[GarminConnectRequest | None, Body()] = None,
) -> ConnectResponse:
    """Garmin: send ``{email, password}``; the password is used once to sign in and never stored.
    WHOOP and Strava: no body; open the returned ``authorize_url`` in a browser, the provider then
    redirects to ``/devices/{provider}/callback``. 409: the provider is not set up on this server
    (no OAuth client id); 503: the provider could not be reached."""
    params = body.model_dump() if body else {}
    return connections.start_connect(
        session=session, user_id=user.id, provider=provider, params=params
    )


@router.get(
    "/{provider}/callback",
    status_code=status.HTTP_303_SEE_OTHER,
    response_class=RedirectResponse,
    responses={
        303: {"description": "Back to the Devices page, with the outcome in the query"},
        **error_responses(404),
    },
)
def oauth_callback(
    provider: str,
    session: SessionDep,
    state: Annotated[str, Query(max_length=200)] = "",
    code: Annotated[str | None, Query(max_length=2000)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> RedirectResponse:
    """The OAuth redirect target (no bearer token: the single-use ``state`` identifies the user).
    Redirects to the Devices page with ``?provider=…&connected=1`` or ``&error=<message>``."""
    outcome: dict[str, str] = {"provider": provider}
    try:
        connections.complete_oauth(
            session=session, provider=provider, state=state, code=code, error=error
        )
        outcome["connected"] = "1"
    except DomainError as exc:
        outcome["error"] = exc.message
    base = get_settings().resolved_public_url
    return RedirectResponse(f"{base}/devices?{urlencode(outcome)}", status_code=303)


@router.post(
    "/{provider}/sync",
    response_model=DevicePublic,
    responses=error_responses(401, 404, 409),
)
def sync_device(provider: str, user: CurrentUser, session: SessionDep) -> DevicePublic:
    """Sync now and answer with the new status; a provider failure is reported in ``status``
    and ``last_error`` (not as an HTTP error). 409 while another sync of it is running."""
    sync.sync_now(session=session, user_id=user.id, provider=provider)
    return connections.device_status(session=session, user_id=user.id, provider=provider)


@router.delete(
    "/{provider}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(401, 404),
)
def disconnect(provider: str, user: CurrentUser, session: SessionDep) -> Response:
    """Disconnect: the stored credentials are erased; data already synced stays."""
    connections.disconnect(session=session, user_id=user.id, provider=provider)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
