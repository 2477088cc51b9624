"""Numbers you can trust: each defect of issue 12 rebuilt from data whose truth is known, through
the real API on a real database (the dashboard) and the coach's tools on the same rows."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import Session

from cadence.models.health import ActivityIn, DailyMetricIn
from cadence.services import activities, metrics, preferences
from cadence.services.chat import tools
from cadence.services.chat.registry import ToolContext
from tests.api.test_dashboard_api import get_dashboard as dashboard
from tests.api.test_dashboard_api import set_preferences as put_preferences
from tests.fakes.chat_fixtures import run_turn, text_of


def user_today(session: Session, user_id: int) -> date:
    return preferences.user_day(session=session, user_id=user_id).today()


def run(
    session: Session,
    user_id: int,
    *,
    start: datetime,
    source: str,
    xid: str,
    minutes: float = 60,
    avg_hr: float | None = 150,
    max_hr: float | None = 170,
) -> None:
    item = ActivityIn(
        source=source,
        external_id=xid,
        sport="running",
        start_time=start,
        duration_s=minutes * 60,
        avg_hr=avg_hr,
        max_hr=max_hr,
        distance_m=10_000,
    )
    activities.upsert_activities(session=session, user_id=user_id, activities=[item])
    session.commit()


def trimp(minutes: float, avg: float, rest: float, maximum: float, a: float, b: float) -> float:
    hrr = (avg - rest) / (maximum - rest)
    return minutes * hrr * a * math.exp(b * hrr)


MALE = (0.64, 1.92)
FEMALE = (0.86, 1.67)


def test_a_run_from_two_sources_counts_once_in_load(client, account, session) -> None:
    """Defect 1: a run uploaded as GPX and as TCX (same start, same duration) is one session."""
    uid = account.user["id"]
    put_preferences(client, account, resting_hr=50, max_hr=190)
    today = user_today(session, uid)
    start = datetime.combine(today, time(7, 0), tzinfo=UTC)
    run(session, uid, start=start, source="gpx", xid="g1")
    run(session, uid, start=start + timedelta(seconds=20), source="tcx", xid="t1")
    one = trimp(60, 150, 50, 190, *MALE)
    body = dashboard(client, account)
    assert body["training_load"]["load"] == pytest.approx(one, abs=0.1)
    assert body["training_load"]["week_load"] == pytest.approx(one, abs=0.1)
    assert body["weekly_stats"]["this_week"]["sessions"] == 1
    assert [r["source"] for r in body["recent_activities"]] == ["tcx"]  # files before GPX


def test_trimp_uses_the_users_max_hr_not_an_artefact(client, account, session) -> None:
    """One 215 bpm spike in another session's max HR does not re-weight this session."""
    uid = account.user["id"]
    put_preferences(client, account, resting_hr=50, max_hr=185)
    today = user_today(session, uid)
    start = datetime.combine(today, time(7, 0), tzinfo=UTC)
    run(session, uid, start=start, source="garmin", xid="a")
    run(
        session,
        uid,
        start=start - timedelta(days=1),
        source="garmin",
        xid="spike",
        avg_hr=None,
        max_hr=215,
    )
    body = dashboard(client, account)
    assert body["training_load"]["load"] == pytest.approx(trimp(60, 150, 50, 185, *MALE), abs=0.1)


def test_women_get_banisters_female_curve_and_changing_sex_recomputes(
    client, account, session
) -> None:
    uid = account.user["id"]
    put_preferences(client, account, resting_hr=50, max_hr=190)
    today = user_today(session, uid)
    run(session, uid, start=datetime.combine(today, time(7, 0), tzinfo=UTC), source="fit", xid="f")
    male = dashboard(client, account)["training_load"]["load"]
    put_preferences(client, account, sex="female")
    female = dashboard(client, account)["training_load"]["load"]
    assert male == pytest.approx(trimp(60, 150, 50, 190, *MALE), abs=0.1)
    assert female == pytest.approx(trimp(60, 150, 50, 190, *FEMALE), abs=0.1)
    assert female > male * 1.05  # the male curve under-read her
    detail = client.get(
        f"/api/v1/activities/{dashboard(client, account)['recent_activities'][0]['id']}",
        headers=account.headers,
    ).json()
    assert detail["load_detail"]["value"] == pytest.approx(female, abs=0.1)  # activity page agrees


