"""Syncing a connection end to end: real provider code against a local fake WHOOP, real upserts
into the health tables, status/last_error/backoff, token refresh, and the lease."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from cadence import db
from cadence.models.common import as_utc, utcnow
from cadence.models.device import DeviceConnection
from cadence.models.health import Activity, DailyMetric
from cadence.models.user import User
from cadence.queue import get_queue
from cadence.services import liveness
from cadence.services.devices import connections, jobs, sync
from cadence.services.errors import Conflict, NotFound
from tests.conftest import reset_caches
from tests.fakes.device_server import FakeProviderServer, Recorded, Reply

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "json" / "whoop"
TODAY = date(2022, 5, 7)
SLEEP_ID = "ee9e6759-2cd8-4317-bc44-0a0bc59a6f1f"


def fixture(name: str):
    return json.loads((FIXTURES / name).read_text())


_RECOVERY = fixture("v2_recovery_doc_example.json")
BAD_RECOVERY = {**_RECOVERY, "score": {**_RECOVERY["score"], "recovery_score": "high"}}


def page(*records) -> dict:
    return {"records": list(records), "next_token": None}


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeProviderServer]:
    with FakeProviderServer() as server:
        monkeypatch.setenv("CADENCE_WHOOP_API_URL", server.base_url)
        monkeypatch.setenv("CADENCE_WHOOP_CLIENT_ID", "cid")
        monkeypatch.setenv("CADENCE_WHOOP_CLIENT_SECRET", "secret")
        monkeypatch.setenv("CADENCE_DEVICE_HTTP_TIMEOUT_SECONDS", "0.5")
        monkeypatch.setenv("CADENCE_DEVICE_SYNC_BACKFILL_DAYS", "7")
        reset_caches()
        yield server


def serve_whoop(fake: FakeProviderServer) -> None:
    """The recorded v1 week of sleep plus the v2 documentation recovery/cycle/workout."""
    doc_sleep = {**fixture("v2_sleep_doc_example_elided.json"), "id": SLEEP_ID}
    sleeps = fixture("v1_sleep_collection_2022-05-01_07_transcribed.json")["records"]
    fake.json("GET", "/developer/v2/activity/sleep", page(*sleeps, doc_sleep))
    fake.json("GET", "/developer/v2/recovery", page(fixture("v2_recovery_doc_example.json")))
    fake.json("GET", "/developer/v2/cycle", page(fixture("v2_cycle_doc_example.json")))
    fake.json(
        "GET", "/developer/v2/activity/workout", page(fixture("v2_workout_doc_example_elided.json"))
    )


@pytest.fixture
def user_id(session: Session) -> int:
    user = User(email="sync@example.com", display_name="Sync", password_hash="x")
    session.add(user)
    session.commit()
    return user.id


def connect(session: Session, user_id: int, *, expires_in: int = 3600) -> DeviceConnection:
    credentials = {
        "access_token": "at-1",
        "refresh_token": "rt-1",
        "expires_at": int(time.time()) + expires_in,
    }
    connection = DeviceConnection(user_id=user_id, provider="whoop", status="ok")
    connections.store_credentials(connection, credentials)
    connection.next_sync_at = utcnow()
    session.add(connection)
    session.commit()
    return connection


def reload(session: Session, connection: DeviceConnection) -> DeviceConnection:
    return session.get(DeviceConnection, connection.id, populate_existing=True)


def test_sync_stores_metrics_and_workouts_and_is_idempotent(fake, session, user_id) -> None:
    serve_whoop(fake)
    connection = connect(session, user_id)
    result = sync.sync_now(session=session, user_id=user_id, provider="whoop", today=TODAY)
    assert result.status == "ok" and result.message is None
    rows = session.exec(select(DailyMetric).where(DailyMetric.user_id == user_id)).all()
    by_day = {row.date: row for row in rows}
    assert {row.source for row in rows} == {"whoop"}
    assert by_day[date(2022, 5, 7)].sleep_score == 100.0
    assert by_day[date(2022, 4, 24)].recovery_score == 44
    assert by_day[date(2022, 4, 24)].hrv_rmssd_ms == pytest.approx(31.813562)
    assert by_day[date(2022, 4, 24)].strain == pytest.approx(5.2951527)
    [workout] = session.exec(select(Activity).where(Activity.user_id == user_id)).all()
    assert (workout.source, workout.sport, workout.avg_hr) == ("whoop", "cycling", 123)
    assert result.counts == {"daily_metrics": len(rows), "activities": 1, "duplicates": 0}

    stored = reload(session, connection)
    assert stored.status == "ok" and stored.last_error is None
    assert stored.synced_through == TODAY and stored.lease_owner is None
    assert as_utc(stored.next_sync_at) - as_utc(stored.last_sync_at) == timedelta(hours=3)
    first_window = fake.hits("/developer/v2/cycle")[0].query
    assert first_window["start"] == "2022-04-30T00:00:00Z"  # 7 backfill days, one day margin

    again = sync.sync_now(session=session, user_id=user_id, provider="whoop", today=TODAY)
    assert again.counts["activities"] == 0 and again.counts["duplicates"] == 1
    assert len(session.exec(select(DailyMetric)).all()) == len(rows)
    assert len(session.exec(select(Activity)).all()) == 1
    second_window = fake.hits("/developer/v2/cycle")[1].query
    assert second_window["start"] == "2022-05-04T00:00:00Z"  # only the last days again


def test_expiring_token_is_refreshed_first_and_stored_encrypted(fake, session, user_id) -> None:
    serve_whoop(fake)
    fake.json(
        "POST",
        "/oauth/oauth2/token",
        {"access_token": "at-2", "refresh_token": "rt-2", "expires_in": 3600},
    )
    connection = connect(session, user_id, expires_in=30)
    assert (
        sync.sync_now(session=session, user_id=user_id, provider="whoop", today=TODAY).status
        == "ok"
    )
    assert fake.requests[0].path == "/oauth/oauth2/token"
    data_calls = [r for r in fake.requests if r.method == "GET"]
    assert {r.headers["authorization"] for r in data_calls} == {"Bearer at-2"}
    stored = reload(session, connection)
    assert "at-2" not in stored.credentials and "rt-2" not in stored.credentials
    assert connections.read_credentials(stored)["refresh_token"] == "rt-2"


def test_rejected_token_is_refreshed_once_and_the_sync_retried(fake, session, user_id) -> None:
    serve_whoop(fake)

    def cycles(request: Recorded) -> Reply:
        if request.headers["authorization"] == "Bearer at-1":
            return Reply({"message": "token expired"}, status=401)
        return Reply(page(fixture("v2_cycle_doc_example.json")))

    fake.route("GET", "/developer/v2/cycle", cycles)
    fake.json("POST", "/oauth/oauth2/token", {"access_token": "at-fresh", "expires_in": 3600})
    connect(session, user_id)
    result = sync.sync_now(session=session, user_id=user_id, provider="whoop", today=TODAY)
    assert result.status == "ok"
    assert len(fake.hits("/oauth/oauth2/token")) == 1


def test_revoked_access_marks_the_device_for_reconnection(fake, session, user_id) -> None:
    fake.json("GET", "/developer/v2/activity/sleep", {"message": "revoked"}, status=401)
    fake.json("POST", "/oauth/oauth2/token", {"error": "invalid_grant"}, status=400)
    connection = connect(session, user_id)
    result = sync.sync_now(session=session, user_id=user_id, provider="whoop", today=TODAY)
    assert result.status == "error"
    stored = reload(session, connection)
    assert stored.needs_reconnect and stored.next_sync_at is None
    assert "revoked or expired; please reconnect" in stored.last_error
    assert sync.due_connection_ids(session=session) == []  # no automatic retries
    public = connections.to_public("whoop", stored)
    assert (public.connected, public.status) == (True, "error")


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (
            Reply({"error": "boom"}, status=500),
            "WHOOP had a server error (HTTP 500); will retry later.",
        ),
        (Reply(page(), delay=1.5), "WHOOP did not answer in time (0.5 s); will retry later."),
        (Reply(b"{not json", status=200), "WHOOP sent an answer Cadence could not read (not JSON)"),
        (Reply({"records": "nope"}), "WHOOP sent an unexpected answer for recovery"),
        (
            Reply(page(BAD_RECOVERY)),
            "WHOOP sent a value Cadence could not read (recovery_score); will retry later.",
        ),
    ],
    ids=["500", "timeout", "malformed-json", "wrong-shape", "wrong-type"],
)
def test_provider_failure_sets_error_with_backoff(fake, session, user_id, reply, message) -> None:
    serve_whoop(fake)
    fake.route("GET", "/developer/v2/recovery", reply)
    connection = connect(session, user_id)
    result = sync.sync_now(session=session, user_id=user_id, provider="whoop", today=TODAY)
    assert result.status == "error" and message in result.message
    stored = reload(session, connection)
    assert stored.status == "error" and message in stored.last_error
    assert stored.failure_count == 1 and not stored.needs_reconnect
    assert stored.last_sync_at is None and stored.lease_owner is None
    delay = as_utc(stored.next_sync_at) - as_utc(stored.last_attempt_at)
    assert timedelta(minutes=4, seconds=59) < delay < timedelta(minutes=5, seconds=5)
    assert session.exec(select(DailyMetric)).all() == []  # nothing half-stored

    sync.sync_now(session=session, user_id=user_id, provider="whoop", today=TODAY)
    stored = reload(session, connection)
    delay = as_utc(stored.next_sync_at) - as_utc(stored.last_attempt_at)
    assert stored.failure_count == 2 and delay > timedelta(minutes=9, seconds=59)  # doubled


def test_rate_limit_retry_after_is_honoured(fake, session, user_id) -> None:
    fake.route(
        "GET",
        "/developer/v2/activity/sleep",
        Reply({}, status=429, headers={"Retry-After": "3600"}),
    )
    connection = connect(session, user_id)
    sync.sync_now(session=session, user_id=user_id, provider="whoop", today=TODAY)
    stored = reload(session, connection)
    assert "rate limit" in stored.last_error
    assert as_utc(stored.next_sync_at) - as_utc(stored.last_attempt_at) >= timedelta(hours=1)


def test_a_success_after_errors_clears_them(fake, session, user_id) -> None:
    serve_whoop(fake)
    fake.route("GET", "/developer/v2/cycle", Reply({}, status=503), Reply(page()))
    connection = connect(session, user_id)
    sync.sync_now(session=session, user_id=user_id, provider="whoop", today=TODAY)
    assert reload(session, connection).status == "error"
    sync.sync_now(session=session, user_id=user_id, provider="whoop", today=TODAY)
    stored = reload(session, connection)
    assert (stored.status, stored.last_error, stored.failure_count) == ("ok", None, 0)


def test_unexpected_exception_never_escapes(fake, session, user_id, monkeypatch) -> None:
    serve_whoop(fake)

    def explode(**_kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(sync.metrics, "upsert_daily_metrics", explode)
    connection = connect(session, user_id)
    result = sync.sync_now(session=session, user_id=user_id, provider="whoop", today=TODAY)
    assert result.status == "error"
    stored = reload(session, connection)
    assert stored.last_error == "Unexpected error while syncing (RuntimeError); will retry later."
    assert stored.lease_owner is None


def test_lease_is_exclusive_until_released_or_expired(fake, session, user_id) -> None:
    connection = connect(session, user_id)
    assert sync.acquire_lease(session=session, connection_id=connection.id, owner="a")
    assert not sync.acquire_lease(session=session, connection_id=connection.id, owner="b")
    with pytest.raises(Conflict, match="already running"):
        sync.sync_now(session=session, user_id=user_id, provider="whoop", today=TODAY)
    assert sync.due_connection_ids(session=session) == []
    later = utcnow() + sync.LEASE_DURATION + timedelta(seconds=1)
    assert sync.acquire_lease(session=session, connection_id=connection.id, owner="b", now=later)
    # The first owner's late finish must not clobber the new owner's lease.
    sync._finish(session, connection.id, "a", error="late")
    stored = reload(session, connection)
    assert stored.lease_owner == "b" and stored.last_error is None


def test_crashed_sync_shows_as_interrupted(fake, session, user_id) -> None:
    connection = connect(session, user_id)
    long_ago = utcnow() - sync.LEASE_DURATION - timedelta(minutes=1)
    assert sync.acquire_lease(
        session=session, connection_id=connection.id, owner="dead", now=long_ago
    )
    public = connections.to_public("whoop", reload(session, connection))
    assert public.status == "error" and "stopped unexpectedly" in public.last_error
    assert sync.due_connection_ids(session=session) == [connection.id]


def test_concurrent_workers_sync_each_connection_once(fake, session, user_id) -> None:
    """Four workers with their own database connections race for one due connection."""
    serve_whoop(fake)
    fake.route("GET", "/developer/v2/activity/sleep", Reply(page(), delay=0.3))
    connect(session, user_id)
    results: list[list] = []
    barrier = threading.Barrier(4)

    def worker() -> None:
        with Session(db.get_engine(), expire_on_commit=False) as own:
            barrier.wait()
            results.append(sync.run_due_syncs(session=own))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(len(r) for r in results) == [0, 0, 0, 1]
    assert len(fake.hits("/developer/v2/activity/sleep")) == 1


def test_the_periodic_sync_round_syncs_due_connections(fake, session, user_id) -> None:
    serve_whoop(fake)
    connection = connect(session, user_id)
    jobs.sync_round()
    assert reload(session, connection).status == "ok"
    synced = len(fake.hits("/developer/v2/activity/sleep"))
    jobs.sync_round()  # the next one is due in 3 hours
    assert len(fake.hits("/developer/v2/activity/sleep")) == synced == 1


def test_a_lease_left_by_a_dead_process_is_released_at_once(fake, session, user_id) -> None:
    serve_whoop(fake)
    connection = connect(session, user_id)
    dead = f"{liveness.host_name()}:4194000:deadbeef0000:1"
    alive = liveness.new_owner()
    assert sync.acquire_lease(session=session, connection_id=connection.id, owner=dead)
    jobs.recover_syncs()
    stored = reload(session, connection)
    assert (stored.lease_owner, stored.status, stored.last_error) == (
        None,
        "error",
        sync.INTERRUPTED,
    )
    assert as_utc(stored.next_sync_at) <= utcnow()
    assert sync.acquire_lease(session=session, connection_id=connection.id, owner=alive)
    jobs.recover_syncs()  # a lease of a live process (this one) is kept
    assert reload(session, connection).lease_owner == alive


def test_enqueue_sync_runs_on_the_queue_once(fake, session, user_id) -> None:
    serve_whoop(fake)
    connection = connect(session, user_id)
    jobs.enqueue_sync(user_id=user_id, provider="whoop")
    (task,) = get_queue().huey.pending()
    get_queue().huey.execute(task)
    assert reload(session, connection).status == "ok"


def test_disconnect_during_sync_wins(fake, session, user_id) -> None:
    serve_whoop(fake)
    connection = connect(session, user_id)
    assert sync.acquire_lease(session=session, connection_id=connection.id, owner="me")
    connections.disconnect(session=session, user_id=user_id, provider="whoop")
    session.commit()
    sync._finish(session, connection.id, "me", synced_through=TODAY)
    stored = reload(session, connection)
    assert (stored.status, stored.credentials, stored.lease_owner) == ("disconnected", None, None)


def test_sync_of_a_device_not_connected_is_not_found(fake, session, user_id) -> None:
    with pytest.raises(NotFound, match="not connected"):
        sync.sync_now(session=session, user_id=user_id, provider="whoop")
    with pytest.raises(NotFound, match="Unknown device provider"):
        sync.sync_now(session=session, user_id=user_id, provider="fitbit")


def test_credentials_unreadable_after_a_key_change_ask_for_reconnect(
    fake, session, user_id, monkeypatch
) -> None:
    connection = connect(session, user_id)
    monkeypatch.setenv("CADENCE_SECRET_KEY", "another-secret-key-" + "y" * 40)
    reset_caches()
    result = sync.sync_now(session=session, user_id=user_id, provider="whoop", today=TODAY)
    assert result.status == "error" and "CADENCE_SECRET_KEY" in result.message
    stored = reload(session, connection)
    assert stored.needs_reconnect and fake.requests == []
