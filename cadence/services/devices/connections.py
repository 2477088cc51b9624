"""Device connections for a user: list, connect (password or OAuth), callback, disconnect.

Credentials are stored only as Fernet ciphertext of their JSON (``services.crypto``). Provider
network calls happen after the current transaction is committed, so a slow provider never holds
a database write lock. A new connection is due for its first sync at once.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from sqlmodel import Session, select

from cadence.models.common import as_utc, utcnow
from cadence.models.device import (
    ConnectResponse,
    DeviceConnection,
    DevicePublic,
)
from cadence.services.crypto import decrypt_secret, encrypt_secret
from cadence.services.devices import oauth_flow
from cadence.services.devices.base import (
    Credentials,
    DeviceProvider,
    ProviderAuthError,
    ProviderError,
)
from cadence.services.devices.oauth_flow import BrowserCookie
from cadence.services.devices.registry import PROVIDER_NAMES, get_provider
from cadence.services.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    ServiceUnavailable,
)

logger = logging.getLogger(__name__)

INTERRUPTED_SYNC = "The last sync stopped unexpectedly (the app restarted?); it will be retried."


def get_connection(*, session: Session, user_id: int, provider: str) -> DeviceConnection | None:
    return session.exec(
        select(DeviceConnection).where(
            DeviceConnection.user_id == user_id, DeviceConnection.provider == provider
        )
    ).first()


def to_public(provider: str, connection: DeviceConnection | None) -> DevicePublic:
    """The §3 view of one provider; a sync whose lease ran out is reported as interrupted."""
    if connection is None or connection.credentials is None:
        return DevicePublic(
            provider=provider,
            connected=False,
            status="disconnected",
            last_sync_at=connection.last_sync_at if connection else None,
            last_error=connection.last_error if connection else None,
        )
    status, error = connection.status, connection.last_error
    lease_end = connection.lease_expires_at
    if status == "syncing" and (lease_end is None or as_utc(lease_end) < utcnow()):
        status, error = "error", INTERRUPTED_SYNC
    return DevicePublic(
        provider=provider,
        connected=True,
        status=status,
        last_sync_at=connection.last_sync_at,
        last_error=error,
    )


def list_devices(*, session: Session, user_id: int) -> list[DevicePublic]:
    """Every supported provider, connected or not, in a fixed order."""
    rows = session.exec(select(DeviceConnection).where(DeviceConnection.user_id == user_id)).all()
    by_provider = {row.provider: row for row in rows}
    return [to_public(name, by_provider.get(name)) for name in PROVIDER_NAMES]


def device_status(*, session: Session, user_id: int, provider: str) -> DevicePublic:
    get_provider(provider)  # unknown provider → NotFound
    return to_public(provider, get_connection(session=session, user_id=user_id, provider=provider))


def read_credentials(connection: DeviceConnection) -> Credentials:
    """Decrypt a connection's credentials (``NotFound`` when it is not connected)."""
    if connection.credentials is None:
        raise NotFound(f"{connection.provider} is not connected.")
    return json.loads(decrypt_secret(connection.credentials))


def store_credentials(connection: DeviceConnection, credentials: Credentials) -> None:
    connection.credentials = encrypt_secret(json.dumps(credentials, separators=(",", ":")))
    connection.updated_at = utcnow()


def _configured_provider(name: str) -> DeviceProvider:
    provider = get_provider(name)
    problem = provider.setup_problem()
    if problem:  # 409: this server's setup, not a passing outage
        raise Conflict(problem)
    return provider


@dataclass(frozen=True)
class ConnectStarted:
    """What ``start_connect`` did: the answer, and for OAuth the cookie that binds the
    authorisation to the asking browser (``oauth_flow``)."""

    response: ConnectResponse
    browser_cookie: BrowserCookie | None = None


def start_connect(
    *, session: Session, user_id: int, provider: str, params: dict[str, str]
) -> ConnectStarted:
    """Connect with a sign-in (password providers), or start an OAuth authorisation: its
    ``authorize_url`` works only in the browser that receives ``browser_cookie``."""
    impl = _configured_provider(provider)
    if impl.auth == "oauth":
        started = oauth_flow.begin(session=session, user_id=user_id, provider=impl)
        current = device_status(session=session, user_id=user_id, provider=provider)
        return ConnectStarted(
            response=ConnectResponse(
                provider=provider,
                connected=current.connected,
                status=current.status,
                authorize_url=started.authorize_url,
            ),
            browser_cookie=started.cookie,
        )
    credentials = _exchange(impl, session=session, params=params)
    _save_connection(session=session, user_id=user_id, provider=provider, credentials=credentials)
    return ConnectStarted(response=ConnectResponse(provider=provider, connected=True, status="ok"))


def complete_oauth(
    *,
    session: Session,
    provider: str,
    state: str,
    code: str | None,
    error: str | None,
    browser_cookie: str | None,
) -> int:
    """Finish an OAuth authorisation from the provider's redirect; returns the user id.

    Only in the browser that started it (``oauth_flow.complete``: its cookie names this
    ``state``); the state is single-use and expires after 15 minutes.
    """
    impl = _configured_provider(provider)
    granted = oauth_flow.complete(
        session=session, provider=impl, state=state, cookie=browser_cookie
    )
    if error or not code:
        raise InvalidInput(f"{impl.label} access was not granted ({error or 'no code'}).")
    params = {"code": code}
    if granted.code_verifier:
        params["code_verifier"] = granted.code_verifier
    credentials = _exchange(impl, session=session, params=params)
    _save_connection(
        session=session, user_id=granted.user_id, provider=provider, credentials=credentials
    )
    return granted.user_id


def _exchange(impl: DeviceProvider, *, session: Session, params: dict[str, str]) -> Credentials:
    session.commit()  # no transaction stays open during the provider call
    try:
        return impl.connect(params=params, redirect_uri=oauth_flow.redirect_uri(impl.name))
    except ProviderAuthError as exc:
        raise InvalidInput(exc.message) from exc
    except ProviderError as exc:
        raise ServiceUnavailable(exc.message) from exc


def _save_connection(
    *, session: Session, user_id: int, provider: str, credentials: Credentials
) -> DeviceConnection:
    connection = get_connection(session=session, user_id=user_id, provider=provider)
    if connection is None:
        connection = DeviceConnection(user_id=user_id, provider=provider)
    store_credentials(connection, credentials)
    connection.status = "ok"
    connection.needs_reconnect = False
    connection.last_error = None
    connection.failure_count = 0
    connection.next_sync_at = utcnow()
    session.add(connection)
    session.flush()
    return connection


def disconnect(*, session: Session, user_id: int, provider: str) -> None:
    """Erase the credentials and stop syncing, then ask the provider to revoke its tokens (best
    effort: the erasure is committed first and stands whatever the provider answers). Data
    already synced stays. Idempotent."""
    impl = get_provider(provider)
    connection = get_connection(session=session, user_id=user_id, provider=provider)
    if connection is None:
        return
    stored = connection.credentials
    _erase(connection)
    session.add(connection)
    session.commit()
    if stored is not None:
        try:
            impl.revoke(json.loads(decrypt_secret(stored)))
        except (ProviderError, DomainError, ValueError) as exc:
            logger.info("revoking %s access failed: %s", provider, exc)


def _erase(connection: DeviceConnection) -> None:
    connection.credentials = None
    connection.status = "disconnected"
    connection.needs_reconnect = False
    connection.last_error = None
    connection.failure_count = 0
    connection.next_sync_at = None
    connection.updated_at = utcnow()
