"""OAuth authorisations are bound to the browser that started them (docs/security.md, "OAuth"):
the mix-up (B starts, A consents in A's browser) links nothing, the binding cookie is HttpOnly,
SameSite=Lax, Secure, short-lived and signed, the state is single-use, and PKCE goes with the
flow of a provider that takes it. Every OAuth provider gets this (WHOOP, Strava, Oura here)."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta
from urllib.parse import parse_qs, unquote_plus, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from cadence.models.common import utcnow
from cadence.models.device import DeviceConnection, DeviceOAuthState
from cadence.services.devices import oauth_flow
from cadence.services.devices.whoop import WhoopProvider
from tests.api.test_devices import devices, fake, serve_whoop  # noqa: F401 (fixture)
from tests.conftest import reset_caches
from tests.fakes.device_server import oura_documents, serve_oura

CALLBACK = "/api/v1/devices/{provider}/callback"


def browser(client: TestClient) -> TestClient:
    """Another browser: the same server, its own cookie jar."""
    return TestClient(client.app, base_url="https://testserver")


def start(client, account, provider: str = "whoop") -> tuple[str, dict[str, list[str]]]:
    response = client.post(f"/api/v1/devices/{provider}/connect", headers=account.headers)
    assert response.status_code == 200, response.text
    query = parse_qs(urlsplit(response.json()["authorize_url"]).query)
    return query["state"][0], query


def callback(client, state: str, provider: str = "whoop") -> str:
    done = client.get(
        CALLBACK.format(provider=provider),
        params={"code": "code-1", "state": state},
        follow_redirects=False,
    )
    assert done.status_code == 303
    return unquote_plus(done.headers["location"])


@pytest.fixture
def strava(fake, monkeypatch):  # noqa: F811 (the fixture imported above)
    monkeypatch.setenv("CADENCE_STRAVA_API_URL", fake.base_url)
    monkeypatch.setenv("CADENCE_STRAVA_CLIENT_ID", "sid")
    monkeypatch.setenv("CADENCE_STRAVA_CLIENT_SECRET", "ssecret")
    reset_caches()
    fake.json("POST", "/oauth/token", {"access_token": "st-1", "expires_in": 3600})
    return fake


@pytest.mark.parametrize("provider", ["whoop", "strava"])
def test_the_mix_up_links_nothing(client, make_account, fake, strava, session, provider) -> None:  # noqa: F811
    serve_whoop(fake)
    b, a = make_account(), make_account()
    state_of_b, _ = start(client, b, provider)  # B's browser holds B's cookie
    a_browser = browser(client)
    start(a_browser, a, provider)  # A even has a flow of A's own under way
    outcome = callback(a_browser, state_of_b, provider)  # B's link, A's consent, A's browser
    assert "not started in this browser" in outcome and "connected=1" not in outcome, outcome
    assert session.exec(select(DeviceConnection)).all() == []
    assert not devices(client, b)[provider]["connected"]
    assert not devices(client, a)[provider]["connected"]
    assert fake.hits("/oauth/oauth2/token") == fake.hits("/oauth/token") == []
    # single-use: the state B's link carried is gone, B's own browser cannot use it either
    assert "invalid or expired" in callback(client, state_of_b, provider)


def test_without_any_cookie_the_callback_links_nothing(client, account, fake, session) -> None:  # noqa: F811
    serve_whoop(fake)
    state, _ = start(client, account)
    outcome = callback(browser(client), state)
    assert "not started in this browser" in outcome
    assert session.exec(select(DeviceConnection)).all() == []


def test_the_browser_that_started_connects_and_the_cookie_is_cleared(client, account, fake) -> None:  # noqa: F811
    serve_whoop(fake)
    response = client.post("/api/v1/devices/whoop/connect", headers=account.headers)
    cookie = response.headers["set-cookie"]
    name = oauth_flow.cookie_name("whoop")
    assert cookie.startswith(f"{name}=")
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=lax", "secure", "path=/api/v1/devices/"} <= attributes
    assert "max-age=900" in attributes
    state = parse_qs(urlsplit(response.json()["authorize_url"]).query)["state"][0]
    assert state not in cookie  # sealed (encrypted), not readable
    done = client.get(
        CALLBACK.format(provider="whoop"),
        params={"code": "c", "state": state},
        follow_redirects=False,
    )
    assert "connected=1" in done.headers["location"]
    assert (
        f'{name}=""' in done.headers["set-cookie"]
        or "max-age=0" in done.headers["set-cookie"].lower()
    )
    assert devices(client, account)["whoop"]["connected"]


def test_a_tampered_cookie_is_refused(client, account, fake) -> None:  # noqa: F811
    serve_whoop(fake)
    state, _ = start(client, account)
    name = oauth_flow.cookie_name("whoop")
    sealed = client.cookies.get(name)
    client.cookies.clear()
    client.cookies.set(name, sealed[:-6] + ("AAAAAA" if sealed[-6:] != "AAAAAA" else "BBBBBB"))
    assert "not started in this browser" in callback(client, state)


def test_an_expired_cookie_is_refused(client, account, fake, monkeypatch) -> None:  # noqa: F811
    serve_whoop(fake)
    state, _ = start(client, account)
    monkeypatch.setattr(oauth_flow, "STATE_TTL", timedelta(seconds=-1))  # the cookie is too old
    assert "not started in this browser" in callback(client, state)


def test_a_state_is_bound_to_its_provider(client, account, fake, strava) -> None:  # noqa: F811
    serve_whoop(fake)
    whoop_state, _ = start(client, account, "whoop")
    start(client, account, "strava")
    assert "invalid or expired" in callback(client, whoop_state, "strava")


def test_pkce_goes_with_a_provider_that_takes_it(client, account, fake, monkeypatch) -> None:  # noqa: F811
    serve_whoop(fake)
    monkeypatch.setattr(WhoopProvider, "pkce", True)
    state, query = start(client, account)
    assert query["code_challenge_method"] == ["S256"]
    callback(client, state)
    verifier = fake.hits("/oauth/oauth2/token")[0].form["code_verifier"]
    digest = hashlib.sha256(verifier.encode()).digest()
    assert base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == query["code_challenge"][0]
    assert devices(client, account)["whoop"]["connected"]


def test_without_pkce_nothing_of_it_is_sent(client, account, fake) -> None:  # noqa: F811
    serve_whoop(fake)
    state, query = start(client, account)
    assert "code_challenge" not in query
    callback(client, state)
    assert "code_verifier" not in fake.hits("/oauth/oauth2/token")[0].form


def test_states_are_stored_only_while_pending(client, account, fake, session) -> None:  # noqa: F811
    serve_whoop(fake)
    state, _ = start(client, account)
    assert session.exec(select(DeviceOAuthState.state)).all() == [state]
    callback(browser(client), state)  # refused, and consumed
    session.expire_all()
    assert session.exec(select(DeviceOAuthState)).all() == []


def test_the_mix_up_links_nothing_for_oura_too(client, make_account, oura_cloud, session) -> None:
    """A provider added later gets the binding by being an OAuth provider."""
    client.base_url = "https://testserver"
    serve_oura(oura_cloud, documents=oura_documents(last_day=utcnow().date()))
    b, a = make_account(), make_account()
    state_of_b, _ = start(client, b, "oura")
    outcome = callback(browser(client), state_of_b, "oura")
    assert "not started in this browser" in outcome, outcome
    assert session.exec(select(DeviceConnection)).all() == []
    assert not devices(client, a)["oura"]["connected"]
