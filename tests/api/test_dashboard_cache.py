"""The per-user dashboard cache: served again while the user's rows are unchanged, recomputed
after any write (ORM or multi-row insert, update, delete; this process or another), per day,
and never shared between accounts. A write to the training log alone keeps the health version,
so the recomputation reuses what was read outside the log, and gives the same payload."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlmodel import Session, select

from cadence.models.common import utcnow
from cadence.models.health import ActivityIn, DailyMetricIn
from cadence.models.imports import ImportJob
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

    def counting(*, session, user_id, today=None, view=None):
        calls.append(user_id)
        return real(session=session, user_id=user_id, today=today, view=view)

    monkeypatch.setattr(dashboard, "build_dashboard", counting)
    return calls


def version(session: Session, user_id: int) -> int:
    session.expire_all()
    return session.exec(select(User.data_version).where(User.id == user_id)).one()


def health_version(session: Session, user_id: int) -> int:
    session.expire_all()
    return session.exec(select(User.health_version).where(User.id == user_id)).one()


@pytest.fixture
def health_reads(monkeypatch) -> list[int]:
    """The user ids ``health_view`` really read for, in order."""
    calls: list[int] = []
    real = dashboard.health_view

    def counting(*, session, user_id, today):
        calls.append(user_id)
        return real(session=session, user_id=user_id, today=today)

    monkeypatch.setattr(dashboard, "health_view", counting)
    return calls


def payload(response) -> dict:
    return response.model_dump(mode="json", exclude={"generated_at"})


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

    health = [health_version(session, alice)]

    def moved(*, health_too: bool) -> None:
        session.commit()
        seen.append(version(session, alice))
        health.append(health_version(session, alice))
        assert seen[-1] > seen[-2], f"the write after version {seen[-2]} did not move it"
        assert (health[-1] > health[-2]) == health_too, f"health version {health[-2:]}"

    data = WorkoutCreate(date=TODAY, workout_name="A", exercises=[ROW])
    made = workouts.create_workout(session=session, user_id=alice, data=data)  # ORM insert
    moved(health_too=False)
    changed = data.model_copy(update={"workout_name": "B"})
    workouts.update_workout(session=session, user_id=alice, workout_id=made.id, data=changed)
    moved(health_too=False)
    workouts.delete_workout(session=session, user_id=alice, workout_id=made.id)  # ORM delete
    moved(health_too=False)
    day = DailyMetricIn(date=TODAY, source="demo", steps=1000)
    metrics.upsert_daily_metrics(session=session, user_id=alice, days=[day])  # multi-row INSERT
    moved(health_too=True)
    again = day.model_copy(update={"steps": 2000})
    metrics.upsert_daily_metrics(session=session, user_id=alice, days=[again])  # ORM update
    moved(health_too=True)
    start = datetime.combine(TODAY, time(7), tzinfo=UTC)
    run = ActivityIn(
        source="garmin", external_id="r1", sport="running", start_time=start, duration_s=1800
    )
    activities.upsert_activities(session=session, user_id=alice, activities=[run])  # INSERT
    moved(health_too=True)
    stored = activities.list_activities(session=session, user_id=alice)[0][0]
    activities.delete_activity(session=session, user_id=alice, activity_id=stored.id)  # Core
    moved(health_too=True)
    assert version(session, bob) == 0
    assert health_version(session, bob) == 0


def test_a_logged_workout_reuses_the_health_part_and_gives_the_fresh_payload(
    client, account, session, health_reads
) -> None:
    subprocess.run(
        [sys.executable, "-m", "cadence", "demo-data", account.email],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    user_id = account.user["id"]
    before = get(client, account)
    for name in ("Heavy day", "Light day"):
        body = {**WORKOUT, "workout_name": name}
        body["exercises"] = [{**body["exercises"][0], "rpe": 9}]
        assert client.post("/api/v1/workouts", json=body, headers=account.headers).is_success
        after = get(client, account)
        assert name in [r["title"] for r in after["recent_activities"]]
        assert health_reads == [user_id]  # read for ``before`` only
        fresh = payload(dashboard.build_dashboard(session=session, user_id=user_id))
        health_reads.pop()  # that fresh build read it again, uncached
        assert {k: v for k, v in after.items() if k != "generated_at"} == fresh
    assert after["training_load"] != before["training_load"]
    day = DailyMetricIn(date=TODAY, source="demo", steps=123_456)
    metrics.upsert_daily_metrics(session=session, user_id=user_id, days=[day])
    session.commit()
    steps = {m["key"]: m["value"] for m in get(client, account)["today"]["metrics"]}["steps"]
    assert steps == 123_456
    assert health_reads == [user_id, user_id]


def test_a_rolled_back_write_moves_nothing(session, account) -> None:
    user_id = account.user["id"]
    before = version(session, user_id)
    data = WorkoutCreate(date=TODAY, workout_name="Lost", exercises=[ROW])
    workouts.create_workout(session=session, user_id=user_id, data=data)
    session.rollback()
    session.commit()
    assert version(session, user_id) == before


def test_savepoints_move_the_version_once_at_the_outer_commit(session, account) -> None:
    """Not at a savepoint's release: that would lock the user's row for the rest of the
    transaction. A savepoint rolled back after others were released keeps their changes."""
    user_id = account.user["id"]
    before = version(session, user_id)
    for name in ("Kept", "Undone", "Kept too"):
        savepoint = session.begin_nested()
        data = WorkoutCreate(date=TODAY, workout_name=name, exercises=[ROW])
        workouts.create_workout(session=session, user_id=user_id, data=data)
        savepoint.rollback() if name == "Undone" else savepoint.commit()
        assert version(session, user_id) == before, f"moved at the savepoint of {name!r}"
    session.commit()
    assert version(session, user_id) == before + 1


def test_a_jobs_bookkeeping_moves_no_version(session, account) -> None:
    user_id = account.user["id"]
    before = (version(session, user_id), health_version(session, user_id))
    job = ImportJob(user_id=user_id, filenames=["a.fit"])
    session.add(job)
    session.commit()
    job.progress = 0.5
    session.add(job)
    session.commit()
    assert (version(session, user_id), health_version(session, user_id)) == before


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
