"""``/api/v1/devices`` through the real API: list, connect (Garmin sign-in, WHOOP OAuth with a
callback against a local fake WHOOP), sync, disconnect, and isolation between users."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select

from cadence.models.device import DeviceConnection
from cadence.services.devices import garmin
from tests.conftest import reset_caches
from tests.fakes.device_server import FakeProviderServer, Reply

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "json"
PROVIDERS = ["garmin", "whoop", "strava", "oura"]


def fixture(name: str):
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, client) -> Iterator[FakeProviderServer]:
    client.base_url = "https://testserver"  # the OAuth binding cookie is Secure (https public URL)
    with FakeProviderServer() as server:
        monkeypatch.setenv("CADENCE_WHOOP_API_URL", server.base_url)
        monkeypatch.setenv("CADENCE_WHOOP_CLIENT_ID", "cid")
        monkeypatch.setenv("CADENCE_WHOOP_CLIENT_SECRET", "csecret")
        monkeypatch.setenv("CADENCE_GARMIN_API_URL", server.base_url)
        monkeypatch.setenv("CADENCE_PUBLIC_URL", "https://cadence.example")
        monkeypatch.setenv("CADENCE_DEVICE_HTTP_TIMEOUT_SECONDS", "0.5")
        reset_caches()
        yield server


def serve_whoop(fake: FakeProviderServer) -> None:
    fake.json(
        "POST",
        "/oauth/oauth2/token",
        {"access_token": "at-1", "refresh_token": "rt-1", "expires_in": 3600},
    )
    sleeps = fixture("whoop/v1_sleep_collection_2022-05-01_07_transcribed.json")
    fake.json("GET", "/developer/v2/activity/sleep", sleeps)
    for path in ("recovery", "cycle", "activity/workout"):
        fake.json("GET", f"/developer/v2/{path}", {"records": [], "next_token": None})


def devices(client, account) -> dict[str, dict]:
    response = client.get("/api/v1/devices", headers=account.headers)
    assert response.status_code == 200
    return {d["provider"]: d for d in response.json()["devices"]}


def connect_whoop(client, account) -> None:
    response = client.post("/api/v1/devices/whoop/connect", headers=account.headers)
    assert response.status_code == 200, response.text
    state = parse_qs(urlsplit(response.json()["authorize_url"]).query)["state"][0]
    done = client.get(
        "/api/v1/devices/whoop/callback",
        params={"code": "code-1", "state": state},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == "https://cadence.example/devices?provider=whoop&connected=1"


def test_every_provider_is_listed_disconnected_at_first(client, account) -> None:
    response = client.get("/api/v1/devices", headers=account.headers)
    assert response.json() == {
        "devices": [
            {
                "provider": name,
                "connected": False,
                "status": "disconnected",
                "last_sync_at": None,
                "last_error": None,
            }
            for name in PROVIDERS
        ]
    }


def test_devices_need_a_token(client) -> None:
    assert client.get("/api/v1/devices").status_code == 401
    assert client.post("/api/v1/devices/whoop/sync").status_code == 401


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/devices/fitbit/connect"),
        ("post", "/api/v1/devices/fitbit/sync"),
        ("delete", "/api/v1/devices/fitbit"),
    ],
)
def test_unknown_provider_is_404(client, account, method, path) -> None:
    response = getattr(client, method)(path, headers=account.headers)
    assert response.status_code == 404
    assert "Unknown device provider 'fitbit'" in response.json()["detail"]


def test_whoop_oauth_connect_callback_sync_disconnect(client, account, fake, session) -> None:
    serve_whoop(fake)
    response = client.post("/api/v1/devices/whoop/connect", headers=account.headers)
    body = response.json()
    assert (body["provider"], body["connected"]) == ("whoop", False)
    query = parse_qs(urlsplit(body["authorize_url"]).query)
    assert query["redirect_uri"] == ["https://cadence.example/api/v1/devices/whoop/callback"]
    state = query["state"][0]

    done = client.get(
        "/api/v1/devices/whoop/callback",
        params={"code": "code-1", "state": state},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert fake.hits("/oauth/oauth2/token")[0].form["code"] == "code-1"
    listed = devices(client, account)["whoop"]
    assert (listed["connected"], listed["status"], listed["last_sync_at"]) == (True, "ok", None)
    stored = session.exec(select(DeviceConnection)).one()
    assert "at-1" not in stored.credentials and "rt-1" not in stored.credentials

    # The state is single-use.
    replay = client.get(
        "/api/v1/devices/whoop/callback",
        params={"code": "code-1", "state": state},
        follow_redirects=False,
    )
    assert "error=" in replay.headers["location"] and "expired" in replay.headers["location"]

    synced = client.post("/api/v1/devices/whoop/sync", headers=account.headers)
    assert synced.status_code == 200, synced.text
    assert synced.json()["status"] == "ok" and synced.json()["last_sync_at"].endswith("Z")
    metrics = client.get(
        "/api/v1/metrics",
        params={"start": "2022-05-01", "end": "2022-05-07"},
        headers=account.headers,
    ).json()["metrics"]
    assert len(metrics) == 7 and {m["source"] for m in metrics} == {"whoop"}

    fake.route("DELETE", "/developer/v2/user/access", Reply(status=204))
    assert client.delete("/api/v1/devices/whoop", headers=account.headers).status_code == 204
    [revoked] = fake.hits("/developer/v2/user/access", "DELETE")
    assert revoked.headers["authorization"] == "Bearer at-1"  # WHOOP was asked to end access
    listed = devices(client, account)["whoop"]
    assert (listed["connected"], listed["status"]) == (False, "disconnected")
    session.expire_all()
    assert session.exec(select(DeviceConnection)).one().credentials is None
    assert client.post("/api/v1/devices/whoop/sync", headers=account.headers).status_code == 404
    # Disconnecting keeps the data already synced; disconnecting twice is fine.
    assert client.delete("/api/v1/devices/whoop", headers=account.headers).status_code == 204


def test_sync_failure_is_reported_in_status_not_as_a_crash(client, account, fake) -> None:
    serve_whoop(fake)
    connect_whoop(client, account)
    fake.route("GET", "/developer/v2/activity/sleep", Reply({"oops": True}, status=500))
    response = client.post("/api/v1/devices/whoop/sync", headers=account.headers)
    assert response.status_code == 200
    assert response.json()["status"] == "error"
    assert response.json()["last_error"] == (
        "WHOOP had a server error (HTTP 500); will retry later."
    )
    assert devices(client, account)["whoop"]["last_error"] == response.json()["last_error"]


def test_denied_authorisation_redirects_with_the_reason(client, account, fake) -> None:
    response = client.post("/api/v1/devices/whoop/connect", headers=account.headers)
    state = parse_qs(urlsplit(response.json()["authorize_url"]).query)["state"][0]
    done = client.get(
        "/api/v1/devices/whoop/callback",
        params={"error": "access_denied", "state": state},
        follow_redirects=False,
    )
    query = parse_qs(urlsplit(done.headers["location"]).query)
    assert query["error"] == ["WHOOP access was not granted (access_denied)."]
    assert devices(client, account)["whoop"]["connected"] is False


def test_callback_with_a_forged_state_connects_nobody(client, account, fake) -> None:
    done = client.get(
        "/api/v1/devices/whoop/callback",
        params={"code": "c", "state": "forged"},
        follow_redirects=False,
    )
    assert "error=" in done.headers["location"]
    assert fake.requests == []  # no token exchange was attempted


def test_unconfigured_oauth_provider_is_409_with_the_settings_to_set(client, account) -> None:
    response = client.post("/api/v1/devices/strava/connect", headers=account.headers)
    assert response.status_code == 409
    assert "CADENCE_STRAVA_CLIENT_ID" in response.json()["detail"]


def test_garmin_connect_with_password_then_sync(client, account, fake, monkeypatch) -> None:
    def login(email: str, password: str) -> dict:
        if password != "right-password":
            raise garmin.GarminConnectAuthenticationError("401 Unauthorized")
        return {"tokens": json.dumps({"di_token": "t"}), "display_name": "runner"}

    monkeypatch.setattr(garmin, "password_login", login)
    turned_off = client.post(
        "/api/v1/devices/garmin/connect",
        json={"email": "me@example.com", "password": "right-password"},
        headers=account.headers,
    )
    assert turned_off.status_code == 409  # CADENCE_GARMIN_API_URL points at the fake
    assert "sign-in is turned off" in turned_off.json()["detail"]
    monkeypatch.delenv("CADENCE_GARMIN_API_URL")  # sign-in goes to "Garmin": the login double
    reset_caches()
    wrong = client.post(
        "/api/v1/devices/garmin/connect",
        json={"email": "me@example.com", "password": "nope"},
        headers=account.headers,
    )
    assert wrong.status_code == 422
    assert "rejected the sign-in" in wrong.json()["detail"]
    missing = client.post("/api/v1/devices/garmin/connect", headers=account.headers)
    assert missing.status_code == 422
    assert missing.json()["detail"] == "Enter your Garmin Connect email and password."

    ok = client.post(
        "/api/v1/devices/garmin/connect",
        json={"email": "me@example.com", "password": "right-password"},
        headers=account.headers,
    )
    assert ok.json() == {
        "provider": "garmin",
        "connected": True,
        "status": "ok",
        "authorize_url": None,
    }
    # Garmin (the fake again) answers 401 to everything: the device asks for a reconnect.
    monkeypatch.setenv("CADENCE_GARMIN_API_URL", fake.base_url)
    reset_caches()
    fake.default = Reply({"message": "Unauthorized"}, status=401)
    response = client.post("/api/v1/devices/garmin/sync", headers=account.headers)
    assert response.json()["status"] == "error"
    assert "please reconnect" in response.json()["last_error"]


def test_another_user_never_sees_or_changes_my_device(client, make_account, fake) -> None:
    serve_whoop(fake)
    me, other = make_account(), make_account()
    connect_whoop(client, me)
    assert devices(client, other)["whoop"]["connected"] is False
    assert client.post("/api/v1/devices/whoop/sync", headers=other.headers).status_code == 404
    assert client.delete("/api/v1/devices/whoop", headers=other.headers).status_code == 204
    assert devices(client, me)["whoop"]["connected"] is True


def test_openapi_documents_the_device_routes(client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"get"} <= set(paths["/api/v1/devices"])
    assert "post" in paths["/api/v1/devices/{provider}/connect"]
    assert "303" in paths["/api/v1/devices/{provider}/callback"]["get"]["responses"]
    assert "409" in paths["/api/v1/devices/{provider}/sync"]["post"]["responses"]


def test_disconnect_erases_even_when_the_provider_cannot_revoke(client, account, fake, session):
    serve_whoop(fake)
    connect_whoop(client, account)
    fake.route("DELETE", "/developer/v2/user/access", Reply({"error": "down"}, status=503))
    assert client.delete("/api/v1/devices/whoop", headers=account.headers).status_code == 204
    assert len(fake.hits("/developer/v2/user/access", "DELETE")) == 1
    assert devices(client, account)["whoop"]["connected"] is False
    session.expire_all()
    assert session.exec(select(DeviceConnection)).one().credentials is None
