"""Oura: mapping of the recorded v2 payloads, paging, the OAuth URLs and Oura's failures, against
the fake Oura cloud (``tests.fakes.device_server.serve_oura``)."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from cadence.config import get_settings
from cadence.services.devices.base import ProviderAccessDenied, ProviderUnavailable
from cadence.services.devices.oura import OuraProvider, OuraSleep, map_daily
from tests.fakes.device_server import FakeProviderServer, Reply, serve_oura

CALLBACK = "https://cadence.example/api/v1/devices/oura/callback"
ALL_RECORDED = {"start": date(2024, 10, 1), "end": date(2024, 11, 12)}


@pytest.fixture
def fake(oura_cloud: FakeProviderServer) -> FakeProviderServer:
    return oura_cloud


def oura() -> OuraProvider:
    return OuraProvider(get_settings())


def creds() -> dict:
    return {"access_token": "at-1", "refresh_token": "rt-1", "expires_at": int(time.time()) + 3600}


def test_authorize_url_is_oura_clouds_with_the_scopes_cadence_reads(fake) -> None:
    parts = urlsplit(oura().authorize_url(state="s-1", redirect_uri=CALLBACK))
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://cloud.ouraring.com/oauth/authorize"
    )
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert (query["client_id"], query["redirect_uri"], query["state"]) == (
        "oura-client",
        CALLBACK,
        "s-1",
    )
    assert set(query["scope"].split()) == {"daily", "workout", "spo2Daily"}


def test_the_recorded_nights_map_to_days_with_every_sleep_field(fake) -> None:
    serve_oura(fake)
    days = {d.date: d for d in oura().fetch_daily_metrics(creds(), **ALL_RECORDED)}
    # sleep_single_2024-10-10: in bed 01:01 -> 09:04 (+02:00); Oura's day is the wake-up day
    night = days[date(2024, 10, 10)]
    assert (night.sleep_seconds, night.sleep_deep_seconds, night.sleep_rem_seconds) == (
        23220,
        3060,
        3000,
    )
    assert (night.sleep_light_seconds, night.sleep_awake_seconds) == (17160, 5713)
    assert (night.sleep_efficiency_pct, night.sleep_latency_seconds) == (80.0, 930)
    assert (night.hrv_rmssd_ms, night.resting_hr, night.sleep_avg_hr) == (38.0, 60.0, 71.25)
    assert night.respiratory_rate == 14.5
    # 22 long sleeps in the recording: the naps and the rest period are not nights
    assert sum(1 for d in days.values() if d.sleep_seconds is not None) == 22
    assert days[date(2024, 10, 11)].sleep_seconds == 27390  # not the 30 s "sleep" before it


def test_the_recorded_daily_documents_map_to_their_fields(fake) -> None:
    serve_oura(fake)
    days = {d.date: d for d in oura().fetch_daily_metrics(creds(), **ALL_RECORDED)}
    day = days[date(2024, 11, 11)]
    assert (day.sleep_score, day.recovery_score, day.spo2_pct) == (77.0, 86.0, 98.072)
    assert day.recovery_contributors["hrv_balance"] == 95.0
    assert len(day.recovery_contributors) == 8
    assert (day.stress_high_seconds, day.recovery_high_seconds) == (1800, 7200)
    assert (day.steps, day.active_kcal) == (15185, 1153.0)
    assert all(d.source == "oura" for d in days.values())


def test_a_reading_of_255_bpm_is_no_reading() -> None:
    period = OuraSleep(
        id="x",
        day=date(2024, 1, 2),
        type="long_sleep",
        total_sleep_duration=20000,
        lowest_heart_rate=255,
        average_heart_rate=255,
    )
    [day] = map_daily(
        sleeps=[period], daily_sleeps=[], readiness=[], activity=[], spo2=[], stress=[]
    )
    assert (day.resting_hr, day.sleep_avg_hr, day.sleep_seconds) == (None, None, 20000)


def test_workouts_become_oura_activities_in_utc(fake) -> None:
    serve_oura(fake)
    activities = oura().fetch_activities(creds(), **ALL_RECORDED)
    assert len(activities) == 83 and {a.source for a in activities} == {"oura"}
    [run] = [a for a in activities if a.sport == "running"]
    assert run.start_time == datetime(2024, 10, 25, 14, 4, tzinfo=UTC)  # 16:04 +02:00
    assert (run.duration_s, round(run.distance_m), run.calories) == (3660.0, 9459, 671.183)
    assert next(a for a in activities if a.sport == "walking").distance_m is None


def test_pages_are_followed_with_next_token_and_the_window_is_kept(fake) -> None:
    serve_oura(fake, page_size=5)
    start, end = date(2024, 10, 15), date(2024, 10, 20)
    days = oura().fetch_daily_metrics(creds(), start=start, end=end)
    assert {d.date for d in days} == {date(2024, 10, d) for d in range(15, 21)}
    sleep_calls = fake.hits("/v2/usercollection/sleep")
    assert len(sleep_calls) > 1  # more than one page of periods in six days
    assert sleep_calls[0].query == {"start_date": "2024-10-15", "end_date": "2024-10-21"}
    assert [c.query.get("next_token") for c in sleep_calls][1:] == [
        str(5 * i) for i in range(1, len(sleep_calls))
    ]
    assert all(c.headers["authorization"] == "Bearer at-1" for c in sleep_calls)


@pytest.mark.parametrize("status", [403, 426])
def test_a_refused_collection_names_the_missing_scope(fake, status) -> None:
    serve_oura(fake)
    fake.route("GET", "/v2/usercollection/daily_spo2", Reply({"detail": "no"}, status=status))
    with pytest.raises(ProviderAccessDenied) as raised:
        oura().fetch_daily_metrics(creds(), **ALL_RECORDED)
    assert "'spo2Daily' permission" in raised.value.message
    assert f"HTTP {status}" in raised.value.message


def test_429_carries_retry_after(fake) -> None:
    serve_oura(fake)
    fake.route(
        "GET",
        "/v2/usercollection/workout",
        Reply({"detail": "slow down"}, status=429, headers={"Retry-After": "120"}),
    )
    with pytest.raises(ProviderUnavailable) as raised:
        oura().fetch_activities(creds(), **ALL_RECORDED)
    assert raised.value.retry_after == 120
    assert "rate limit" in raised.value.message


def test_revoke_sends_the_token_to_ouras_revoke_endpoint(fake) -> None:
    serve_oura(fake)
    oura().revoke(creds())
    [call] = fake.hits("/oauth/revoke", "GET")
    assert call.query == {"access_token": "at-1"}
