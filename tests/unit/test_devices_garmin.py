"""Garmin through the real ``garminconnect`` request code, pointed at a local fake Garmin Connect
that replays the recorded payloads. Only the SSO sign-in (email/password → tokens) is replaced by
a test double: it talks to Garmin's sign-in hosts, which tests never reach."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import garminconnect.client
import pytest
import requests
from garminconnect import GarminConnectAuthenticationError, GarminConnectConnectionError
from sqlmodel import Session, select

from cadence.config import get_settings
from cadence.models.common import utcnow
from cadence.models.device import DeviceConnection
from cadence.models.health import Activity, DailyMetric
from cadence.models.user import User
from cadence.services.devices import connections, sync
from cadence.services.devices.base import ProviderAuthError, ProviderError, ProviderUnavailable
from cadence.services.devices.garmin import GarminProvider, translate_error
from tests.conftest import reset_caches
from tests.fakes.device_server import FakeProviderServer, Recorded, Reply

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "json" / "garmin_connect"
NAME = "mtamizi"


def fixture(name: str):
    return json.loads((FIXTURES / name).read_text())


def jwt(**claims) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part(claims)}.sig"


def tokens(di_token: str = "di-token-1", refresh: str | None = None, client: str | None = None):
    return json.dumps({"di_token": di_token, "di_refresh_token": refresh, "di_client_id": client})


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeProviderServer]:
    with FakeProviderServer() as server:
        monkeypatch.setenv("CADENCE_GARMIN_API_URL", server.base_url)
        monkeypatch.setenv("CADENCE_DEVICE_SYNC_BACKFILL_DAYS", "1")
        reset_caches()
        yield server


@pytest.fixture
def user_id(session: Session) -> int:
    user = User(email="garmin@example.com", display_name="G", password_hash="x")
    session.add(user)
    session.commit()
    return user.id


def serve_day(fake: FakeProviderServer, day: str, **payloads) -> None:
    """Garmin's per-day endpoints for ``day`` plus the range endpoints."""
    fake.json("GET", f"/wellness-service/wellness/dailySleepData/{NAME}", payloads["sleep"])
    fake.route("GET", f"/hrv-service/hrv/{day}", payloads["hrv"])
    fake.json("GET", f"/usersummary-service/usersummary/daily/{NAME}", payloads["summary"])
    fake.json("GET", f"/wellness-service/wellness/dailyStress/{day}", payloads["stress"])
    fake.json("GET", f"/metrics-service/metrics/trainingreadiness/{day}", payloads["readiness"])
    fake.json("GET", f"/weight-service/weight/range/{day}/{day}", payloads["weight"])

    def activity_pages(request: Recorded) -> Reply:
        return Reply(payloads["activities"] if request.query["start"] == "0" else [])

    fake.route("GET", "/activitylist-service/activities/search/activities", activity_pages)


def serve_recorded(fake: FakeProviderServer, day: str = "2025-07-07") -> None:
    serve_day(
        fake,
        day,
        sleep=fixture("sleep_dailySleepData_2025-07-07.json"),
        hrv=Reply(fixture("hrv_2023-07-20.json")),
        summary=fixture("usersummary_daily_2025-06-14.json"),
        stress=fixture("dailyStress_bodyBattery_2025-12-18_incomplete.json"),
        readiness=fixture("trainingreadiness_2025-07-07.json"),
        weight=fixture("weight_range_2025-06-01_2025-06-15.json"),
        activities=fixture("activitylist_search_limit3.json"),
    )


def connect(session: Session, user_id: int, credentials: dict | None = None) -> DeviceConnection:
    connection = DeviceConnection(user_id=user_id, provider="garmin", status="ok")
    connections.store_credentials(
        connection, credentials or {"tokens": tokens(), "display_name": NAME}
    )
    connection.next_sync_at = utcnow()
    session.add(connection)
    session.commit()
    return connection


def run(session: Session, user_id: int, day: date = date(2025, 7, 7)):
    return sync.sync_now(session=session, user_id=user_id, provider="garmin", today=day)