def test_an_activity_counts_on_the_users_local_day(client, account, session) -> None:
    """A run at 20:00 UTC is tomorrow morning in Auckland: it counts on the local day."""
    uid = account.user["id"]
    put_preferences(client, account, timezone="Pacific/Auckland", resting_hr=50, max_hr=190)
    today = user_today(session, uid)
    zone = preferences.user_day(session=session, user_id=uid).zone
    local_morning = datetime.combine(today, time(8, 0), tzinfo=zone)
    assert local_morning.astimezone(UTC).date() == today - timedelta(days=1)  # UTC: yesterday
    run(session, uid, start=local_morning.astimezone(UTC), source="fit", xid="nz")
    body = dashboard(client, account)
    assert body["date"] == today.isoformat() and body["timezone"] == "Pacific/Auckland"
    assert body["recent_activities"][0]["date"] == today.isoformat()
    assert body["training_load"]["series"][-1]["load"] > 0


def test_this_week_starts_on_the_users_week_start_and_says_so_far(client, account, session) -> None:
    uid = account.user["id"]
    put_preferences(client, account, week_start="sunday")
    today = user_today(session, uid)
    sunday = today - timedelta(days=(today.weekday() + 1) % 7)
    week = dashboard(client, account)["weekly_stats"]
    assert week["this_week"]["start"] == sunday.isoformat()
    assert week["this_week"]["days"] == (today - sunday).days + 1
    assert week["this_week"]["so_far"] is (today != sunday + timedelta(days=6))
    assert week["last_week"]["days"] == 7 and week["last_week"]["so_far"] is False


def seed_stale(session: Session, uid: int, *, today: date, stopped_days_ago: int) -> None:
    """20 nights of 6 h (2 h short of the 8 h need) ending ``stopped_days_ago`` days ago."""
    last = today - timedelta(days=stopped_days_ago)
    rows = [
        DailyMetricIn(
            date=last - timedelta(days=i),
            source="garmin",
            sleep_seconds=6 * 3600,
            resting_hr=50 + i % 2,
            hrv_rmssd_ms=60 + (i % 3),
        )
        for i in range(20)
    ]
    metrics.upsert_daily_metrics(session=session, user_id=uid, days=rows)
    session.commit()


def test_stale_sleep_debt_is_the_dashboards_and_states_its_age(client, account, session) -> None:
    """Defects 4-5: data that stops 5 days ago. The coach's debt is the dashboard's (7 nights
    ending on the last recorded morning: 14 h) and both say how old it is."""
    uid = account.user["id"]
    today = user_today(session, uid)
    seed_stale(session, uid, today=today, stopped_days_ago=5)
    body = dashboard(client, account)
    assert body["sleep"]["debt_hours"] == 14.0 and body["sleep"]["nights_counted"] == 7
    assert body["sleep"]["age_days"] == 5 and body["readiness"]["age_days"] == 5
    ctx = ToolContext(session=session, user_id=uid, today=today)
    result = tools.get_sleep_history(ctx, days=7)
    assert result.payload()["debt_hours"] == body["sleep"]["debt_hours"]
    assert "5 days ago" in result.summary and "14.0 h" in result.summary
    assert "on track" not in result.summary
    brief = tools.get_daily_brief(ctx)
    assert "5 days ago" in brief.summary


def test_weekly_summary_uses_the_dashboards_resting_hr(client, account, session) -> None:
    """Defect 4: the coach's weekly load equals the dashboard's (same 60-day resting HR)."""
    uid = account.user["id"]
    today = user_today(session, uid)
    rows = [
        DailyMetricIn(date=today - timedelta(days=i), source="garmin", resting_hr=40 + i)
        for i in range(40)
    ]
    metrics.upsert_daily_metrics(session=session, user_id=uid, days=rows)
    session.commit()
    run(session, uid, start=datetime.combine(today, time(7, 0), tzinfo=UTC), source="fit", xid="w")
    body = dashboard(client, account)
    ctx = ToolContext(session=session, user_id=uid, today=today)
    summary = tools.get_weekly_summary(ctx)
    assert summary.payload()["this_week"]["load"] == body["weekly_stats"]["this_week"]["load"]


def _week_at_band_edge(today: date, factor: float) -> dict[date, float]:
    """60 alternating readings (55/65 ms) with the last 7 scaled by ``factor``."""
    return {
        today - timedelta(days=i): (55.0 if i % 2 else 65.0) * (factor if i < 7 else 1.0)
        for i in range(60)
    }


