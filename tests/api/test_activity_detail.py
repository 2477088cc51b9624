"""GET /api/v1/activities/{id} and DELETE, and the timeline's one entry per session: real
files uploaded through POST /imports, every number recomputed here from the stored samples."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio
import httpx2
import pytest
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client
from sqlmodel import select

from cadence import db
from cadence.api.app import create_api
from cadence.models.activity import ActivityLap, ActivityStream
from cadence.models.health import Activity
from tests.copies import gpx_copy_of
from tests.fit_writer import FitWriter

FIT = Path(__file__).resolve().parent.parent / "fixtures" / "fit"
RIDE = FIT / "garmin-edge-500-activity.fit"
RUN = FIT / "activity-small-fenix2-run.fit"


def upload(client, account, *paths: Path) -> dict:
    files = [("file", (p.name, p.read_bytes())) for p in paths]
    job = client.post("/api/v1/imports", files=files, headers=account.headers).json()
    deadline = time.monotonic() + 60
    while job["status"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.05)
        job = client.get(f"/api/v1/imports/{job['import_id']}", headers=account.headers).json()
    return job


def timeline(client, account, query: str = "") -> dict:
    return client.get(f"/api/v1/activities{query}", headers=account.headers).json()


def detail(client, account, activity_id: int):
    return client.get(f"/api/v1/activities/{activity_id}", headers=account.headers)


def banister(histogram, rest: float, peak: float) -> float:
    """Banister TRIMP written out independently: Σ minutes x HRr x 0.64 x e^(1.92 x HRr)."""
    total = 0.0
    for bpm, seconds in histogram:
        hrr = min(1.0, max(0.0, (bpm - rest) / (peak - rest)))
        total += seconds / 60 * hrr * 0.64 * math.exp(1.92 * hrr)
    return total


def stored_histogram(activity_id: int) -> list:
    with db.session_scope() as session:
        return session.get(Activity, activity_id).hr_histogram


def test_a_ride_in_detail(client, account) -> None:
    assert upload(client, account, RIDE)["status"] == "done"
    [ride] = timeline(client, account)["activities"]
    body = detail(client, account, ride["id"]).json()
    assert body["sport"] == "cycling" and body["sources"] == ["fit"] and body["copies"] == []
    assert body["timezone"] == "UTC" and body["local_start"] == "2011-09-25T13:00:21+00:00"
    streams = body["streams"]
    assert 0 < len(streams["t"]) <= 500
    assert {len(v) for v in streams.values() if v is not None} == {len(streams["t"])}
    assert len(body["laps"]) == 9
    assert sum(lap["duration_s"] for lap in body["laps"]) == pytest.approx(10641, abs=1)
    # zones: the stored histogram's seconds, split at 50/60/70/80/90 % of the default 190 bpm
    histogram = stored_histogram(ride["id"])
    bounds = [95, 114, 133, 152, 171]
    want = [0.0] * 6
    for bpm, seconds in histogram:
        want[sum(1 for low in bounds if bpm >= low)] += seconds
    zones = body["hr_zones"]
    assert zones["origin"] == "default" and zones["max_hr"] == 190
    assert [z["seconds"] for z in zones["zones"]] == pytest.approx(want, abs=0.2)
    assert sum(z["share"] for z in zones["zones"]) == pytest.approx(1, abs=0.001)
    # load: Banister TRIMP of the histogram with the default resting 60 / max 190 bpm
    load = body["load_detail"]
    assert load["method"] == "trimp_histogram" and (load["resting_hr"], load["max_hr"]) == (60, 190)
    assert body["load"] == pytest.approx(banister(histogram, 60, 190), abs=0.1)
    assert (
        "Banister TRIMP" in load["explanation"]
        and "max HR 190 bpm (default)" in (load["explanation"])
    )
    # splits: every whole km of the stream, then the rest
    splits = body["splits"]
    covered = max(d for d in streams["distance_m"] if d) - streams["distance_m"][0]
    assert body["split_unit"] == "km" and len(splits) == math.floor(covered / 1000) + 1
    assert all(s["distance_m"] == 1000 for s in splits[:-1])
    assert sum(s["distance_m"] for s in splits) == pytest.approx(covered, abs=1)
    assert sum(s["duration_s"] for s in splits) == pytest.approx(
        streams["t"][-1] - streams["t"][0], abs=1
    )


def test_units_and_zones_follow_the_users_preferences(client, account) -> None:
    upload(client, account, RUN)
    [run] = timeline(client, account)["activities"]
    changes = {
        "distance_unit": "mi",
        "timezone": "America/New_York",
        "resting_hr": 48,
        "max_hr": 186,
        "hr_zones": [100, 120, 140, 160, 175],
    }
    put = client.put("/api/v1/settings/preferences", json=changes, headers=account.headers)
    assert put.status_code == 200, put.text
    body = detail(client, account, run["id"]).json()
    assert body["split_unit"] == "mi" and body["splits"][0]["distance_m"] == pytest.approx(1609.3)
    assert len(body["splits"]) == 6  # 9.0 km = 5.6 mi: five whole miles and the rest
    assert body["local_start"] == "2015-08-15T10:45:08-04:00"
    assert body["hr_zones"]["origin"] == "user"
    assert [z["low_bpm"] for z in body["hr_zones"]["zones"]] == [None, 100, 120, 140, 160, 175]
    histogram = stored_histogram(run["id"])
    assert body["load"] == pytest.approx(banister(histogram, 48, 186), abs=0.1)
    assert body["load_detail"]["resting_hr_origin"] == "measured"


def test_the_same_session_from_two_sources_is_one_entry(client, account, tmp_path) -> None:
    job = upload(client, account, RUN, gpx_copy_of(RUN, tmp_path / "strava-export.gpx"))
    assert job["status"] == "done" and job["counts"]["activities"] == 2  # both stored
    page = timeline(client, account)
    assert page["total"] == 1
    [entry] = page["activities"]
    assert entry["source"] == "fit" and entry["sources"] == ["fit", "gpx"]
    body = detail(client, account, entry["id"]).json()
    assert [c["source"] for c in body["copies"]] == ["gpx"]
    copy = detail(client, account, body["copies"][0]["id"]).json()
    assert copy["sources"] == ["gpx", "fit"] and copy["streams"]["lat"]
    assert timeline(client, account, "?sport=running")["total"] == 1
    assert timeline(client, account, "?sport=cycling")["total"] == 0
    bad = client.get("/api/v1/activities?sport=chess", headers=account.headers)
    assert bad.status_code == 422


def test_delete_removes_the_session_with_its_copies_legs_and_samples(
    client, make_account, tmp_path
) -> None:
    owner, other = make_account(), make_account()
    triathlon = FIT / "sample_mulitple_header.fit"
    upload(client, owner, RUN, gpx_copy_of(RUN, tmp_path / "copy.gpx"), triathlon)
    entries = {a["sport"]: a for a in timeline(client, owner)["activities"]}
    assert set(entries) == {"running", "multisport"}
    # another user can neither read nor delete them
    for method in ("GET", "DELETE"):
        response = client.request(
            method, f"/api/v1/activities/{entries['running']['id']}", headers=other.headers
        )
        assert response.status_code == 404
    assert timeline(client, owner)["total"] == 2
    for entry in entries.values():
        deleted = client.delete(f"/api/v1/activities/{entry['id']}", headers=owner.headers)
        assert deleted.status_code == 204
        assert detail(client, owner, entry["id"]).status_code == 404
    assert timeline(client, owner)["total"] == 0
    with db.session_scope() as session:
        for table in (Activity, ActivityStream, ActivityLap):
            assert session.exec(select(table).where(table.user_id == owner.user["id"])).all() == []


@pytest.mark.parametrize("activity_id", ["0", "abc", "99999999999"])
def test_bad_ids_are_422(client, account, activity_id) -> None:
    assert detail(client, account, activity_id).status_code == 422


def test_rest_and_mcp_give_the_same_activity(client, account) -> None:
    upload(client, account, RUN)
    [run] = timeline(client, account)["activities"]
    rest = detail(client, account, run["id"]).json()
    app = create_api()

    async def main() -> dict:
        with anyio.fail_after(60):
            return await call()

    async def call() -> dict:
        transport = httpx2.ASGITransport(app=app)
        async with (
            httpx2.AsyncClient(
                transport=transport, headers=account.headers, base_url="http://test"
            ) as http,
            streamable_http_client("http://test/api/v1/mcp", http_client=http) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            called = await session.call_tool(
                "get_activity", {"activity_id": run["id"], "include_streams": True}
            )
            assert not called.is_error
            return called.structured_content

    over_mcp = anyio.run(main)
    assert over_mcp.pop("found") is True
    assert over_mcp == rest


def _strength_fit() -> bytes:
    start = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)
    writer = FitWriter().message("file_id", type="activity", manufacturer="garmin")
    for i in range(900):
        writer.message("record", timestamp=start + timedelta(seconds=i), heart_rate=100 + i % 20)
    for i in range(3):
        writer.message(
            "set",
            start_time=start + timedelta(seconds=200 * i),
            timestamp=start + timedelta(seconds=200 * i + 40),
            repetitions=5,
            weight=100.0,
            set_type="active",
            category="squat",
        )
    writer.message(
        "session",
        start_time=start,
        total_timer_time=899.0,
        total_elapsed_time=899.0,
        sport="training",
        sub_sport="strength_training",
    )
    return writer.to_bytes()


def test_an_export_restores_legs_samples_laps_and_the_workout_link(
    client, make_account, tmp_path
) -> None:
    original = make_account()
    strength = tmp_path / "gym.fit"
    strength.write_bytes(_strength_fit())
    upload(client, original, FIT / "sample_mulitple_header.fit", RIDE, strength)

    def details(account) -> list[dict]:
        found = []
        for entry in timeline(client, account)["activities"]:
            body = detail(client, account, entry["id"]).json()
            found.append(
                {
                    "sport": body["sport"],
                    "legs": [leg["sport"] for leg in body["legs"]],
                    "streams": body["streams"],
                    "laps": body["laps"],
                    "splits": body["splits"],
                    "load": body["load"],
                    "has_workout": body["workout_id"] is not None,
                }
            )
        return found

    before = details(original)
    assert [d["has_workout"] for d in before].count(True) == 1
    archive = client.get("/api/v1/export", headers=original.headers).content
    fresh = make_account()
    files = [("file", ("cadence-export.zip", archive))]
    job = client.post("/api/v1/imports", files=files, headers=fresh.headers).json()
    while job["status"] in ("queued", "running"):
        time.sleep(0.05)
        job = client.get(f"/api/v1/imports/{job['import_id']}", headers=fresh.headers).json()
    assert job["status"] == "done", job
    assert timeline(client, fresh)["total"] == 3  # the legs stay legs
    assert details(fresh) == before
