"""Login limits behind a reverse proxy: ``X-Forwarded-For`` is believed only from
``CADENCE_TRUSTED_PROXIES``, and an attacker's failures never lock the owner out."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from cadence.services.clients import client_address
from tests.conftest import TEST_PASSWORD, reset_caches

LOGIN = "/api/v1/auth/login"
PROXY = "10.0.0.5"


@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded", "expected"),
    [
        ("", "198.51.100.7", "203.0.113.9", "198.51.100.7"),  # no proxy configured: the peer
        (PROXY, "198.51.100.7", "203.0.113.9", "198.51.100.7"),  # peer is not the proxy
        (PROXY, PROXY, "203.0.113.9", "203.0.113.9"),
        (PROXY, PROXY, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the client's own claim is ignored
        ("10.0.0.0/8", PROXY, "203.0.113.9, 10.1.1.1", "203.0.113.9"),  # two proxy hops
        (PROXY, PROXY, "not-an-address", PROXY),
        (PROXY, PROXY, None, PROXY),
        ("::1, 10.0.0.0/8", "::1", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address(monkeypatch, trusted, peer, forwarded, expected) -> None:
    monkeypatch.setenv("CADENCE_TRUSTED_PROXIES", trusted)
    reset_caches()
    assert client_address(peer=peer, forwarded_for=forwarded) == expected


def test_a_bad_trusted_proxies_setting_fails_at_start(monkeypatch) -> None:
    from pydantic import ValidationError

    from cadence.config import Settings

    monkeypatch.setenv("CADENCE_TRUSTED_PROXIES", "10.0.0.0/33")
    with pytest.raises(ValidationError, match="trusted_proxies"):
        Settings()


def _login(client: TestClient, email: str, password: str, forwarded: str) -> int:
    body = {"email": email, "password": password}
    return client.post(LOGIN, json=body, headers={"X-Forwarded-For": forwarded}).status_code


def test_behind_the_proxy_the_attacker_is_limited_and_the_owner_is_not(
    monkeypatch, make_account
) -> None:
    owner = make_account()
    monkeypatch.setenv("CADENCE_TRUSTED_PROXIES", PROXY)
    monkeypatch.setenv("CADENCE_LOGIN_MAX_ATTEMPTS", "3")
    reset_caches()
    from cadence.api.app import create_api

    with TestClient(create_api(), client=(PROXY, 40000)) as proxied:
        attacker = [_login(proxied, owner.email, "wrong-pass-1", "203.0.113.66") for _ in range(4)]
        assert attacker == [401, 401, 401, 429]
        assert _login(proxied, owner.email, TEST_PASSWORD, "198.51.100.20") == 200


def test_forwarded_for_from_an_untrusted_peer_cannot_dodge_the_limit(monkeypatch, client) -> None:
    monkeypatch.setenv("CADENCE_LOGIN_MAX_ATTEMPTS", "1")  # per address: 5 failures
    reset_caches()
    statuses = [_login(client, f"u{i}@x.io", "wrong-pass-1", f"203.0.113.{i}") for i in range(6)]
    assert statuses == [401] * 5 + [429]


def test_probing_emails_through_signup_is_limited_per_address(monkeypatch, make_account) -> None:
    """ "Already exists" answers count against the asking address like failed logins."""
    from cadence.api.app import create_api

    taken = [make_account().email for _ in range(6)]
    monkeypatch.setenv("CADENCE_LOGIN_MAX_ATTEMPTS", "1")  # per address: 5
    reset_caches()
    with TestClient(create_api()) as client:
        statuses = [
            client.post(
                "/api/v1/auth/signup",
                json={"email": email, "password": TEST_PASSWORD, "display_name": "P"},
            ).status_code
            for email in taken
        ]
    assert statuses == [409] * 5 + [429]