def test_hrv_verdict_never_contradicts_its_figures() -> None:
    """A 7-day mean a hair under the band's low edge shows as the edge itself ("53.0 ms, normal
    53.0-71.0 ms"): the verdict, decided on the figures shown, is "within", never "below"."""
    from cadence.services import analytics, dashboard

    today = date(2026, 3, 1)

    def gap(factor: float) -> float:
        base = analytics.hrv_baseline(_week_at_band_edge(today, factor), on=today)
        assert base is not None
        return math.exp(base.short_mean) - math.exp(
            base.long_mean - analytics.HRV_SWC_SD * base.long_sd
        )

    low, high = 0.5, 1.0  # gap(low) < 0 < gap(high)
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if gap(middle) < 0 else (low, middle)
    series = _week_at_band_edge(today, low)
    assert gap(low) < 0  # unrounded, a hair below
    now = dashboard.hrv_now(series, on=today, today=today)
    assert now.hrv_7d_ms == now.band_low_ms and now.status == "within"
    assert now.color == "green"


def test_apple_health_sdnn_is_answered_with_its_own_baseline(session, account) -> None:
    uid = account.user["id"]
    today = user_today(session, uid)
    rows = [
        DailyMetricIn(date=today - timedelta(days=i), source="apple_health", hrv_sdnn_ms=40 + i % 5)
        for i in range(14)
    ]
    metrics.upsert_daily_metrics(session=session, user_id=uid, days=rows)
    session.commit()
    result = tools.get_hrv_trend(ToolContext(session=session, user_id=uid, today=today), days=14)
    assert "No HRV readings" not in result.summary
    assert result.summary.startswith("HRV (SDNN) latest 40.0 ms")
    assert (
        result.payload()["now"]["metric"] == "sdnn"
        and result.payload()["now"]["status"] is not None
    )


def test_sdnn_feeds_readiness_with_its_own_baseline_when_there_is_no_rmssd(
    client, account, session
) -> None:
    """20 days of Apple Health SDNN, ln 3.6 / 3.8 alternating (36.6 / 44.7 ms), and two rMSSD
    readings of 90 ms (too few for a baseline). Readiness uses SDNN, labelled: 7-day mean
    exp((4 x 3.6 + 3 x 3.8) / 7) = exp(3.685714) = 39.9 ms against exp(3.7) = 40.4 ms (-1 %),
    z = -0.014286 / 0.102598 (sample SD 0.1 x sqrt(20/19)) = -0.139, score 75 - 25 x 0.139 =
    71.5. The 90 ms rMSSD nights are in neither."""
    uid = account.user["id"]
    today = user_today(session, uid)
    rows = [
        DailyMetricIn(
            date=today - timedelta(days=i),
            source="apple_health",
            hrv_sdnn_ms=math.exp(3.8 if i % 2 else 3.6),
            hrv_rmssd_ms=90.0 if i in (3, 4) else None,
        )
        for i in range(20)
    ]
    metrics.upsert_daily_metrics(session=session, user_id=uid, days=rows)
    session.commit()
    body = dashboard(client, account)
    (hrv,) = [c for c in body["readiness"]["contributors"] if c["key"] == "hrv"]
    assert hrv["label"] == "HRV (SDNN)"
    assert hrv["value"] == pytest.approx(math.exp(25.8 / 7))
    assert hrv["reference"] == pytest.approx(math.exp(3.7))
    assert hrv["score"] == pytest.approx(75 + 25 * (25.8 / 7 - 3.7) / (0.1 * math.sqrt(20 / 19)))
    assert hrv["detail"] == "7-day SDNN 40 ms vs baseline 40 ms (-1%)"
    assert body["hrv"]["metric"] == "sdnn" and body["hrv"]["hrv_7d_ms"] == 39.9
    assert body["hrv"]["baseline_ms"] == 40.4
    ctx = ToolContext(session=session, user_id=uid, today=today)
    readiness = tools.get_readiness(ctx)
    assert "HRV (SDNN) 7-day SDNN 40 ms vs baseline 40 ms" in readiness.summary
    assert readiness.payload()["contributors"] == body["readiness"]["contributors"]
    trend = tools.get_hrv_trend(ctx, days=14)
    assert trend.payload()["now"] == {k: v for k, v in body["hrv"].items() if k != "series"}
    _, events = run_turn(uid, "What's my readiness today?", today=today)
    assert "- HRV (SDNN): 7-day SDNN 40 ms vs baseline 40 ms (-1%)" in text_of(events)


