"""JSON over HTTP for the OAuth providers, with every failure turned into a ``ProviderError``
whose message says what happened in words (timeout, refused token, rate limit, server error,
unreadable answer)."""

from __future__ import annotations

from typing import Any

import httpx

from cadence.services.devices.base import (
    ProviderAccessDenied,
    ProviderAuthError,
    ProviderError,
    ProviderUnavailable,
)

_MAX_DETAIL_CHARS = 200


def request_json(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    label: str,
    auth_failure: str,
    forbidden: str | None = None,
    **kwargs: Any,
) -> Any:
    """Send one request and return its decoded JSON body (``None`` when it has none).

    ``auth_failure`` is the message for a 400/401/403 answer (what the user should do about it);
    ``forbidden``, when given, the one for 403/426 (a missing permission: ``ProviderAccessDenied``).
    """
    try:
        response = client.request(method, url, **kwargs)
    except httpx.TimeoutException as exc:
        raise ProviderUnavailable(
            f"{label} did not answer in time ({client.timeout.read:g} s); will retry later."
        ) from exc
    except httpx.HTTPError as exc:
        raise ProviderUnavailable(
            f"Cannot reach {label} ({exc.__class__.__name__}); will retry later."
        ) from exc
    _raise_for_status(response, label=label, auth_failure=auth_failure, forbidden=forbidden)
    if response.status_code == 204 or not response.content:
        return None
    try:
        return response.json()
    except ValueError as exc:
        raise ProviderUnavailable(
            f"{label} sent an answer Cadence could not read (not JSON); will retry later."
        ) from exc


def _raise_for_status(
    response: httpx.Response, *, label: str, auth_failure: str, forbidden: str | None
) -> None:
    status = response.status_code
    if status < 400:
        return
    if forbidden and status in (403, 426):
        raise ProviderAccessDenied(f"{forbidden} ({label} answered HTTP {status}).")
    if status in (401, 403) or (status == 400 and _is_oauth_grant_error(response)):
        raise ProviderAuthError(f"{auth_failure} ({label} answered HTTP {status}).")
    if status == 429:
        retry_after = _retry_after_seconds(response)
        wait = f" in {retry_after} s" if retry_after else " later"
        raise ProviderUnavailable(
            f"{label} rate limit reached (HTTP 429); will retry{wait}.", retry_after=retry_after
        )
    if status >= 500:
        raise ProviderUnavailable(f"{label} had a server error (HTTP {status}); will retry later.")
    detail = response.text.strip()[:_MAX_DETAIL_CHARS]
    raise ProviderError(f"{label} refused the request (HTTP {status}): {detail or 'no detail'}")


def _is_oauth_grant_error(response: httpx.Response) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("error") in {"invalid_grant", "invalid_client"}


def _retry_after_seconds(response: httpx.Response) -> int | None:
    value = response.headers.get("Retry-After", "")
    return int(value) if value.isdigit() else None
