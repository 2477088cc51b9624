"""WHOOP and Strava HTTP flows (OAuth, refresh, pagination, failures) against a local fake."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from cadence.config import get_settings
from cadence.services.devices.base import ProviderAuthError, ProviderError, ProviderUnavailable
from cadence.services.devices.strava import StravaProvider
from cadence.services.devices.whoop import WhoopProvider
from tests.conftest import reset_caches
from tests.fakes.device_server import FakeProviderServer, Recorded, Reply

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "json"
CALLBACK = "http://127.0.0.1:8000/api/v1/devices/whoop/callback"


def fixture(name: str):
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeProviderServer]:
    with FakeProviderServer() as server:
        for name in ("WHOOP", "STRAVA"):
            monkeypatch.setenv(f"CADENCE_{name}_API_URL", server.base_url)
            monkeypatch.setenv(f"CADENCE_{name}_CLIENT_ID", f"{name.lower()}-client")
            monkeypatch.setenv(f"CADENCE_{name}_CLIENT_SECRET", f"{name.lower()}-secret")
        monkeypatch.setenv("CADENCE_DEVICE_HTTP_TIMEOUT_SECONDS", "0.5")
        reset_caches()
        yield server


def whoop() -> WhoopProvider:
    return WhoopProvider(get_settings())


def creds(expires_in: int = 3600) -> dict:
    return {
        "access_token": "at-1",
        "refresh_token": "rt-1",
        "expires_at": int(time.time()) + expires_in,
    }


def test_authorize_url_carries_client_redirect_scopes_and_state(fake) -> None:
    url = whoop().authorize_url(state="state-12345678", redirect_uri=CALLBACK)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{fake.base_url}/oauth/oauth2/auth"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["client_id"] == "whoop-client"
    assert query["redirect_uri"] == CALLBACK
    assert query["state"] == "state-12345678"
    assert query["response_type"] == "code"
    assert {"offline", "read:recovery", "read:sleep", "read:cycles", "read:workout"} <= set(
        query["scope"].split()
    )


def test_code_exchange_posts_the_code_and_client_credentials(fake) -> None:
    fake.json(
        "POST",
        "/oauth/oauth2/token",
        {
            "access_token": "at-new",
            "refresh_token": "rt-new",
            "expires_in": 3600,
            "token_type": "bearer",
        },
    )
    before = time.time()
    credentials = whoop().connect(params={"code": "the-code"}, redirect_uri=CALLBACK)
    sent = fake.hits("/oauth/oauth2/token")[0].form
    assert sent == {
        "grant_type": "authorization_code",
        "code": "the-code",
        "redirect_uri": CALLBACK,
        "client_id": "whoop-client",
        "client_secret": "whoop-secret",
    }
    assert credentials["access_token"] == "at-new" and credentials["refresh_token"] == "rt-new"
    assert before + 3590 <= credentials["expires_at"] <= time.time() + 3600


def test_rejected_code_is_an_auth_error(fake) -> None:
    fake.json("POST", "/oauth/oauth2/token", {"error": "invalid_grant"}, status=400)
    with pytest.raises(ProviderAuthError, match="rejected the authorisation code"):
        whoop().connect(params={"code": "stale"}, redirect_uri=CALLBACK)


def test_missing_code_is_an_auth_error_without_a_request(fake) -> None:
    with pytest.raises(ProviderAuthError, match="did not send an authorisation code"):
        whoop().connect(params={}, redirect_uri=CALLBACK)
    assert fake.requests == []


def test_refresh_only_when_expiring_and_keeps_the_refresh_token(fake) -> None:
    fake.json("POST", "/oauth/oauth2/token", {"access_token": "at-2", "expires_in": 3600})
    assert whoop().refresh_credentials(creds(3600), force=False) is None
    assert fake.requests == []
    fresh = whoop().refresh_credentials(creds(60), force=False)
    form = fake.hits("/oauth/oauth2/token")[0].form
    assert (form["grant_type"], form["refresh_token"], form["scope"]) == (
        "refresh_token",
        "rt-1",
        "offline",
    )
    assert fresh["access_token"] == "at-2"
    assert fresh["refresh_token"] == "rt-1"  # WHOOP did not rotate it: the old one is kept


def test_revoked_refresh_token_asks_for_reconnect(fake) -> None:
    fake.json("POST", "/oauth/oauth2/token", {"error": "invalid_grant"}, status=400)
    with pytest.raises(ProviderAuthError, match="reconnect"):
        whoop().refresh_credentials(creds(), force=True)


def _paged(pages: dict[str | None, dict]):
    def handler(request: Recorded) -> Reply:
        return Reply(body=pages[request.query.get("nextToken")])

    return handler


def test_collections_follow_next_token_and_send_the_bearer_token(fake) -> None:
    records = fixture("whoop/v1_sleep_collection_2022-05-01_07_transcribed.json")["records"]
    fake.route(
        "GET",
        "/developer/v2/activity/sleep",
        _paged(
            {
                None: {"records": records[:3], "next_token": "page-2"},
                "page-2": {"records": records[3:6], "next_token": "page-3"},
                "page-3": {"records": records[6:], "next_token": None},
            }
        ),
    )
    fake.json("GET", "/developer/v2/recovery", {"records": [], "next_token": None})
    fake.json("GET", "/developer/v2/cycle", {"records": [], "next_token": None})
    days = whoop().fetch_daily_metrics(creds(), start=date(2022, 5, 1), end=date(2022, 5, 7))
    hits = fake.hits("/developer/v2/activity/sleep")
    assert [h.query.get("nextToken") for h in hits] == [None, "page-2", "page-3"]
    assert all(h.headers["authorization"] == "Bearer at-1" for h in hits)
    assert hits[0].query["limit"] == "25"
    assert hits[0].query["start"] == "2022-04-30T00:00:00Z"
    assert hits[0].query["end"] == "2022-05-08T00:00:00Z"
    assert len(days) == 7  # 8 records over three pages, minus the nap


def test_workouts_map_from_the_collection(fake) -> None:
    fake.json(
        "GET",
        "/developer/v2/activity/workout",
        {"records": [fixture("whoop/v2_workout_doc_example_elided.json")], "next_token": ""},
    )
    [activity] = whoop().fetch_activities(creds(), start=date(2022, 4, 24), end=date(2022, 4, 24))
    assert activity.external_id == "ecfc6a15-4661-442f-a9a4-f160dd7afae8"


@pytest.mark.parametrize(
    ("reply", "error", "message"),
    [
        (
            Reply({"message": "Unauthorized"}, status=401),
            ProviderAuthError,
            "rejected the access token",
        ),
        (Reply({}, status=429, headers={"Retry-After": "120"}), ProviderUnavailable, "in 120 s"),
        (Reply({"oops": 1}, status=500), ProviderUnavailable, "server error \\(HTTP 500\\)"),
        (Reply(b"<html>gateway</html>", status=200), ProviderUnavailable, "not JSON"),
        (Reply({"items": []}), ProviderUnavailable, "no 'records' list"),
        (Reply({"records": []}, delay=1.5), ProviderUnavailable, "did not answer in time"),
        (Reply({"detail": "bad range"}, status=422), ProviderError, "HTTP 422"),
    ],
    ids=["401", "429", "500", "not-json", "wrong-shape", "timeout", "422"],
)
def test_failures_become_clear_provider_errors(fake, reply, error, message) -> None:
    fake.route("GET", "/developer/v2/activity/workout", reply)
    with pytest.raises(error, match=message) as caught:
        whoop().fetch_activities(creds(), start=date(2022, 4, 24), end=date(2022, 4, 24))
    if reply.status == 429:
        assert caught.value.retry_after == 120


def test_unreachable_provider_is_unavailable(monkeypatch) -> None:
    monkeypatch.setenv("CADENCE_WHOOP_API_URL", "http://127.0.0.1:9")  # discard port: refused
    reset_caches()
    with pytest.raises(ProviderUnavailable, match="Cannot reach WHOOP"):
        whoop().fetch_activities(creds(), start=date(2022, 4, 24), end=date(2022, 4, 24))


def test_strava_pages_until_a_short_page_and_marks_activities(fake) -> None:
    run = fixture("strava/activity_detailed.3.json")
    hike = fixture("strava/activity_manual.3.json")
    full_page = [{**run, "id": 1000 + i} for i in range(100)]

    def pages(request: Recorded) -> Reply:
        return Reply(body=full_page if request.query["page"] == "1" else [hike])

    fake.route("GET", "/api/v3/athlete/activities", pages)
    provider = StravaProvider(get_settings())
    activities = provider.fetch_activities(creds(), start=date(2013, 11, 1), end=date(2013, 12, 31))
    assert [h.query["page"] for h in fake.requests] == ["1", "2"]
    assert fake.requests[0].query["per_page"] == "100"
    assert len(activities) == 101 and activities[-1].sport == "hiking"
    assert provider.source == "strava"
    assert provider.fetch_daily_metrics(creds(), start=date(2013, 1, 1), end=date(2013, 1, 2)) == []


def test_strava_authorize_and_token_exchange(fake) -> None:
    provider = StravaProvider(get_settings())
    url = provider.authorize_url(state="s" * 20, redirect_uri="http://x/cb")
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert urlsplit(url).path == "/oauth/authorize"
    assert query["scope"] == "read,activity:read_all" and query["approval_prompt"] == "auto"
    expires_at = int(time.time()) + 21600
    fake.json(
        "POST",
        "/oauth/token",
        {
            "access_token": "sa",
            "refresh_token": "sr",
            "expires_at": expires_at,
            "athlete": {"id": 1},
        },
    )
    credentials = provider.connect(params={"code": "c"}, redirect_uri="http://x/cb")
    assert credentials == {"access_token": "sa", "refresh_token": "sr", "expires_at": expires_at}


def test_unconfigured_oauth_provider_says_so(monkeypatch) -> None:
    monkeypatch.delenv("CADENCE_WHOOP_CLIENT_ID", raising=False)
    reset_caches()
    assert "CADENCE_WHOOP_CLIENT_ID" in whoop().setup_problem()


def test_revoke_asks_each_provider_to_end_access(fake) -> None:
    fake.route("DELETE", "/developer/v2/user/access", Reply(status=204))
    fake.json("POST", "/oauth/deauthorize", {"access_token": "at-1"})
    whoop().revoke(creds())
    StravaProvider(get_settings()).revoke(creds())
    assert [(r.method, r.path, r.headers["authorization"]) for r in fake.requests] == [
        ("DELETE", "/developer/v2/user/access", "Bearer at-1"),
        ("POST", "/oauth/deauthorize", "Bearer at-1"),
    ]
