"""Schemathesis hooks (loaded through ``SCHEMATHESIS_HOOKS=tests.fuzz.hooks``).

Every generated request carries a valid bearer token. Some operations legitimately end the
fuzz user's session (``DELETE /account``, ``PUT /settings/password``, an admin disabling
itself), so a 401 makes schemathesis fetch a new token: this provider signs up a fresh user.
"""

from __future__ import annotations

import os
import secrets

import httpx
import schemathesis

FUZZ_URL_ENV = "CADENCE_FUZZ_URL"


@schemathesis.auth(refresh_interval=3600, retry_on=[401])
class FreshUserAuth:
    """Bearer token of a fuzz user; schemathesis asks again (a new user) after any 401."""

    def get(self, case, context) -> str:
        return signup(os.environ[FUZZ_URL_ENV])

    def set(self, case, data: str, context) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


def signup(base_url: str) -> str:
    """Create a user with random credentials and return its token."""
    response = httpx.post(
        f"{base_url}/api/v1/auth/signup",
        json={
            "email": f"fuzz-{secrets.token_hex(6)}@example.com",
            "password": f"fuzz-{secrets.token_hex(8)}-9",
            "display_name": "Fuzz",
        },
        timeout=30,
    )
    response.raise_for_status()
    return response.json()["token"]


def _has_newline(path_parameters: dict | None) -> bool:
    """Reflex mounts the whole app under a top-level Starlette ``Mount("")`` whose pattern
    (``.*``) does not match a newline, so a path with one never reaches Cadence: Reflex answers
    a plain-text 404 itself (no 5xx). Other control characters get Cadence's JSON 422."""
    values = [v for v in (path_parameters or {}).values() if isinstance(v, str)]
    return any("\n" in v or "%0a" in v.lower() for v in values)  # raw or already encoded


@schemathesis.hook
def filter_case(context, case) -> bool:
    """No newline in path segments: the coverage and stateful phases."""
    return not _has_newline(case.path_parameters)


@schemathesis.hook
def filter_path_parameters(context, path_parameters) -> bool:
    """No newline in path segments: the fuzzing phase (Hypothesis strategies)."""
    return not _has_newline(path_parameters)
