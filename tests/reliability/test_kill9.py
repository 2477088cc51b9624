"""kill -9 of a real server process (uvicorn serving ``create_api()``, the same code the product
runs) in the middle of workout writes and of an import; after a restart on the same database,
everything the server acknowledged is there, whole, and nothing is duplicated; the interrupted
import ends by itself (retried to ``done``) and leaves no staged file behind."""

from __future__ import annotations

import io
import json
import signal
import threading
import time
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.live import Server, database_url, migrate, server_env, start_api, stop

pytestmark = pytest.mark.slow
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
WRITERS = 4
FINAL = {"done", "partial", "failed"}
RECOVERY_BOUND_S = 30  # the restart itself (~2 s; more on a loaded machine)
RETRY_BOUND_S = 240  # + the retried import of 8 copies (~20 s; ~60 s on a loaded machine)
EXERCISES = 5


@pytest.fixture
def server_env_kill9(tmp_path: Path) -> Iterator[dict[str, str]]:
    env = server_env(tmp_path / "kill9", database_url(tmp_path, "kill9"))
    migrate(env)
    yield env


def signup(url: str) -> dict[str, str]:
    response = httpx.post(
        f"{url}/api/v1/auth/signup",
        json={"email": "k9@example.com", "password": "kill-nine-99", "display_name": "K9"},
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def workout(name: str) -> dict:
    return {
        "date": "2026-11-20",
        "workout_name": name,
        "exercises": [
            {"name": f"Lift {i}", "sets": 3, "reps": "5", "weight_kg": 50 + i}
            for i in range(EXERCISES)
        ],
    }


def all_workouts(url: str, headers: dict[str, str]) -> list[dict]:
    rows, page = [], 1
    while True:
        body = httpx.get(
            f"{url}/api/v1/workouts", params={"page": page, "per_page": 100}, headers=headers
        ).json()
        rows += body["workouts"]
        if len(rows) >= body["total"] or not body["workouts"]:
            return rows
        page += 1


def hammer(url: str, headers: dict[str, str], writer: int, acked: dict, stop_at: threading.Event):
    """Log workouts until the server dies; remember exactly what it acknowledged."""
    with httpx.Client(base_url=url, headers=headers, timeout=10) as http:
        for i in range(10_000):
            if stop_at.is_set():
                return
            name = f"w{writer}-{i}"
            try:
                response = http.post("/api/v1/workouts", json=workout(name))
            except httpx.HTTPError:
                return  # the server is gone: this request was never acknowledged
            if response.status_code == 201:
                acked[name] = response.json()["id"]


def restart(server: Server) -> Server:
    stop(server, signal.SIGKILL)
    return start_api(server.env, name="after-kill")


def test_kill9_during_workout_writes_loses_nothing_acknowledged(server_env_kill9) -> None:
    server = start_api(server_env_kill9, name="before-kill")
    headers = signup(server.url)
    acked: dict[str, int] = {}
    finished = threading.Event()
    writers = [
        threading.Thread(target=hammer, args=(server.url, headers, n, acked, finished))
        for n in range(WRITERS)
    ]
    for thread in writers:
        thread.start()
    deadline = time.monotonic() + 20
    while len(acked) < 40 and time.monotonic() < deadline:
        time.sleep(0.05)
    server = restart(server)  # SIGKILL while the writers are mid-request
    finished.set()
    for thread in writers:
        thread.join(timeout=20)
    try:
        rows = all_workouts(server.url, headers)
    finally:
        stop(server)
    assert len(acked) >= 40, "the writers were too slow to test anything"
    names = Counter(row["workout_name"] for row in rows)
    assert [n for n, count in names.items() if count > 1] == [], "duplicated workouts"
    stored = {row["workout_name"]: row for row in rows}
    missing = sorted(set(acked) - set(stored))
    assert missing == [], f"acknowledged workouts lost: {missing}"
    assert all(stored[name]["id"] == acked[name] for name in acked)
    assert all(len(row["exercises"]) == EXERCISES for row in rows), "a half-written workout"


def bulk_zip(copies: int) -> bytes:
    """Every FIT/TCX fixture, ``copies`` times under other names (more copies, a longer import)."""
    sources = sorted((FIXTURES / "fit").glob("*.fit")) + sorted((FIXTURES / "tcx").glob("*.tcx"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for copy in range(copies):
            for path in sources:
                archive.writestr(f"copy{copy}/{path.name}", path.read_bytes())
    return buffer.getvalue()


def upload(url: str, headers: dict[str, str], payload: bytes) -> int:
    response = httpx.post(
        f"{url}/api/v1/imports",
        files=[("file", ("bulk.zip", payload, "application/zip"))],
        headers=headers,
        timeout=60,
    )
    assert response.status_code == 202, response.text
    return response.json()["import_id"]


def job(url: str, headers: dict[str, str], import_id: int) -> dict:
    return httpx.get(f"{url}/api/v1/imports/{import_id}", headers=headers).json()


def activities(url: str, headers: dict[str, str]) -> list[dict]:
    response = httpx.get(f"{url}/api/v1/activities?per_page=100", headers=headers)
    return response.json()["activities"]


def job_in_database(env: dict[str, str], import_id: int) -> tuple[str, list[str]]:
    """The job's status and errors read from the database itself, not through the API, so
    nothing but the server's own recovery can have moved it."""
    engine = create_engine(env["CADENCE_DATABASE_URL"])
    try:
        with engine.connect() as conn:
            row = conn.execute(
                text("SELECT status, errors FROM import_job WHERE id = :id"), {"id": import_id}
            ).one()
    finally:
        engine.dispose()
    errors = row.errors if isinstance(row.errors, list) else json.loads(row.errors)
    return row.status, errors


def test_kill9_during_an_import_the_job_ends_by_itself_and_nothing_is_duplicated(
    server_env_kill9,
) -> None:
    server = start_api(server_env_kill9, name="before-kill")
    headers = signup(server.url)
    import_id = upload(server.url, headers, bulk_zip(copies=8))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = job(server.url, headers, import_id)
        if state["status"] == "running" and state["progress"] > 0.05:
            break
        time.sleep(0.02)
    assert state["status"] == "running", f"the import finished before the kill: {state}"
    uploads = Path(server_env_kill9["CADENCE_DATA_DIR"]) / "uploads"
    assert any(uploads.iterdir()), "the job's staged files should exist while it runs"
    stop(server, signal.SIGKILL)
    restarted = time.monotonic()
    server = start_api(server.env, name="after-kill")
    try:
        # Nobody polls: the restarted server's own recovery must take the job up at once (it
        # is re-queued as it starts), then finish it.
        while (status := job_in_database(server.env, import_id))[1] == []:
            assert time.monotonic() - restarted < RECOVERY_BOUND_S, f"not recovered: {status}"
            time.sleep(0.2)
        recovered_after = time.monotonic() - restarted
        while (status := job_in_database(server.env, import_id))[0] not in FINAL:
            assert time.monotonic() - restarted < RETRY_BOUND_S, f"still {status}"
            time.sleep(0.2)
        ended_after = time.monotonic() - restarted
        final_job = job(server.url, headers, import_id)
        partial = activities(server.url, headers)
        again = upload(server.url, headers, bulk_zip(copies=1))  # the same files, once more
        deadline = time.monotonic() + 120
        while job(server.url, headers, again)["status"] not in FINAL:
            assert time.monotonic() < deadline, "the re-import did not finish"
            time.sleep(0.1)
        final = activities(server.url, headers)
    finally:
        stop(server)
    print(
        f"\ninterrupted import re-queued {recovered_after:.1f} s and ended {status[0]} "
        f"{ended_after:.1f} s after the restart"
    )
    status_now, errors = status
    assert status_now == "done" or (status_now == "failed" and errors), (status_now, errors)
    assert final_job["status"] == status_now
    assert list(uploads.iterdir()) == [], "staged files left behind"
    keys = Counter((a["source"], a["start_time"], a["sport"]) for a in final)
    assert [k for k, count in keys.items() if count > 1] == [], "duplicated activities"
    assert {a["id"] for a in partial} <= {a["id"] for a in final}, "rows lost after re-import"
    assert len(final) == len(partial), "the retried import had not imported everything"
