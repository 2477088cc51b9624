"""``GET /dashboard`` and ``/analytics/*`` through the real API on a real database."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import Session

from cadence.models.common import utcnow
from cadence.models.health import ActivityIn, DailyMetricIn
from cadence.models.workout import ExerciseEntry, WorkoutCreate
from cadence.services import activities, metrics, workouts

TODAY = utcnow().date()


def ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def seed_metrics(session: Session, user_id: int, rows: list[DailyMetricIn]) -> None:
    metrics.upsert_daily_metrics(session=session, user_id=user_id, days=rows)
    session.commit()


def steady_days(n: int, *, source: str = "demo", **values) -> list[DailyMetricIn]:
    """``n`` days ending today with alternating HRV/resting HR around 55 ms / 50 bpm."""
    base = {"sleep_seconds": 8 * 3600, "steps": 9000}
    return [
        DailyMetricIn(
            date=ago(i),
            source=source,
            hrv_rmssd_ms=55.0 * (1.05 if i % 2 else 0.95),
            resting_hr=51.0 if i % 2 else 49.0,
            **(base | values),
        )
        for i in range(n)
    ]


def add_run(session: Session, user_id: int, *, day: date, minutes: float, xid: str, **kw) -> None:
    start = datetime.combine(day, time(7, 0), tzinfo=UTC)
    item = ActivityIn(
        source="garmin",
        external_id=xid,
        sport="running",
        start_time=start,
        duration_s=minutes * 60,
        **kw,
    )
    activities.upsert_activities(session=session, user_id=user_id, activities=[item])
    session.commit()


def add_workout(session: Session, user_id: int, *, day: date, minutes: int | None = 60) -> None:
    data = WorkoutCreate(
        date=day,
        workout_name="Upper body",
        duration_minutes=minutes,
        exercises=[ExerciseEntry(name="Bench press", sets=3, reps="5", weight_kg=100, rpe=8)],
    )
    workouts.create_workout(session=session, user_id=user_id, data=data)
    session.commit()


def set_preferences(client, account, **changes) -> None:
    response = client.put("/api/v1/settings/preferences", json=changes, headers=account.headers)
    assert response.status_code == 200, response.text


def get_dashboard(client, account) -> dict:
    response = client.get("/api/v1/dashboard", headers=account.headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_requires_a_token(client) -> None:
    assert client.get("/api/v1/dashboard").status_code == 401
    assert client.get("/api/v1/analytics/training-load").status_code == 401
    assert client.get("/api/v1/analytics/readiness").status_code == 401


def test_new_user_gets_empty_states(client, account) -> None:
    body = get_dashboard(client, account)
    assert set(body) >= {
        "devices",
        "readiness",
        "today",
        "daily_metrics",
        "training_load",
        "recent_activities",
        "weekly_stats",
        "flags",
    }
    assert body["date"] == TODAY.isoformat()
    assert body["readiness"]["status"] == "insufficient_data"
    assert body["readiness"]["score"] is None and body["readiness"]["color"] is None
    assert body["readiness"]["days_of_data"] == 0 and body["readiness"]["days_required"] == 14
    assert body["today"]["metrics"] == [] and body["daily_metrics"] == []
    assert body["recent_activities"] == [] and body["flags"] == []
    assert body["training_load"]["acwr_status"] == "no_data"
    assert len(body["training_load"]["series"]) == 90
    assert {d["provider"] for d in body["devices"]} >= {"garmin", "whoop"}
    assert all(not d["connected"] for d in body["devices"])
    assert body["weekly_stats"]["this_week"]["sessions"] == 0
    assert body["weekly_stats"]["this_week"]["avg_sleep_hours"] is None
    assert {"readiness", "hrv", "sleep", "load", "acwr", "tiles", "sources"} <= set(
        body["explanations"]
    )


def test_insufficient_data_counts_days(client, account, session) -> None:
    seed_metrics(session, account.user["id"], steady_days(10))
    readiness = get_dashboard(client, account)["readiness"]
    assert readiness["status"] == "insufficient_data"
    assert readiness["days_of_data"] == 10
    assert "10 of 14" in readiness["why"]


def test_steady_user_is_green_with_weighted_contributors(client, account, session) -> None:
    seed_metrics(session, account.user["id"], steady_days(40))
    body = get_dashboard(client, account)
    readiness = body["readiness"]
    assert readiness["status"] == "ok" and readiness["date"] == TODAY.isoformat()
    assert readiness["color"] == "green" and readiness["score"] >= 67
    contributors = {c["key"]: c for c in readiness["contributors"]}
    assert set(contributors) == {"hrv", "resting_hr", "sleep", "sleep_debt", "training_load"}
    assert contributors["training_load"]["value"] is None  # no training: drops out
    assert contributors["training_load"]["weight"] == 0
    assert sum(c["weight"] for c in contributors.values()) == pytest.approx(1.0, abs=0.01)
    assert contributors["sleep"]["value"] == 8.0 and contributors["sleep"]["score"] == 100
    assert contributors["sleep_debt"]["value"] == 0.0
    assert readiness["why"]
    tiles = {t["key"]: t for t in body["today"]["metrics"]}
    assert tiles["sleep_seconds"]["value"] == 8.0 and tiles["sleep_seconds"]["unit"] == "h"
    assert tiles["steps"]["baseline"] == 9000 and tiles["steps"]["delta"] == 0
    assert tiles["hrv_rmssd_ms"]["source"] == "demo"
    assert len(body["daily_metrics"]) == 30
    assert len(body["hrv"]["series"]) == 30 and body["hrv"]["status"] == "within"
    point = body["hrv"]["series"][-1]
    assert point["band_low_ms"] < point["hrv_7d_ms"] < point["band_high_ms"]
    assert body["flags"] == []


def test_flags_for_sleep_debt_and_low_hrv(client, account, session) -> None:
    rows = steady_days(40)
    for i, row in enumerate(rows[:10]):  # the last 10 days: HRV 44 ms against ~55 ms
        row.hrv_rmssd_ms = 44.0
        if i < 4:  # today and the 3 nights before: short
            row.sleep_seconds = 6 * 3600
    seed_metrics(session, account.user["id"], rows)
    body = get_dashboard(client, account)
    codes = {f["code"]: f for f in body["flags"]}
    assert set(codes) == {"hrv_low", "sleep_debt"}
    # 4 short nights of 6 h against 8 h = 8 h of debt; 3 nights of 8 h add nothing
    assert body["sleep"]["debt_hours"] == 8.0 and body["sleep"]["nights_counted"] == 7
    assert "8.0 h" in codes["sleep_debt"]["message"]
    hrv = body["hrv"]
    assert hrv["status"] == "below" and hrv["flagged"] and hrv["color"] == "red"
    assert hrv["hrv_7d_ms"] == 44.0 and hrv["hrv_7d_ms"] < hrv["band_low_ms"]
    assert hrv["days_below"] >= 5
    assert codes["hrv_low"]["message"] == (
        f"HRV 7-day mean 44.0 ms has been below your normal range ({hrv['band_low_ms']:.1f}-"
        f"{hrv['band_high_ms']:.1f} ms) for {hrv['days_below']} days in a row."
    )
    assert body["readiness"]["color"] in {"yellow", "red"}


def test_old_recovery_data_raises_no_flags(client, account, session) -> None:
    rows = steady_days(40)
    for row in rows:
        row.date -= timedelta(days=30)  # the watch has been in a drawer for a month
        row.sleep_seconds = 5 * 3600
    seed_metrics(session, account.user["id"], rows)
    body = get_dashboard(client, account)
    assert body["readiness"]["date"] == ago(30).isoformat()
    assert body["sleep"]["debt_hours"] == 21.0  # shown for that day (7 x 3 h)...
    assert body["flags"] == []  # ...but not raised as a current risk


def test_two_sources_on_one_day_follow_source_priority(client, account, session) -> None:
    user_id = account.user["id"]
    seed_metrics(session, user_id, steady_days(20))
    seed_metrics(
        session,
        user_id,
        [DailyMetricIn(date=TODAY, source="garmin", hrv_rmssd_ms=70.0, recovery_score=81)],
    )
    body = get_dashboard(client, account)
    tiles = {t["key"]: t for t in body["today"]["metrics"]}
    assert tiles["hrv_rmssd_ms"]["value"] == 70.0 and tiles["hrv_rmssd_ms"]["source"] == "garmin"
    assert tiles["steps"]["source"] == "demo"  # garmin sent no steps that day
    today_row = body["daily_metrics"][-1]
    assert today_row["hrv_rmssd_ms"] == 70.0 and today_row["sources"] == ["garmin", "demo"]
    assert body["readiness"]["device_score"] == {
        "label": "Garmin training readiness",
        "value": 81.0,
        "source": "garmin",
        "contributors": [],
    }


def test_readiness_is_for_the_latest_day_with_recovery_data(client, account, session) -> None:
    user_id = account.user["id"]
    seed_metrics(session, user_id, [d for d in steady_days(30) if d.date < TODAY])
    seed_metrics(session, user_id, [DailyMetricIn(date=TODAY, source="demo", weight_kg=70.5)])
    body = get_dashboard(client, account)
    assert body["readiness"]["date"] == ago(1).isoformat()  # a weigh-in alone is not a night
    assert body["readiness"]["status"] == "ok"
    tiles = {t["key"]: t for t in body["today"]["metrics"]}
    assert (
        tiles["weight_kg"]["date"] == TODAY.isoformat() and tiles["weight_kg"]["baseline"] is None
    )


def test_training_load_recent_and_weekly_stats(client, account, session) -> None:
    user_id = account.user["id"]
    set_preferences(client, account, max_hr=200)
    seed_metrics(session, user_id, steady_days(40))
    monday = TODAY - timedelta(days=TODAY.weekday())
    # this week: one 30-min run (5 km, avg HR 130 -> TRIMP with HRr from rest ~50 and max 200)
    add_run(
        session, user_id, day=monday, minutes=30, xid="a1", distance_m=5000, avg_hr=130, max_hr=200
    )
    # last week: a run without heart rate (load unknown) and a 60-min workout (RPE 8 -> 480)
    add_run(session, user_id, day=monday - timedelta(days=3), minutes=45, xid="a2", distance_m=8000)
    add_workout(session, user_id, day=monday - timedelta(days=2))
    body = get_dashboard(client, account)
    this_week, last_week = body["weekly_stats"]["this_week"], body["weekly_stats"]["last_week"]
    assert this_week["start"] == monday.isoformat() and this_week["end"] == TODAY.isoformat()
    assert this_week["sessions"] == 1 and this_week["distance_m"] == 5000
    assert last_week["sessions"] == 2 and last_week["minutes"] == 105
    assert last_week["distance_m"] == 8000 and last_week["volume_load_kg"] == 1500  # 3x5x100
    # the 60-min RPE 8 workout on the TRIMP scale: 60 min at 80 % HRR (Foster's AU would be 480)
    strength = round(60 * 0.8 * 0.64 * math.exp(1.92 * 0.8), 1)
    assert last_week["load"] == pytest.approx(strength, abs=0.1)
    recent = body["recent_activities"]
    assert [r["kind"] for r in recent] == ["activity", "workout", "activity"]
    run = recent[0]
    # resting HR: the 60-day mean of 49/51 alternating = 50 (40 days: 20 each); max HR 200
    hrr = (130 - 50) / (200 - 50)
    assert run["load"] == pytest.approx(30 * hrr * 0.64 * math.exp(1.92 * hrr), abs=0.1)
    assert recent[2]["load"] is None and recent[1]["volume_kg"] == 1500
    load = body["training_load"]
    assert load["acwr_status"] == "warming_up" and 0 < load["warmup_days_left"] <= 28
    assert len(load["series"]) == 90 and load["series"][-1]["date"] == TODAY.isoformat()
    assert sum(p["load"] for p in load["series"]) == pytest.approx(strength + run["load"], abs=0.2)


def test_an_edited_activity_gets_a_fresh_load(client, account, session) -> None:
    user_id = account.user["id"]
    add_run(session, user_id, day=TODAY, minutes=30, xid="r1", avg_hr=130, max_hr=190)
    first = get_dashboard(client, account)["recent_activities"][0]["load"]
    assert get_dashboard(client, account)["recent_activities"][0]["load"] == first  # cached
    add_run(session, user_id, day=TODAY, minutes=30, xid="r1", avg_hr=160, max_hr=190)
    second = get_dashboard(client, account)["recent_activities"][0]["load"]
    # rest 60 (no metrics), max 190: HRr 70/130 then 100/130
    for load, hrr in ((first, 70 / 130), (second, 100 / 130)):
        assert load == pytest.approx(30 * hrr * 0.64 * math.exp(1.92 * hrr), abs=0.1)


def test_other_users_data_stays_private(client, make_account, session) -> None:
    owner, other = make_account(), make_account()
    seed_metrics(session, owner.user["id"], steady_days(30))
    add_workout(session, owner.user["id"], day=TODAY)
    body = get_dashboard(client, other)
    assert body["today"]["metrics"] == [] and body["recent_activities"] == []
    assert body["readiness"]["days_of_data"] == 0
    load = client.get("/api/v1/analytics/training-load?days=7", headers=other.headers).json()
    assert all(p["load"] == 0 for p in load["series"])


def test_training_load_history_endpoint(client, account, session) -> None:
    add_workout(session, account.user["id"], day=ago(2), minutes=50)  # 50 min at RPE 8
    strength = round(50 * 0.8 * 0.64 * math.exp(1.92 * 0.8), 1)  # on the TRIMP scale: 118.9
    response = client.get("/api/v1/analytics/training-load?days=7", headers=account.headers)
    assert response.status_code == 200
    body = response.json()
    assert [p["date"] for p in body["series"]] == [ago(i).isoformat() for i in range(6, -1, -1)]
    assert [p["load"] for p in body["series"]] == [0, 0, 0, 0, strength, 0, 0]
    assert body["fitness"] > 0 and body["fatigue"] > body["fitness"]
    assert body["week_load"] == strength
    for bad in ("0", "4000", "x"):
        resp = client.get(f"/api/v1/analytics/training-load?days={bad}", headers=account.headers)
        assert resp.status_code == 422


def test_readiness_history_endpoint(client, account, session) -> None:
    seed_metrics(session, account.user["id"], steady_days(40))
    day = ago(5).isoformat()
    response = client.get(f"/api/v1/analytics/readiness?date={day}", headers=account.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["date"] == day and body["status"] == "ok" and body["color"] == "green"
    early = client.get(
        f"/api/v1/analytics/readiness?date={ago(30).isoformat()}", headers=account.headers
    ).json()
    assert early["status"] == "insufficient_data" and early["days_of_data"] == 10
    future = (TODAY + timedelta(days=5)).isoformat()
    resp = client.get(f"/api/v1/analytics/readiness?date={future}", headers=account.headers)
    assert resp.status_code == 422
    resp = client.get("/api/v1/analytics/readiness?date=2026-13-01", headers=account.headers)
    assert resp.status_code == 422


UNIT_SUFFIXES = ("_ms", "_bpm", "_hours", "_m", "_kg", "_pct", "_min", "_s", "_days", "_left")


def test_every_number_in_the_openapi_schema_has_a_unit(client) -> None:
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    names = [
        "DashboardResponse",
        "ReadinessOut",
        "Contributor",
        "TodayMetric",
        "HrvPoint",
        "TrainingLoadOut",
        "LoadPointOut",
        "WeekStats",
        "RecentItem",
        "SleepOut",
        "HrvOut",
    ]
    missing = []
    for name in names:
        for field, spec in schemas[name]["properties"].items():
            types = {spec.get("type")} | {s.get("type") for s in spec.get("anyOf", [])}
            unitless = not field.endswith(UNIT_SUFFIXES) and not spec.get("description")
            counted = field in {"id", "sessions", "score"}
            if {"number", "integer"} & types and unitless and not counted:
                missing.append(f"{name}.{field}")
    assert missing == []


def test_demo_data_fills_every_section(client, account, session) -> None:
    from cadence.services import demo

    demo.generate_demo_data(session=session, user_id=account.user["id"])
    session.commit()
    body = get_dashboard(client, account)
    assert body["readiness"]["status"] == "ok"
    assert body["readiness"]["device_score"]["label"] == "Demo recovery"
    assert {t["key"] for t in body["today"]["metrics"]} >= {
        "sleep_seconds",
        "hrv_rmssd_ms",
        "resting_hr",
        "steps",
        "strain",
        "body_battery",
    }
    assert body["flags"], "the demo's last block is built to raise at least one flag"
    assert body["training_load"]["acwr_status"] == "ok"
    assert len(body["recent_activities"]) == 10
    kinds = {r["kind"] for r in body["recent_activities"]}
    assert kinds <= {"activity", "workout"} and "activity" in kinds
    assert body["weekly_stats"]["last_week"]["sessions"] > 0