def test_sync_replays_recorded_garmin_day_through_garminconnect(fake, session, user_id) -> None:
    serve_recorded(fake)
    connect(session, user_id)
    result = run(session, user_id)
    assert result.status == "ok", result.message

    sleep_call = fake.hits(f"/wellness-service/wellness/dailySleepData/{NAME}")[0]
    assert sleep_call.query["date"] == "2025-07-07"
    assert sleep_call.headers["authorization"] == "Bearer di-token-1"

    rows = {r.date: r for r in session.exec(select(DailyMetric)).all()}
    assert {r.source for r in rows.values()} == {"garmin"}
    night = rows[date(2025, 7, 7)]
    assert (night.sleep_seconds, night.sleep_score, night.recovery_score) == (24180, 83, 80)
    assert (night.sleep_deep_seconds, night.resting_hr, night.spo2_pct) == (5280, 44, 93)
    # Every payload lands on Garmin's own calendarDate, whatever day was asked for.
    assert rows[date(2023, 7, 20)].hrv_rmssd_ms == 42
    assert rows[date(2025, 6, 14)].steps == 5459
    assert rows[date(2025, 12, 18)].stress_avg == 22
    assert rows[date(2025, 6, 15)].weight_kg == 59.72

    activities = session.exec(select(Activity).order_by(Activity.start_time)).all()
    assert [a.sport for a in activities] == [
        "stand_up_paddleboarding_v2",
        "hiking",
        "trail_running",
    ]
    assert {a.source for a in activities} == {"garmin"}
    assert activities[-1].start_time.replace(tzinfo=UTC) == datetime(
        2026, 1, 8, 14, 10, 21, tzinfo=UTC
    )
    assert (
        len(fake.hits("/activitylist-service/activities/search/activities")) == 2
    )  # 2nd page empty

    again = run(session, user_id)
    assert again.counts["activities"] == 0 and again.counts["duplicates"] == 3
    assert len(session.exec(select(DailyMetric)).all()) == len(rows)


def test_no_data_day_syncs_cleanly_and_stores_nothing(fake, session, user_id) -> None:
    serve_day(
        fake,
        "2030-01-01",
        sleep=fixture("sleep_dailySleepData_2030-01-01_nodata.json"),
        hrv=Reply(status=204),
        summary={},
        stress=fixture("dailyStress_2020-01-01_nodata.json"),
        readiness=[],
        weight={"dailyWeightSummaries": []},
        activities=[],
    )
    connection = connect(session, user_id)
    result = run(session, user_id, date(2030, 1, 1))
    assert result.status == "ok" and result.counts["daily_metrics"] == 0
    assert session.exec(select(DailyMetric)).all() == []
    assert session.get(DeviceConnection, connection.id).synced_through == date(2030, 1, 1)


def test_rejected_tokens_mark_garmin_for_reconnection(fake, session, user_id) -> None:
    fake.json(
        "GET",
        f"/wellness-service/wellness/dailySleepData/{NAME}",
        {"message": "denied"},
        status=401,
    )
    connection = connect(session, user_id)
    assert run(session, user_id).status == "error"
    stored = session.get(DeviceConnection, connection.id, populate_existing=True)
    assert stored.needs_reconnect
    assert stored.last_error == (
        "Garmin Connect rejected the sign-in or the stored tokens; please reconnect."
    )


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (Reply({"message": "down"}, status=500), "server error (HTTP 500)"),
        (Reply(b"<html>maintenance</html>"), "could not read (not JSON)"),
        (Reply({}, status=429), "rate limit"),
    ],
    ids=["500", "not-json", "429"],
)
def test_garmin_failures_are_errors_in_words(fake, session, user_id, reply, message) -> None:
    serve_recorded(fake)
    fake.route("GET", "/hrv-service/hrv/2025-07-07", reply)
    connection = connect(session, user_id)
    assert run(session, user_id).status == "error"
    stored = session.get(DeviceConnection, connection.id, populate_existing=True)
    assert message in stored.last_error and not stored.needs_reconnect
    assert stored.next_sync_at is not None


def test_expiring_token_is_refreshed_with_garmins_di_refresh(
    fake, session, user_id, monkeypatch
) -> None:
    monkeypatch.setattr(garminconnect.client, "DI_TOKEN_URL", f"{fake.base_url}/di-oauth2/token")
    fresh = jwt(client_id="GCM_ANDROID_DARK", exp=int(time.time()) + 3600)
    fake.json("POST", "/di-oauth2/token", {"access_token": fresh, "refresh_token": "r2"})
    serve_recorded(fake)
    stale = jwt(client_id="GCM_ANDROID_DARK", exp=int(time.time()) - 60)
    connection = connect(
        session,
        user_id,
        {"tokens": tokens(stale, refresh="r1", client="GCM_ANDROID_DARK"), "display_name": NAME},
    )
    assert run(session, user_id).status == "ok"
    refresh_call = fake.hits("/di-oauth2/token")[0]
    assert refresh_call.form["grant_type"] == "refresh_token"
    assert refresh_call.form["refresh_token"] == "r1"
    data_call = fake.hits(f"/wellness-service/wellness/dailySleepData/{NAME}")[0]
    assert data_call.headers["authorization"] == f"Bearer {fresh}"
    stored = session.get(DeviceConnection, connection.id, populate_existing=True)
    saved = json.loads(connections.read_credentials(stored)["tokens"])
    assert (saved["di_token"], saved["di_refresh_token"]) == (fresh, "r2")


