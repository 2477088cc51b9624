"""OAuth2 authorisation-code flow shared by Whoop, Strava and Oura: authorize URL, code exchange,
refresh, and authorised GETs. Credentials are ``{access_token, refresh_token, expires_at}``
(``expires_at`` in Unix seconds) plus whatever the provider adds."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from cadence.config import Settings
from cadence.services.devices.base import Credentials, ProviderAuthError, ProviderError
from cadence.services.devices.http import request_json

REFRESH_MARGIN_SECONDS = 300


@dataclass(frozen=True)
class OAuthApp:
    """One provider's OAuth endpoints and this server's client registration."""

    label: str
    authorize_url: str
    token_url: str
    scope: str
    client_id: str | None
    client_secret: str | None
    timeout: float
    extra_authorize_params: tuple[tuple[str, str], ...] = ()
    refresh_scope: str | None = None

    @property
    def configured(self) -> bool:
        return bool(self.client_id and self.client_secret)


class OAuthProviderBase:
    """Implements the OAuth half of ``DeviceProvider``; subclasses declare their endpoints (paths
    under ``CADENCE_<NAME>_API_URL``) and add the data fetching."""

    auth = "oauth"
    name = ""
    label = ""
    authorize_path = ""
    token_path = ""
    api_path = ""
    scope = ""
    refresh_scope: str | None = None
    extra_authorize_params: tuple[tuple[str, str], ...] = ()
    pkce = False
    """Whether the provider takes PKCE; WHOOP's and Strava's documentation describes none
    (confidential clients with a secret); a provider that documents it sets it."""

    def __init__(self, settings: Settings) -> None:
        base = str(getattr(settings, f"{self.name}_api_url")).rstrip("/")
        self.app = OAuthApp(
            label=self.label,
            authorize_url=base + self.authorize_path,
            token_url=base + self.token_path,
            scope=self.scope,
            client_id=getattr(settings, f"{self.name}_client_id"),
            client_secret=getattr(settings, f"{self.name}_client_secret"),
            timeout=settings.device_http_timeout_seconds,
            extra_authorize_params=self.extra_authorize_params,
            refresh_scope=self.refresh_scope,
        )
        self.base_url = base
        self.api_url = base + self.api_path

    def setup_problem(self) -> str | None:
        if self.app.configured:
            return None
        upper = self.name.upper()
        return (
            f"{self.app.label} is not set up on this server: the administrator must set "
            f"CADENCE_{upper}_CLIENT_ID and CADENCE_{upper}_CLIENT_SECRET (see README, Devices)."
        )

    def http_client(self) -> httpx.Client:
        return httpx.Client(timeout=self.app.timeout)

    def authorize_url(
        self, *, state: str, redirect_uri: str, code_challenge: str | None = None
    ) -> str:
        params = {
            "response_type": "code",
            "client_id": self.app.client_id or "",
            "redirect_uri": redirect_uri,
            "scope": self.app.scope,
            "state": state,
            **dict(self.app.extra_authorize_params),
        }
        if code_challenge:
            params |= {"code_challenge": code_challenge, "code_challenge_method": "S256"}
        return f"{self.app.authorize_url}?{urlencode(params)}"

    def connect(self, *, params: dict[str, str], redirect_uri: str) -> Credentials:
        """Exchange the callback's authorisation ``code`` (and PKCE ``code_verifier``) for
        tokens."""
        code = params.get("code")
        if not code:
            raise ProviderAuthError(f"{self.app.label} did not send an authorisation code.")
        body = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        if params.get("code_verifier"):
            body["code_verifier"] = params["code_verifier"]
        return self._token_request(
            body, failure=f"{self.app.label} rejected the authorisation code; please connect again"
        )

    def refresh_credentials(self, credentials: Credentials, *, force: bool) -> Credentials | None:
        """New tokens when the access token expires within 5 minutes (or ``force``)."""
        expires_at = credentials.get("expires_at") or 0
        if not force and expires_at - time.time() > REFRESH_MARGIN_SECONDS:
            return None
        refresh_token = credentials.get("refresh_token")
        if not refresh_token:
            raise ProviderAuthError(
                f"{self.app.label} access expired and cannot be renewed; please reconnect."
            )
        body = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        if self.app.refresh_scope:
            body["scope"] = self.app.refresh_scope
        fresh = self._token_request(
            body, failure=f"{self.app.label} access was revoked or expired; please reconnect"
        )
        fresh.setdefault("refresh_token", refresh_token)
        return {**credentials, **fresh}

    revoke_method = ""  # the provider's own revocation endpoint, if it has one
    revoke_path = ""

    def revoke(self, credentials: Credentials) -> None:
        """Revoke the access token at the provider (WHOOP, Strava; Oura overrides it)."""
        if not self.revoke_path:
            return
        with self.http_client() as client:
            request_json(
                client,
                self.revoke_method,
                self.base_url + self.revoke_path,
                label=self.app.label,
                auth_failure=f"{self.app.label} no longer accepted the token",
                headers={"Authorization": f"Bearer {credentials.get('access_token', '')}"},
            )

    def renewed_credentials(self, credentials: Credentials) -> Credentials | None:
        """Never: OAuth tokens are only renewed through ``refresh_credentials``."""
        return None

    def _token_request(self, body: dict[str, str], *, failure: str) -> Credentials:
        data = {**body, "client_id": self.app.client_id, "client_secret": self.app.client_secret}
        with self.http_client() as client:
            payload = request_json(
                client,
                "POST",
                self.app.token_url,
                label=self.app.label,
                auth_failure=failure,
                data=data,
            )
        if not isinstance(payload, dict) or not payload.get("access_token"):
            raise ProviderError(f"{self.app.label} sent a token answer without an access token.")
        expires_at = payload.get("expires_at")
        if expires_at is None:
            expires_at = int(time.time()) + int(payload.get("expires_in") or 3600)
        credentials: Credentials = {
            "access_token": payload["access_token"],
            "expires_at": int(expires_at),
        }
        if payload.get("refresh_token"):
            credentials["refresh_token"] = payload["refresh_token"]
        return credentials

    def get_json(
        self,
        client: httpx.Client,
        credentials: Credentials,
        url: str,
        params: dict[str, Any],
        *,
        forbidden: str | None = None,
    ) -> Any:
        """An authorised GET; a 401/403 raises ``ProviderAuthError`` so the sync can refresh
        (with ``forbidden``, a 403/426 is a missing permission: see ``request_json``)."""
        return request_json(
            client,
            "GET",
            url,
            label=self.app.label,
            auth_failure=f"{self.app.label} rejected the access token",
            forbidden=forbidden,
            params=params,
            headers={"Authorization": f"Bearer {credentials.get('access_token', '')}"},
        )
