"""GET /api/v1/activities: newest first, pagination, validation, isolation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from cadence.models.health import ActivityIn
from cadence.services import activities

BASE = datetime(2026, 11, 1, 7, 0, tzinfo=UTC)


def _activity(i: int, source: str = "demo") -> ActivityIn:
    return ActivityIn(
        source=source,
        external_id=f"x{i}",
        sport="running",
        start_time=BASE + timedelta(days=i),
        duration_s=1800 + i,
        elapsed_s=1900,
        distance_m=5000,
        avg_hr=150,
        max_hr=170,
        calories=400,
        elevation_gain_m=30,
        load=80,
        hr_histogram=[[150, 1800]],
    )


def test_pages_are_newest_first(client, account, session) -> None:
    activities.upsert_activities(
        session=session, user_id=account.user["id"], activities=[_activity(i) for i in range(25)]
    )
    session.commit()
    body = client.get("/api/v1/activities?page=2&per_page=10", headers=account.headers).json()
    assert (body["page"], body["per_page"], body["total"]) == (2, 10, 25)
    starts = [a["start_time"] for a in body["activities"]]
    assert starts == sorted(starts, reverse=True) and len(starts) == 10
    assert starts[0] == "2026-11-15T07:00:00Z"  # items 24..15 were page 1
    first = body["activities"][0]
    assert set(first) == {
        "id",
        "source",
        "sport",
        "start_time",
        "duration_s",
        "elapsed_s",
        "distance_m",
        "avg_hr",
        "max_hr",
        "calories",
        "elevation_gain_m",
        "load",
        "device_load",
        "sources",
        "leg_count",
        "workout_id",
    }
    assert first["sources"] == ["demo"] and first["device_load"] == 80  # the stored figure
    last = client.get("/api/v1/activities?page=3&per_page=10", headers=account.headers).json()
    assert len(last["activities"]) == 5


def test_upsert_counts_duplicates_and_refreshes(session, account) -> None:
    uid = account.user["id"]
    first = activities.upsert_activities(session=session, user_id=uid, activities=[_activity(1)])
    changed = _activity(1).model_copy(update={"distance_m": 5100.0})
    again = activities.upsert_activities(
        session=session, user_id=uid, activities=[changed, _activity(1, source="strava")]
    )
    session.commit()
    assert first == {"created": 1, "duplicates": 0} and again == {"created": 1, "duplicates": 1}
    rows = activities.activities_between(
        session=session,
        user_id=uid,
        start=date(2026, 11, 2),
        end=date(2026, 11, 2),
        merge_copies=False,
    )
    assert sorted((r.source, r.distance_m) for r in rows) == [("demo", 5100.0), ("strava", 5000.0)]


@pytest.mark.parametrize("query", ["page=0", "per_page=0", "per_page=101", "page=x"])
def test_bad_paging_is_422(client, account, query) -> None:
    assert client.get(f"/api/v1/activities?{query}", headers=account.headers).status_code == 422


def test_other_users_activities_are_invisible(client, make_account, session) -> None:
    owner, other = make_account(), make_account()
    activities.upsert_activities(
        session=session, user_id=owner.user["id"], activities=[_activity(1)]
    )
    session.commit()
    body = client.get("/api/v1/activities", headers=other.headers).json()
    assert body == {"activities": [], "page": 1, "per_page": 20, "total": 0}


def test_copies_of_one_session_from_two_sources_count_once(session, account) -> None:
    uid = account.user["id"]
    ride = _activity(3)
    from_api = ride.model_copy(
        update={"source": "garmin", "external_id": "g1", "hr_histogram": None, "duration_s": 1830}
    )
    later = from_api.model_copy(
        update={"external_id": "g2", "start_time": ride.start_time + timedelta(minutes=40)}
    )
    other_day = _activity(5, source="garmin")
    activities.upsert_activities(
        session=session, user_id=uid, activities=[from_api, ride, later, other_day]
    )
    session.commit()
    day = ride.start_time.date()
    every = activities.activities_between(
        session=session, user_id=uid, start=day, end=day, merge_copies=False
    )
    merged = activities.activities_between(session=session, user_id=uid, start=day, end=day)
    assert [r.source for r in every] == ["garmin", "demo", "garmin"]
    # the demo copy has the HR histogram, so it is kept; the second ride 40 min later stays
    assert [(r.source, r.external_id) for r in merged] == [("demo", "x3"), ("garmin", "g2")]
    # the service still lists every stored row; the timeline (below) shows sessions
    assert activities.list_activities(session=session, user_id=uid)[1] == 4