def test_connect_keeps_tokens_never_the_password() -> None:
    seen = []

    def login(email: str, password: str) -> dict:
        seen.append((email, password))
        return {"tokens": tokens(), "display_name": NAME}

    provider = GarminProvider(get_settings(), login=login)
    credentials = provider.connect(
        params={"email": "a@b.co", "password": "hunter2-secret"}, redirect_uri=""
    )
    assert seen == [("a@b.co", "hunter2-secret")]
    assert "hunter2-secret" not in json.dumps(credentials)
    assert credentials == {"tokens": tokens(), "display_name": NAME}


@pytest.mark.parametrize(
    ("raised", "expected", "message"),
    [
        (
            GarminConnectAuthenticationError("Authentication failed (401)"),
            ProviderAuthError,
            "reconnect",
        ),
        (
            GarminConnectAuthenticationError("MFA Required but no prompt_mfa mechanism supplied"),
            ProviderAuthError,
            "two-factor",
        ),
        (
            GarminConnectConnectionError("All login strategies exhausted: 403"),
            ProviderError,
            "failed",
        ),
    ],
)
def test_sign_in_failures_are_explained(raised, expected, message) -> None:
    def login(_email: str, _password: str) -> dict:
        raise raised

    with pytest.raises(expected, match=message):
        GarminProvider(get_settings(), login=login).connect(
            params={"email": "a@b.co", "password": "x"}, redirect_uri=""
        )


def test_timeouts_are_recognised_through_the_exception_chain() -> None:
    try:
        try:
            raise requests.ReadTimeout("HTTPSConnectionPool: Read timed out. (read timeout=15)")
        except requests.ReadTimeout as inner:
            raise GarminConnectConnectionError(f"Connection error: {inner}") from inner
    except GarminConnectConnectionError as outer:
        error = translate_error(outer)
    assert isinstance(error, ProviderUnavailable)
    assert error.message == "Garmin Connect did not answer in time; will retry later."


def test_unusable_stored_tokens_ask_for_reconnection() -> None:
    with pytest.raises(ProviderAuthError, match="reconnect"):
        GarminProvider(get_settings()).client({"tokens": "{}", "display_name": NAME})


def test_unreachable_garmin_during_sign_in_says_so() -> None:
    """The text garminconnect 0.3.2 raised here, offline, after trying its five sign-in ways."""
    raised = GarminConnectConnectionError(
        "Login failed: All login strategies exhausted: HTTPSConnectionPool(host='sso.garmin.com',"
        " port=443): Max retries exceeded with url: /portal/sso/en-US/sign-in (Caused by "
        "NameResolutionError(\"Failed to resolve 'sso.garmin.com'\"))"
    )
    error = translate_error(raised)
    assert isinstance(error, ProviderUnavailable)
    assert error.message == "Cannot reach Garmin Connect; will retry later."


def test_tokens_garminconnect_renews_mid_sync_are_stored(
    fake, session, user_id, monkeypatch
) -> None:
    """A 401 on a data call makes garminconnect renew its DI token by itself and retry; the
    renewed (rotated) tokens must reach the database, or the next sync would hold stale ones."""
    monkeypatch.setattr(garminconnect.client, "DI_TOKEN_URL", f"{fake.base_url}/di-oauth2/token")
    renewed = jwt(client_id="GCM_ANDROID_DARK", exp=int(time.time()) + 3600, n="renewed")
    fake.json("POST", "/di-oauth2/token", {"access_token": renewed, "refresh_token": "r-rotated"})
    serve_recorded(fake)
    sleep_path = f"/wellness-service/wellness/dailySleepData/{NAME}"
    recorded_sleep = fixture("sleep_dailySleepData_2025-07-07.json")

    def sleep(request: Recorded) -> Reply:
        if request.headers["authorization"] != f"Bearer {renewed}":
            return Reply({"message": "expired"}, status=401)
        return Reply(recorded_sleep)

    fake.route("GET", sleep_path, sleep)
    valid = jwt(client_id="GCM_ANDROID_DARK", exp=int(time.time()) + 3600)  # not expiring soon
    connection = connect(
        session,
        user_id,
        {"tokens": tokens(valid, refresh="r1", client="GCM_ANDROID_DARK"), "display_name": NAME},
    )
    assert run(session, user_id).status == "ok"
    assert [h.headers["authorization"] for h in fake.hits(sleep_path)] == [
        f"Bearer {valid}",
        f"Bearer {renewed}",
    ]
    stored = session.get(DeviceConnection, connection.id, populate_existing=True)
    saved = json.loads(connections.read_credentials(stored)["tokens"])
    assert (saved["di_token"], saved["di_refresh_token"]) == (renewed, "r-rotated")
