"""An OAuth authorisation bound to the browser that started it, for every OAuth provider.

The mix-up this prevents: user B starts "Connect WHOOP" and sends the provider's authorize link
to user A; A consents, the provider redirects A's browser to the callback with B's ``state``,
and A's WHOOP would be linked to B's account. So:

- ``begin`` records a single-use ``state`` for the user (``DeviceOAuthState``, ``STATE_TTL``)
  and returns the provider's authorize URL together with a cookie for the browser that asked
  (``POST /devices/{provider}/connect``): the provider, the state and, for a provider with
  ``pkce``, the PKCE code verifier, encrypted and signed (``crypto.seal``), HttpOnly,
  SameSite=Lax (it must come back on the provider's redirect, a cross-site top-level
  navigation), Secure on an https public URL, path ``/api/v1/devices/``, ``STATE_TTL`` long.
- ``complete`` accepts the callback only when that cookie comes with it and names the same
  state: the state consumed, the code exchanged (with the verifier), the account linked. A
  state that this browser was not given is refused and nothing is linked. The first callback
  that names a state consumes it, whatever the outcome.

Providers get this by being OAuth providers (``auth == "oauth"``); each declares ``pkce`` (the
S256 challenge is sent with the authorize URL, the verifier with the code).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta

from pydantic import BaseModel, ValidationError
from sqlmodel import Session, col, delete, select

from cadence.config import get_settings
from cadence.models.common import as_utc, utcnow
from cadence.models.device import DeviceOAuthState
from cadence.services import crypto
from cadence.services.devices.base import DeviceProvider
from cadence.services.errors import InvalidInput

STATE_TTL = timedelta(minutes=15)
COOKIE_PATH = "/api/v1/devices/"


@dataclass(frozen=True)
class BrowserCookie:
    """A cookie the route sets on (or clears from) the browser."""

    name: str
    value: str
    max_age_s: int
    path: str
    secure: bool


@dataclass(frozen=True)
class StartedAuthorisation:
    authorize_url: str
    cookie: BrowserCookie


@dataclass(frozen=True)
class GrantedAuthorisation:
    """A callback accepted for ``user_id``; ``code_verifier`` goes with the code (PKCE)."""

    user_id: int
    code_verifier: str | None


class _Binding(BaseModel):
    provider: str
    state: str
    code_verifier: str | None = None


def cookie_name(provider: str) -> str:
    return f"cadence_oauth_{provider}"


def begin(*, session: Session, user_id: int, provider: DeviceProvider) -> StartedAuthorisation:
    """Record a new state for ``user_id`` and return the authorize URL and the browser's cookie.
    Expired states of anyone are deleted on the way."""
    now = utcnow()
    session.exec(delete(DeviceOAuthState).where(col(DeviceOAuthState.expires_at) < now))
    state = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64) if provider.pkce else None
    session.add(
        DeviceOAuthState(
            state=state, user_id=user_id, provider=provider.name, expires_at=now + STATE_TTL
        )
    )
    session.flush()
    binding = _Binding(provider=provider.name, state=state, code_verifier=verifier)
    return StartedAuthorisation(
        authorize_url=provider.authorize_url(
            state=state,
            redirect_uri=redirect_uri(provider.name),
            code_challenge=_challenge(verifier) if verifier else None,
        ),
        cookie=_cookie(provider.name, crypto.seal(binding.model_dump_json())),
    )


def complete(
    *, session: Session, provider: DeviceProvider, state: str, cookie: str | None
) -> GrantedAuthorisation:
    """The user and PKCE verifier of a callback whose ``state`` this browser was given (its
    ``cookie``); ``InvalidInput`` in words otherwise. Consumes the state either way."""
    pending = session.exec(
        select(DeviceOAuthState).where(
            DeviceOAuthState.state == state, DeviceOAuthState.provider == provider.name
        )
    ).first()
    if pending is not None:
        session.delete(pending)
        session.commit()  # consumed, whatever follows
    if pending is None or as_utc(pending.expires_at) < utcnow():
        raise InvalidInput(
            f"This {provider.label} authorisation link is invalid or expired; "
            "start again from the Devices page.",
            field="state",
        )
    binding = _opened(cookie)
    if binding is None or (binding.provider, binding.state) != (provider.name, state):
        raise InvalidInput(
            f"This {provider.label} authorisation was not started in this browser (or took more "
            "than 15 minutes), so nothing was connected. Sign in to Cadence here and connect "
            "from the Devices page.",
            field="state",
        )
    return GrantedAuthorisation(user_id=pending.user_id, code_verifier=binding.code_verifier)


def cleared_cookie(provider: str) -> BrowserCookie:
    """The cookie that removes a provider's binding (sent with every callback's answer)."""
    return BrowserCookie(
        name=cookie_name(provider), value="", max_age_s=0, path=COOKIE_PATH, secure=_secure()
    )


def redirect_uri(provider: str) -> str:
    """The OAuth redirect URI registered with the provider for this server."""
    return f"{get_settings().resolved_public_url}/api/v1/devices/{provider}/callback"


def _cookie(provider: str, value: str) -> BrowserCookie:
    return BrowserCookie(
        name=cookie_name(provider),
        value=value,
        max_age_s=int(STATE_TTL.total_seconds()),
        path=COOKIE_PATH,
        secure=_secure(),
    )


def _opened(cookie: str | None) -> _Binding | None:
    text = crypto.unseal(cookie, max_age_s=int(STATE_TTL.total_seconds())) if cookie else None
    if text is None:
        return None
    try:
        return _Binding.model_validate(json.loads(text))
    except (ValueError, ValidationError):
        return None


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _secure() -> bool:
    return get_settings().resolved_public_url.startswith("https://")
