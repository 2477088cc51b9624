"""GET /api/v1/metrics: merged by source priority, one row per day, validation, isolation."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from cadence.models.health import METRIC_FIELDS, DailyMetricIn
from cadence.services import metrics


def _store(session: Session, user_id: int, *days: DailyMetricIn) -> None:
    metrics.upsert_daily_metrics(session=session, user_id=user_id, days=days)
    session.commit()


def test_days_are_merged_by_source_priority(client, account, session) -> None:
    uid = account.user["id"]
    _store(
        session,
        uid,
        DailyMetricIn(date=date(2026, 11, 2), source="demo", hrv_rmssd_ms=50, steps=9000),
        DailyMetricIn(date=date(2026, 11, 2), source="garmin", hrv_rmssd_ms=61.5),
        DailyMetricIn(date=date(2026, 11, 2), source="apple_health", hrv_sdnn_ms=80, steps=11000),
        DailyMetricIn(date=date(2026, 11, 1), source="whoop", recovery_score=44, resting_hr=55),
    )
    response = client.get(
        "/api/v1/metrics?start=2026-10-31&end=2026-11-03", headers=account.headers
    )
    assert response.status_code == 200
    first, second = response.json()["metrics"]
    assert first["date"] == "2026-11-01" and first["source"] == "whoop"
    assert (first["recovery_score"], first["resting_hr"], first["sleep_seconds"]) == (44, 55, None)
    assert second["date"] == "2026-11-02" and second["source"] == "garmin"
    assert second["hrv_rmssd_ms"] == 61.5  # garmin beats demo; Apple's SDNN stays apart
    assert second["hrv_sdnn_ms"] == 80 and second["steps"] == 11000  # apple beats demo
    assert second["sources"] == ["garmin", "apple_health", "demo"]
    assert set(METRIC_FIELDS) <= set(second)


def test_fields_selects_columns(client, account, session) -> None:
    _store(
        session,
        account.user["id"],
        DailyMetricIn(date=date(2026, 11, 5), source="garmin", resting_hr=50, steps=1),
    )
    body = client.get(
        "/api/v1/metrics?start=2026-11-01&end=2026-11-30&fields=resting_hr,sleep_seconds",
        headers=account.headers,
    ).json()
    assert body["metrics"] == [
        {
            "date": "2026-11-05",
            "source": "garmin",
            "sources": ["garmin"],
            "resting_hr": 50.0,
            "sleep_seconds": None,
        }
    ]


def test_upsert_is_idempotent_and_never_erases(session, account) -> None:
    uid = account.user["id"]
    day = date(2026, 11, 3)
    first = metrics.upsert_daily_metrics(
        session=session,
        user_id=uid,
        days=[DailyMetricIn(date=day, source="garmin", steps=100, resting_hr=50)],
    )
    again = metrics.upsert_daily_metrics(
        session=session, user_id=uid, days=[DailyMetricIn(date=day, source="garmin", steps=200)]
    )
    session.commit()
    assert first == {"created": 1, "updated": 0} and again == {"created": 0, "updated": 1}
    [merged] = metrics.get_daily_metrics(session=session, user_id=uid, start=day, end=day)
    assert (merged.steps, merged.resting_hr) == (200, 50)


@pytest.mark.parametrize(
    "query",
    [
        "start=2026-13-01",
        "end=yesterday",
        "start=2026-11-10&end=2026-11-01",
        "fields=hrv,steps",
        "start=2000-01-01&end=2026-01-01",
    ],
)
def test_bad_queries_are_422(client, account, query) -> None:
    response = client.get(f"/api/v1/metrics?{query}", headers=account.headers)
    assert response.status_code == 422, response.text
    assert response.json()["detail"]


def test_default_range_is_the_last_30_days_and_other_users_see_nothing(
    client, make_account, session
) -> None:
    from cadence.models.common import utcnow

    owner, other = make_account(), make_account()
    today = utcnow().date()
    _store(session, owner.user["id"], DailyMetricIn(date=today, source="demo", steps=5))
    assert [
        m["steps"] for m in client.get("/api/v1/metrics", headers=owner.headers).json()["metrics"]
    ] == [5]
    assert client.get("/api/v1/metrics", headers=other.headers).json() == {"metrics": []}
    assert client.get("/api/v1/metrics").status_code == 401
