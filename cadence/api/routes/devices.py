"""``/devices``: list, connect, OAuth callback, manual sync and disconnect (DESIGN §3)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Body, Query, Request, Response, status
from fastapi.responses import RedirectResponse

from cadence.api.deps import CurrentUser, SessionDep
from cadence.api.responses import error_responses
from cadence.config import get_settings
from cadence.models.device import ConnectResponse, DeviceList, DevicePublic, GarminConnectRequest
from cadence.services.devices import connections, oauth_flow, sync
from cadence.services.devices.registry import PROVIDER_NAMES
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
    response: Response,
    body: Annotated[GarminConnectRequest | None, Body()] = None,
) -> ConnectResponse:
    """Garmin: send ``{email, password}``; the password is used once to sign in and never stored.
    WHOOP and Strava: no body; the answer sets an HttpOnly cookie that binds the authorisation
    to the browser that made this request: open the returned ``authorize_url`` in that same
    browser (the provider then redirects to ``/devices/{provider}/callback``, which refuses a
    browser without the cookie). 409: the provider is not set up on this server (no OAuth client
    id); 503: the provider could not be reached."""
    params = body.model_dump() if body else {}
    started = connections.start_connect(
        session=session, user_id=user.id, provider=provider, params=params
    )
    if started.browser_cookie is not None:
        _set_cookie(response, started.browser_cookie)
    return started.response


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
    request: Request,
    session: SessionDep,
    state: Annotated[str, Query(max_length=200)] = "",
    code: Annotated[str | None, Query(max_length=2000)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> RedirectResponse:
    """The OAuth redirect target (no bearer token: the single-use ``state`` identifies the user,
    and only in the browser holding the cookie set by ``connect``). Redirects to the Devices page
    with ``?provider=…&connected=1`` or ``&error=<message>``."""
    outcome: dict[str, str] = {"provider": provider}
    try:
        connections.complete_oauth(
            session=session,
            provider=provider,
            state=state,
            code=code,
            error=error,
            browser_cookie=request.cookies.get(oauth_flow.cookie_name(provider)),
        )
        outcome["connected"] = "1"
    except DomainError as exc:
        outcome["error"] = exc.message
    base = get_settings().resolved_public_url
    answer = RedirectResponse(f"{base}/devices?{urlencode(outcome)}", status_code=303)
    if provider in PROVIDER_NAMES:
        _set_cookie(answer, oauth_flow.cleared_cookie(provider))
    return answer


def _set_cookie(response: Response, cookie: oauth_flow.BrowserCookie) -> None:
    response.set_cookie(
        cookie.name,
        cookie.value,
        max_age=cookie.max_age_s,
        path=cookie.path,
        secure=cookie.secure,
        httponly=True,
        samesite="lax",
    )


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
