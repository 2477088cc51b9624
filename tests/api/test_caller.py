"""The hot routes' one-unit requests (``deps.Caller``): on SQLite they run on the event loop
with no thread-pool hop; a write that finds SQLite's lock taken saves nothing there and is
done in a worker thread instead, without blocking the loop; on PostgreSQL one hop; a bad token
is a 401 before the body is looked at; "last active" is still recorded."""

from __future__ import annotations

import sqlite3
import sys
import threading
import time

import anyio
import anyio.to_thread
import httpx
import pytest
from sqlalchemy import text
from sqlmodel import select

from cadence import db
from cadence.api.app import SWITCH_INTERVAL_S, create_api
from cadence.models.user import User
from cadence.models.workout import Workout
from cadence.services import auth

WORKOUT = {
    "date": "2026-11-20",
    "workout_name": "Unit",
    "exercises": [{"name": "Squat", "sets": 3, "reps": "5", "weight_kg": 100}],
}
DEFAULT_SWITCH_INTERVAL_S = 0.005  # Python's
HOT_REQUESTS = [
    ("GET", "/api/v1/dashboard", None),
    ("GET", "/api/v1/workouts", None),
    ("POST", "/api/v1/workouts", WORKOUT),
]


class Hops:
    """Counts ``anyio.to_thread.run_sync`` calls: every thread-pool hop goes through it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = anyio.to_thread.run_sync

        async def counting(*args, **kwargs):
            self.count += 1
            return await real(*args, **kwargs)

        monkeypatch.setattr(anyio.to_thread, "run_sync", counting)


def send(headers: dict[str, str], *requests: tuple[str, str, dict | None]) -> list[httpx.Response]:
    async def main() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=create_api())
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test", headers=headers
        ) as http:
            return [await http.request(m, path, json=body) for m, path, body in requests]

    return anyio.run(main)


@pytest.mark.parametrize(("method", "path", "body"), HOT_REQUESTS)
def test_a_hot_request_is_one_unit_without_a_hop_on_sqlite(
    account, monkeypatch: pytest.MonkeyPatch, method: str, path: str, body: dict | None
) -> None:
    send(account.headers, ("GET", "/api/v1/auth/me", None))  # "last active" recorded
    hops = Hops(monkeypatch)
    (response,) = send(account.headers, (method, path, body))
    assert response.status_code in (200, 201), response.text
    assert hops.count == (0 if db.runs_in_process() else 1)


def test_a_write_that_finds_the_lock_taken_waits_in_a_thread_not_on_the_loop(
    account, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not db.runs_in_process():
        pytest.skip("SQLite's write lock only")
    send(account.headers, ("GET", "/api/v1/auth/me", None))
    hops = Hops(monkeypatch)
    holder = sqlite3.connect(
        db.get_engine().url.database, isolation_level=None, check_same_thread=False
    )
    holder.execute("BEGIN IMMEDIATE")  # another process's write, in progress
    released = threading.Event()

    def release_later() -> None:
        time.sleep(0.5)
        holder.execute("COMMIT")
        released.set()

    async def main() -> tuple[httpx.Response, httpx.Response, bool]:
        transport = httpx.ASGITransport(app=create_api())
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test", headers=account.headers
        ) as http:
            threading.Thread(target=release_later).start()
            with anyio.fail_after(30):
                async with anyio.create_task_group() as tasks:
                    answers: dict[str, httpx.Response] = {}

                    async def write() -> None:
                        answers["write"] = await http.post("/api/v1/workouts", json=WORKOUT)

                    tasks.start_soon(write)
                    await anyio.sleep(0.05)
                    answers["read"] = await http.get("/api/v1/workouts")
                    read_while_held = not released.is_set()
            return answers["write"], answers["read"], read_while_held

    write, read, read_while_held = anyio.run(main)
    holder.close()
    assert write.status_code == 201, write.text
    assert read.status_code == 200 and read_while_held  # the loop kept answering meanwhile
    assert hops.count == 1  # the write went on in a worker thread
    with db.session_scope() as session:
        stored = session.exec(select(Workout).where(Workout.user_id == account.user["id"]))
        assert [w.workout_name for w in stored] == ["Unit"]  # once, not twice
        busy_ms = session.execute(text("PRAGMA busy_timeout")).scalar_one()
    assert busy_ms > 0  # the pooled connections wait for locks again


@pytest.mark.parametrize(("method", "path", "body"), HOT_REQUESTS)
def test_a_forged_token_is_a_401_before_the_body_is_validated(
    client, method: str, path: str, body: dict | None
) -> None:
    headers = {"Authorization": "Bearer not-a-token"}
    response = client.request(method, path, json={"date": "yesterday"}, headers=headers)
    assert response.status_code == 401
    assert client.request(method, path, json=body).status_code == 401  # no token at all


def test_a_revoked_token_is_refused_by_the_unit(client, account) -> None:
    with db.session_scope() as session:
        user = session.get(User, account.user["id"])
        user.token_version += 1
    for method, path, body in HOT_REQUESTS:
        assert client.request(method, path, json=body, headers=account.headers).status_code == 401


def test_the_unit_records_last_active(client, account) -> None:
    with db.session_scope() as session:
        session.get(User, account.user["id"]).last_active_at = None
    assert client.get("/api/v1/dashboard", headers=account.headers).status_code == 200
    with db.session_scope() as session:
        assert session.get(User, account.user["id"]).last_active_at is not None


def test_token_claims_refuse_what_this_server_did_not_sign() -> None:
    with pytest.raises(auth.PermissionDenied):
        auth.token_claims(token="e30.e30.c2ln")


def test_on_sqlite_the_serving_process_hands_the_interpreter_lock_over_sooner() -> None:
    create_api()
    expected = SWITCH_INTERVAL_S if db.runs_in_process() else DEFAULT_SWITCH_INTERVAL_S
    assert sys.getswitchinterval() == pytest.approx(expected)
