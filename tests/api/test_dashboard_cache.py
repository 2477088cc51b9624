"""The per-user dashboard cache: served again while the user's rows are unchanged, recomputed
after any write (ORM or multi-row insert, update, delete; this process or another), per day,
and never shared between accounts."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlmodel import Session, select

from cadence.models.common import utcnow
from cadence.models.health import ActivityIn, DailyMetricIn
from cadence.models.user import User
from cadence.models.workout import ExerciseEntry, WorkoutCreate
from cadence.services import activities, dashboard, data_version, metrics, workouts
from tests.e2e.conftest import ROOT

TODAY = utcnow().date()
WORKOUT = {
    "date": TODAY.isoformat(),
    "workout_name": "Cache check",
    "exercises": [{"name": "Squat", "sets": 3, "reps": "5", "weight_kg": 100}],
}

ROW = ExerciseEntry(name="Row", sets=3, reps="8", weight_kg=60)


@pytest.fixture
def builds(monkeypatch) -> list[int]:
    """The user ids ``build_dashboard`` really computed for, in order."""
    calls: list[int] = []
    real = dashboard.build_dashboard

    def counting(*, session, user_id, today=None):
        calls.append(user_id)
        return real(session=session, user_id=user_id, today=today)

    monkeypatch.setattr(dashboard, "build_dashboard", counting)
    return calls


def version(session: Session, user_id: int) -> int:
    session.expire_all()
    return session.exec(select(User.data_version).where(User.id == user_id)).one()


def get(client, account) -> dict:
    response = client.get("/api/v1/dashboard", headers=account.headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_served_from_cache_until_a_write_which_shows_at_once(client, account, builds) -> None:
    first = get(client, account)
    assert get(client, account) == first
    assert builds == [account.user["id"]]
    created = client.post("/api/v1/workouts", json=WORKOUT, headers=account.headers)
    assert created.status_code == 201, created.text
    after = get(client, account)
    assert [r["title"] for r in after["recent_activities"]] == ["Cache check"]
    assert len(builds) == 2
    deleted = client.delete(f"/api/v1/workouts/{created.json()['id']}", headers=account.headers)
    assert deleted.status_code == 204
    assert get(client, account)["recent_activities"] == []
    assert len(builds) == 3


def test_each_user_has_their_own_entry(client, make_account, builds) -> None:
    alice, bob = make_account(), make_account()
    client.post("/api/v1/workouts", json=WORKOUT, headers=alice.headers)
    assert len(get(client, alice)["recent_activities"]) == 1
    assert get(client, bob)["recent_activities"] == []
    assert len(get(client, alice)["recent_activities"]) == 1
    assert builds == [alice.user["id"], bob.user["id"]]


def test_a_new_day_recomputes(session, account, builds) -> None:
    user_id = account.user["id"]
    dashboard.dashboard_for(session=session, user_id=user_id, today=TODAY)
    dashboard.dashboard_for(session=session, user_id=user_id, today=TODAY)
    tomorrow = dashboard.dashboard_for(session=session, user_id=user_id, today=TODAY + timedelta(1))
    assert tomorrow.date == TODAY + timedelta(1)
    assert builds == [user_id, user_id]


def test_a_write_from_another_process_shows_at_once(client, account) -> None:
    assert get(client, account)["daily_metrics"] == []
    subprocess.run(
        [sys.executable, "-m", "cadence", "demo-data", account.email],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    assert len(get(client, account)["daily_metrics"]) > 20


def test_every_kind_of_write_moves_the_version_of_its_user_only(session, make_account) -> None:
    alice, bob = (make_account().user["id"] for _ in range(2))
    seen = [version(session, alice)]

    def moved() -> None:
        session.commit()
        seen.append(version(session, alice))
        assert seen[-1] > seen[-2], f"the write after version {seen[-2]} did not move it"

    data = WorkoutCreate(date=TODAY, workout_name="A", exercises=[ROW])
    made = workouts.create_workout(session=session, user_id=alice, data=data)  # ORM insert
    moved()
    changed = data.model_copy(update={"workout_name": "B"})
    workouts.update_workout(session=session, user_id=alice, workout_id=made.id, data=changed)
    moved()
    workouts.delete_workout(session=session, user_id=alice, workout_id=made.id)  # ORM delete
    moved()
    day = DailyMetricIn(date=TODAY, source="demo", steps=1000)
    metrics.upsert_daily_metrics(session=session, user_id=alice, days=[day])  # multi-row INSERT
    moved()
    again = day.model_copy(update={"steps": 2000})
    metrics.upsert_daily_metrics(session=session, user_id=alice, days=[again])  # ORM update
    moved()
    start = datetime.combine(TODAY, time(7), tzinfo=UTC)
    run = ActivityIn(
        source="garmin", external_id="r1", sport="running", start_time=start, duration_s=1800
    )
    activities.upsert_activities(session=session, user_id=alice, activities=[run])  # INSERT
    moved()
    stored = activities.list_activities(session=session, user_id=alice)[0][0]
    activities.delete_activity(session=session, user_id=alice, activity_id=stored.id)  # Core
    moved()
    assert version(session, bob) == 0


def test_a_rolled_back_write_moves_nothing(session, account) -> None:
    user_id = account.user["id"]
    before = version(session, user_id)
    data = WorkoutCreate(date=TODAY, workout_name="Lost", exercises=[ROW])
    workouts.create_workout(session=session, user_id=user_id, data=data)
    session.rollback()
    session.commit()
    assert version(session, user_id) == before


def test_an_account_reusing_a_deleted_accounts_id_gets_its_own_dashboard(session, account) -> None:
    user_id = account.user["id"]
    data = WorkoutCreate(date=TODAY, workout_name="Private", exercises=[ROW])
    workouts.create_workout(session=session, user_id=user_id, data=data)
    session.commit()
    key = data_version.current(session=session, user_id=user_id)
    assert dashboard.dashboard_for(session=session, user_id=user_id).recent_activities
    old = session.get(User, user_id)
    session.delete(old)
    session.commit()
    session.add(User(id=user_id, email="new@example.com", display_name="New", password_hash="x"))
    session.commit()
    assert data_version.current(session=session, user_id=user_id) != key
    assert dashboard.dashboard_for(session=session, user_id=user_id).recent_activities == []
