"""Short API writes take turns on SQLite (``db.write_turn``), waiting on the event loop, not in
a thread: many concurrent writers through the real app all succeed, never two at once, with a
pool of 4 threads; reads never wait for a turn; on PostgreSQL no turn is taken."""

from __future__ import annotations

import threading

import anyio
import httpx
import pytest
from sqlalchemy import event
from starlette.requests import Request

from cadence import db
from cadence.api.app import create_api
from cadence.api.deps import takes_write_turn
from cadence.services.failures import DATABASE_UNAVAILABLE
from tests.conftest import reset_caches

THREADS = 4  # FastAPI's pool is 40: a small one shows a wait that holds threads at once


def workout(name: str) -> dict:
    return {
        "date": "2026-11-20",
        "workout_name": name,
        "exercises": [
            {"name": f"Lift {i}", "sets": 3, "reps": "5", "weight_kg": 60} for i in range(3)
        ],
    }


class WriterOverlap:
    """The most connections that were between their first write and their return to the pool
    (i.e. after the commit) at the same time."""

    def __init__(self) -> None:
        self.writing: set[int] = set()
        self.most = 0
        self._lock = threading.Lock()
        engine = db.get_engine()
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine.pool, "checkin", self._checkin)

    def _statement(self, conn, _cursor, statement: str, *_args) -> None:
        if statement.lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            with self._lock:
                self.writing.add(id(conn.connection.dbapi_connection))
                self.most = max(self.most, len(self.writing))

    def _checkin(self, dbapi_connection, _record) -> None:
        with self._lock:
            self.writing.discard(id(dbapi_connection))


async def log_workouts(headers: dict[str, str], count: int) -> list[httpx.Response]:
    """``count`` workouts posted at once through the ASGI app, with a pool of THREADS."""
    anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
    transport = httpx.ASGITransport(app=create_api())
    responses: list[httpx.Response] = []
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test", headers=headers, timeout=120
    ) as http:

        async def post(i: int) -> None:
            responses.append(await http.post("/api/v1/workouts", json=workout(f"w{i}")))

        with anyio.fail_after(120):  # a deadlock fails here instead of hanging the run
            async with anyio.create_task_group() as tasks:
                for i in range(count):
                    tasks.start_soon(post, i)
    return responses


@pytest.mark.parametrize("writers", [16, 64])
def test_concurrent_writes_all_succeed_one_at_a_time_on_sqlite(account, writers: int) -> None:
    if db.get_engine().dialect.name != "sqlite":
        pytest.skip("SQLite's single write lock only (the tests' PostgreSQL pool is 4 + 4)")
    overlap = WriterOverlap()
    responses = anyio.run(log_workouts, account.headers, writers)
    assert [r.status_code for r in responses] == [201] * writers, responses[0].text
    assert overlap.most == 1  # without the turn, writers wait inside SQLite's busy handler


@pytest.fixture
def short_lock_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CADENCE_DATABASE_LOCK_TIMEOUT_MS", "300")
    db.get_engine().dispose()
    reset_caches()


def test_reads_never_wait_for_a_turn_and_a_write_waits_a_bounded_time(
    account, short_lock_timeout
) -> None:
    sqlite = db.get_engine().dialect.name == "sqlite"

    async def main() -> tuple[httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=create_api())
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test", headers=account.headers
        ) as http:
            async with db.write_turn():  # another request's short write, in progress
                with anyio.fail_after(30):
                    read = await http.get("/api/v1/workouts")
                    write = await http.post("/api/v1/workouts", json=workout("waits"))
            return read, write

    read, write = anyio.run(main)
    assert read.status_code == 200
    if sqlite:
        assert write.status_code == 503
        assert write.json()["detail"] == DATABASE_UNAVAILABLE
    else:  # PostgreSQL locks rows: no turn to wait for
        assert write.status_code == 201


@pytest.mark.parametrize(
    ("method", "path", "takes_turn"),
    [
        ("POST", "/api/v1/workouts", True),
        ("PUT", "/api/v1/workouts/3", True),
        ("DELETE", "/api/v1/account", True),
        ("GET", "/api/v1/workouts", False),
        ("GET", "/api/v1/dashboard", False),
        ("POST", "/api/v1/chat", False),  # an SSE stream
        ("POST", "/api/v1/chat/retry", False),
        ("POST", "/api/v1/imports", False),  # an upload
        ("POST", "/api/v1/devices/oura/sync", False),  # a provider's round trips
        ("POST", "/api/v1/auth/login", False),  # a bcrypt hash
    ],
)
def test_only_short_writes_take_a_turn(method: str, path: str, takes_turn: bool) -> None:
    request = Request({"type": "http", "method": method, "path": path, "headers": []})
    assert takes_write_turn(request) is takes_turn


@pytest.fixture
def short_pool_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CADENCE_DATABASE_POOL_TIMEOUT_SECONDS", "3")
    db.get_engine().dispose()
    reset_caches()


def test_more_requests_than_threads_and_connections_all_answer(account, short_pool_timeout) -> None:
    """With more requests in flight than request threads, and more threads than pooled
    connections, threads that waited for a connection once held every thread, while the
    requests holding the connections waited for a thread to go on in: nothing moved until the
    pool timeout (64 users on PostgreSQL: 48 errors in 20 s). Requests now wait for a
    connection on the event loop (``db.connection_turn``), holding no thread."""
    threads = db.pool_capacity() + 4
    count = 4 * threads

    async def main() -> list[httpx.Response]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        transport = httpx.ASGITransport(app=create_api())
        responses: list[httpx.Response] = []
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test", headers=account.headers, timeout=60
        ) as http:

            async def read() -> None:
                responses.append(await http.get("/api/v1/workouts"))

            with anyio.fail_after(60):
                async with anyio.create_task_group() as tasks:
                    for _ in range(count):
                        tasks.start_soon(read)
        return responses

    responses = anyio.run(main)
    assert [r.status_code for r in responses] == [200] * count, {r.text for r in responses}
