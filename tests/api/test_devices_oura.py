"""Oura through the real API and the fake Oura cloud: connect (OAuth through the same state path
as every provider), sync (backfill, re-read window, paging), the errors Oura answers, disconnect
with revocation, and the dashboard: Oura's sleep first, its readiness beside Cadence's."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select

from cadence.config import get_settings
from cadence.models.common import as_utc, utcnow
from cadence.models.device import DeviceConnection
from cadence.models.health import DailyMetricIn
from cadence.services import metrics
from cadence.services.devices import connections
from cadence.services.devices.sync import OVERLAP_DAYS, acquire_lease
from tests.conftest import reset_caches
from tests.fakes.device_server import FakeProviderServer, Reply, oura_documents, serve_oura

TODAY = utcnow().date()


@pytest.fixture
def fake(oura_cloud: FakeProviderServer, client) -> FakeProviderServer:
    client.base_url = "https://testserver"  # the OAuth binding cookie is Secure (https public URL)
    serve_oura(oura_cloud, documents=oura_documents(last_day=TODAY))
    return oura_cloud


def connect_oura(client, account) -> None:
    response = client.post("/api/v1/devices/oura/connect", headers=account.headers)
    assert response.status_code == 200, response.text
    query = parse_qs(urlsplit(response.json()["authorize_url"]).query)
    assert query["redirect_uri"] == ["https://cadence.example/api/v1/devices/oura/callback"]
    done = client.get(
        "/api/v1/devices/oura/callback",
        params={"code": "code-1", "state": query["state"][0]},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == "https://cadence.example/devices?provider=oura&connected=1"


def sync(client, account) -> dict:
    response = client.post("/api/v1/devices/oura/sync", headers=account.headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_unconfigured_oura_is_409_naming_the_settings(client, account, monkeypatch) -> None:
    monkeypatch.delenv("CADENCE_OURA_CLIENT_ID", raising=False)
    reset_caches()
    response = client.post("/api/v1/devices/oura/connect", headers=account.headers)
    assert response.status_code == 409
    assert "CADENCE_OURA_CLIENT_ID and CADENCE_OURA_CLIENT_SECRET" in response.json()["detail"]


def test_connect_sync_and_disconnect(client, account, fake, session) -> None:
    connect_oura(client, account)
    assert fake.hits("/oauth/token")[0].form["code"] == "code-1"
    stored = session.exec(select(DeviceConnection)).one()
    assert "rt-1" not in stored.credentials and "at-1" not in stored.credentials  # encrypted

    body = sync(client, account)
    assert body["status"] == "ok", body
    backfill = get_settings().device_sync_backfill_days
    first = fake.hits("/v2/usercollection/sleep")[0].query
    assert first["start_date"] == (TODAY - timedelta(days=backfill - 1)).isoformat()
    days = client.get(
        "/api/v1/metrics",
        params={"start": (TODAY - timedelta(days=40)).isoformat(), "end": TODAY.isoformat()},
        headers=account.headers,
    ).json()["metrics"]
    assert {d["source"] for d in days} == {"oura"}
    latest = days[-1]
    assert latest["date"] == TODAY.isoformat()  # the recorded 2024-11-12, moved to today
    assert (latest["recovery_score"], latest["sleep_score"]) == (87.0, 83.0)
    nights = [d for d in days if d["sleep_seconds"] is not None]
    assert nights and all(d["hrv_rmssd_ms"] is not None for d in nights)
    activities = client.get(
        "/api/v1/activities", params={"per_page": 100}, headers=account.headers
    ).json()
    items = activities["activities"]
    assert items and {a["source"] for a in items} == {"oura"}

    # A later sync re-reads only the last few days.
    fake.requests.clear()
    assert sync(client, account)["status"] == "ok"
    again = fake.hits("/v2/usercollection/sleep")[0].query
    assert again["start_date"] == (TODAY - timedelta(days=OVERLAP_DAYS)).isoformat()

    assert client.delete("/api/v1/devices/oura", headers=account.headers).status_code == 204
    [revoked] = fake.hits("/oauth/revoke", "GET")
    assert revoked.query == {"access_token": "at-1"}
    session.expire_all()
    assert session.exec(select(DeviceConnection)).one().credentials is None


def test_401_refreshes_once_and_the_sync_goes_on(client, account, fake, session) -> None:
    connect_oura(client, account)
    fake.route(
        "GET",
        "/v2/usercollection/sleep",
        Reply({"detail": "expired"}, status=401),
        Reply({"data": [], "next_token": None}),
    )
    fake.json("POST", "/oauth/token", {"access_token": "at-2", "refresh_token": "rt-2"})
    assert sync(client, account)["status"] == "ok"
    refresh = fake.hits("/oauth/token")[-1].form
    assert (refresh["grant_type"], refresh["refresh_token"]) == ("refresh_token", "rt-1")
    assert fake.hits("/v2/usercollection/sleep")[-1].headers["authorization"] == "Bearer at-2"
    session.expire_all()
    stored = connections.read_credentials(session.exec(select(DeviceConnection)).one())
    assert stored["refresh_token"] == "rt-2"  # Oura's refresh tokens are single-use


def test_401_after_the_refresh_asks_for_a_reconnect(client, account, fake, session) -> None:
    connect_oura(client, account)
    fake.route("GET", "/v2/usercollection/sleep", Reply({"detail": "no"}, status=401))
    body = sync(client, account)
    assert body["status"] == "error" and "rejected the access token" in body["last_error"]
    assert len(fake.hits("/oauth/token")) == 2  # the code exchange, then one refresh
    session.expire_all()
    assert session.exec(select(DeviceConnection)).one().needs_reconnect is True


def test_403_names_the_missing_scope_without_a_pointless_refresh(client, account, fake) -> None:
    connect_oura(client, account)
    fake.route("GET", "/v2/usercollection/workout", Reply({"detail": "scope"}, status=403))
    body = sync(client, account)
    assert body["status"] == "error"
    assert "lacks the 'workout' permission" in body["last_error"]
    assert "Reconnect Oura" in body["last_error"]
    assert len(fake.hits("/oauth/token")) == 1  # no refresh: new tokens grant no more


def test_429_waits_at_least_retry_after(client, account, fake, session) -> None:
    connect_oura(client, account)
    fake.route(
        "GET",
        "/v2/usercollection/daily_sleep",
        Reply({"detail": "busy"}, status=429, headers={"Retry-After": "3600"}),
    )
    before = utcnow()
    body = sync(client, account)
    assert body["status"] == "error" and "in 3600 s" in body["last_error"]
    session.expire_all()
    row = session.exec(select(DeviceConnection)).one()
    assert as_utc(row.next_sync_at) >= before + timedelta(seconds=3600)
    assert row.needs_reconnect is False


def test_oura_sleep_wins_over_garmin_and_its_readiness_stays_beside_cadences(
    client, account, session
) -> None:
    user_id = account.user["id"]
    days = [TODAY - timedelta(days=offset) for offset in range(20)]
    garmin = [
        DailyMetricIn(
            date=d, source="garmin", sleep_seconds=7 * 3600, hrv_rmssd_ms=50.0, resting_hr=52
        )
        for d in days
    ]
    metrics.upsert_daily_metrics(session=session, user_id=user_id, days=garmin)
    session.commit()
    before = client.get("/api/v1/dashboard", headers=account.headers).json()["readiness"]
    oura_night = DailyMetricIn(
        date=TODAY,
        source="oura",
        sleep_seconds=8 * 3600,
        hrv_rmssd_ms=90.0,
        recovery_score=40,
        recovery_contributors={"hrv_balance": 95.0, "sleep_balance": 30.0},
    )
    metrics.upsert_daily_metrics(session=session, user_id=user_id, days=[oura_night])
    session.commit()
    body = client.get("/api/v1/dashboard", headers=account.headers).json()
    tiles = {t["key"]: t for t in body["today"]["metrics"]}
    assert (tiles["sleep_seconds"]["value"], tiles["sleep_seconds"]["source"]) == (8.0, "oura")
    assert (tiles["hrv_rmssd_ms"]["value"], tiles["hrv_rmssd_ms"]["source"]) == (50.0, "garmin")
    assert body["daily_metrics"][-1]["sources"] == ["garmin", "oura"]
    [merged] = client.get(
        "/api/v1/metrics",
        params={"start": TODAY.isoformat(), "end": TODAY.isoformat()},
        headers=account.headers,
    ).json()["metrics"]
    assert (merged["sleep_seconds"], merged["hrv_rmssd_ms"]) == (8 * 3600, 50.0)
    assert body["readiness"]["device_score"] == {
        "label": "Oura readiness",
        "value": 40.0,
        "source": "oura",
        "contributors": [
            {"name": "HRV balance", "value": 95.0},
            {"name": "Sleep balance", "value": 30.0},
        ],
    }
    # Oura's score is not an input of Cadence's: another value leaves Cadence's unchanged.
    higher = oura_night.model_copy(update={"recovery_score": 99})
    metrics.upsert_daily_metrics(session=session, user_id=user_id, days=[higher])
    session.commit()
    again = client.get("/api/v1/dashboard", headers=account.headers).json()["readiness"]
    assert again["device_score"]["value"] == 99.0
    assert (again["score"], again["contributors"]) == (
        body["readiness"]["score"],
        body["readiness"]["contributors"],
    )
    assert before["device_score"] is None


def test_a_sync_already_running_elsewhere_is_409(client, account, fake, session) -> None:
    """Another process holds the lease (its row read back from the database): 409, not a crash."""
    connect_oura(client, account)
    row = session.exec(select(DeviceConnection)).one()
    assert acquire_lease(session=session, connection_id=row.id, owner="other-process")
    response = client.post("/api/v1/devices/oura/sync", headers=account.headers)
    assert response.status_code == 409, response.text
    assert response.json()["detail"] == "A Oura sync is already running; try again in a moment."
    assert fake.hits("/v2/usercollection/sleep") == []