def test_a_new_users_resting_hr_today_is_named(client, account, session) -> None:
    uid = account.user["id"]
    today = user_today(session, uid)
    metrics.upsert_daily_metrics(
        session=session,
        user_id=uid,
        days=[DailyMetricIn(date=today, source="garmin", resting_hr=52)],
    )
    session.commit()
    body = dashboard(client, account)
    resting = next(c for c in body["readiness"]["contributors"] if c["key"] == "resting_hr")
    assert resting["value"] == 52 and "No reading" not in resting["detail"]
    assert "needs 14 readings" in resting["detail"]


def test_changing_preferences_queues_the_recomputation(client, account, monkeypatch) -> None:
    """After the new values are committed (the embedded worker would run it at once)."""
    from cadence.services import recompute

    queued: list[dict] = []
    monkeypatch.setattr(recompute, "after_preferences_changed", lambda **kw: queued.append(kw))
    put_preferences(client, account, max_hr=180)
    assert queued == [{"user_id": account.user["id"]}]
    recompute.refresh_dashboard.function(user_id=account.user["id"])  # the worker's run


def test_the_weight_tile_is_in_the_users_unit(client, account, session) -> None:
    uid = account.user["id"]
    put_preferences(client, account, weight_unit="lb", distance_unit="mi")
    today = user_today(session, uid)
    metrics.upsert_daily_metrics(
        session=session,
        user_id=uid,
        days=[DailyMetricIn(date=today, source="garmin", weight_kg=70.0)],
    )
    session.commit()
    body = dashboard(client, account)
    (tile,) = [t for t in body["today"]["metrics"] if t["key"] == "weight_kg"]
    assert tile["unit"] == "lb" and tile["value"] == pytest.approx(154.32, abs=0.01)
    assert body["weight_unit"] == "lb" and body["distance_unit"] == "mi"


APPLE_LATE_EVENING = """<?xml version="1.0" encoding="UTF-8"?>
<HealthData locale="en_US">
<Record type="HKQuantityTypeIdentifierStepCount" sourceName="Watch" unit="count" value="5000"
 startDate="2024-03-02 23:30:00 +0100" endDate="2024-03-02 23:40:00 +0100"/>
<Record type="HKQuantityTypeIdentifierStepCount" sourceName="Watch" unit="count" value="2000"
 startDate="2024-03-02 12:00:00 +0100" endDate="2024-03-02 12:10:00 +0100"/>
<Record type="HKQuantityTypeIdentifierHeartRateVariabilitySDNN" sourceName="Watch" unit="ms"
 value="50" startDate="2024-03-02 23:45:00 +0100" endDate="2024-03-02 23:46:00 +0100"/>
</HealthData>
"""


def _metric_days(client, account) -> dict[str, dict]:
    response = client.get(
        "/api/v1/metrics?start=2024-03-01&end=2024-03-04&fields=steps,hrv_sdnn_ms",
        headers=account.headers,
    )
    assert response.status_code == 200, response.text
    return {m["date"]: m for m in response.json()["metrics"]}


def test_changing_the_time_zone_re_buckets_apple_health_samples(client, account, tmp_path) -> None:
    """Steps at 12:00 and 23:30 and an SDNN at 23:45 on 2 March in Berlin (+01:00): in Berlin
    they are all on 2 March; in Tokyo (+09:00) the 23:30 steps and the SDNN (22:30 and 22:45
    UTC) are on the morning of 3 March, and 2 March keeps only the 2000 noon steps; back in
    Berlin they return."""
    from tests.api.test_imports import import_files

    put_preferences(client, account, timezone="Europe/Berlin")
    export = tmp_path / "export.xml"
    export.write_text(APPLE_LATE_EVENING)
    assert import_files(client, account, export)["status"] == "done"
    berlin = _metric_days(client, account)
    assert set(berlin) == {"2024-03-02"}
    assert berlin["2024-03-02"]["steps"] == 7000 and berlin["2024-03-02"]["hrv_sdnn_ms"] == 50
    put_preferences(client, account, timezone="Asia/Tokyo")
    tokyo = _metric_days(client, account)
    assert set(tokyo) == {"2024-03-02", "2024-03-03"}
    assert tokyo["2024-03-02"]["steps"] == 2000 and tokyo["2024-03-02"]["hrv_sdnn_ms"] is None
    assert tokyo["2024-03-03"]["steps"] == 5000 and tokyo["2024-03-03"]["hrv_sdnn_ms"] == 50
    put_preferences(client, account, timezone="Europe/Berlin")
    assert _metric_days(client, account) == berlin
