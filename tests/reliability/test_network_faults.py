"""The network between Cadence and PostgreSQL or Redis breaks while users write: connections cut
(reset) or black-holed (everything swallowed, no answer, no error), through a TCP proxy these
tests start themselves (``proxy.FaultProxy``) in front of a real server process.

Each test asserts: every request is answered within a bound (a clear 503 while the dependency is
unreachable, never a hang or a 500); every acknowledged write is stored exactly once and no
refused write is stored; the server recovers by itself once the network is back, no restart.

PostgreSQL tests run in the PostgreSQL pass; the Redis tests wherever Redis answers on
127.0.0.1:6379 (database 5, flushed first).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from cadence.services.failures import COMMIT_OUTCOME_UNKNOWN
from tests.live import Server, database_url, migrate, server_env, start_api, stop
from tests.reliability.proxy import FaultProxy

pytestmark = pytest.mark.slow
FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "fit" / "garmin-fenix-5-run.fit"
REDIS = ("127.0.0.1", 6379)
REDIS_DB = 5
STATEMENT_TIMEOUT_MS = 500
# A request may wait for a pre-ping (the client deadline: 0.5 s statement timeout + 2 s) and a
# reconnect (1 s connect timeout) before its 503: 6 s bounds it with room for a slow machine.
# The black hole lasts longer than that bound, so a request that merely waited for the network
# to come back would fail the test.
ANSWER_BOUND_S = 6.0
OUTAGE_S = 8.0


def _reachable(address: tuple[str, int]) -> bool:
    try:
        socket.create_connection(address, 1).close()
        return True
    except OSError:
        return False


@dataclass
class Writers:
    """Threads that log workouts without pause and remember every answer and how long it took."""

    url: str
    headers: dict[str, str]
    acknowledged: dict[str, int] = field(default_factory=dict)
    refused: list[tuple[str, int, str]] = field(default_factory=list)
    slowest_s: float = 0.0
    statuses: Counter = field(default_factory=Counter)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, writer: int) -> None:
        with httpx.Client(base_url=self.url, headers=self.headers, timeout=60) as http:
            for i in range(100_000):
                if self.stop.is_set():
                    return
                name = f"w{writer}-{i}"
                started = time.monotonic()
                response = http.post("/api/v1/workouts", json=_workout(name))
                took = time.monotonic() - started
                with self.lock:
                    self.slowest_s = max(self.slowest_s, took)
                    self.statuses[response.status_code] += 1
                    if response.status_code == 201:
                        self.acknowledged[name] = response.json()["id"]
                    else:
                        self.refused.append((name, response.status_code, response.text))
                if response.status_code != 201:
                    time.sleep(0.1)

    def acked(self) -> int:
        with self.lock:
            return len(self.acknowledged)


def _workout(name: str) -> dict:
    return {
        "date": "2026-11-20",
        "workout_name": name,
        "exercises": [{"name": "Squat", "sets": 3, "reps": "5", "weight_kg": 100}],
    }


@contextmanager
def writing(server: Server, headers: dict[str, str], count: int = 3) -> Iterator[Writers]:
    writers = Writers(server.url, headers)
    threads = [threading.Thread(target=writers.run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    try:
        yield writers
    finally:
        writers.stop.set()
        for thread in threads:
            thread.join(timeout=ANSWER_BOUND_S * 2)


def _wait_for(condition, timeout_s: float, what: str) -> float:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout_s, f"timed out waiting for {what}"
        time.sleep(0.05)
    return time.monotonic() - started


def _signup(server: Server, email: str) -> dict[str, str]:
    response = httpx.post(
        f"{server.url}/api/v1/auth/signup",
        json={"email": email, "password": "network-faults-7", "display_name": "Net"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _stored_names(server: Server, headers: dict[str, str]) -> Counter:
    names: Counter = Counter()
    page = 1
    while True:
        body = httpx.get(
            f"{server.url}/api/v1/workouts",
            params={"page": page, "per_page": 100},
            headers=headers,
            timeout=30,
        ).json()
        names.update(w["workout_name"] for w in body["workouts"])
        if page * 100 >= body["total"]:
            return names
        page += 1


def _check_every_write(writers: Writers, stored: Counter) -> int:
    """Acknowledged: stored exactly once. Refused: a 503 that either says "Nothing was saved"
    (and nothing is stored) or, when the connection died during the COMMIT itself, says that
    the outcome is unknown. Returns how many were in doubt."""
    duplicated = [name for name, count in stored.items() if count > 1]
    assert duplicated == [], f"duplicated writes: {duplicated}"
    lost = sorted(set(writers.acknowledged) - set(stored))
    assert lost == [], f"acknowledged writes lost: {lost}"
    assert {code for _, code, _ in writers.refused} <= {503}, writers.refused[:3]
    details = {
        name: httpx.Response(503, text=text).json()["detail"] for name, _, text in writers.refused
    }
    in_doubt = {name for name, detail in details.items() if detail == COMMIT_OUTCOME_UNKNOWN}
    refused = {name for name, detail in details.items() if "Nothing was saved" in detail}
    assert in_doubt | refused == set(details), f"503s without words: {details}"
    ghosts = sorted(refused & set(stored))
    assert ghosts == [], f"'Nothing was saved' but stored anyway: {ghosts}"
    return len(in_doubt)


@pytest.fixture
def postgres_behind_proxy(tmp_path: Path) -> Iterator[tuple[Server, FaultProxy]]:
    base = os.environ.get("CADENCE_TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        pytest.skip("PostgreSQL faults run in the PostgreSQL pass (CADENCE_TEST_DATABASE_URL)")
    direct = make_url(database_url(tmp_path, "netfaults", base))
    env = server_env(
        tmp_path / "server",
        direct.render_as_string(hide_password=False),
        CADENCE_DATABASE_STATEMENT_TIMEOUT_MS=str(STATEMENT_TIMEOUT_MS),
        CADENCE_DATABASE_CONNECT_TIMEOUT_SECONDS="1",
        CADENCE_DATABASE_POOL_TIMEOUT_SECONDS="1",
        CADENCE_DATABASE_LOCK_TIMEOUT_MS="1000",
    )
    migrate(env)
    with FaultProxy((direct.host or "127.0.0.1", direct.port or 5432)) as proxy:
        proxied = direct.set(host="127.0.0.1", port=proxy.port)
        env["CADENCE_DATABASE_URL"] = proxied.render_as_string(hide_password=False)
        server = start_api(env, name="netfaults")
        try:
            yield server, proxy
        finally:
            stop(server)


def test_a_black_holed_database_answers_503_in_bounded_time_then_recovers(
    postgres_behind_proxy,
) -> None:
    server, proxy = postgres_behind_proxy
    headers = _signup(server, "blackhole@example.com")
    with writing(server, headers) as writers:
        _wait_for(lambda: writers.acked() >= 20, 30, "the first writes")
        proxy.blackhole()
        time.sleep(OUTAGE_S)
        acked_during = writers.acked()
        proxy.heal()
        healed = time.monotonic()
        _wait_for(lambda: writers.acked() >= acked_during + 20, ANSWER_BOUND_S * 2, "recovery")
        recovered_after = time.monotonic() - healed
    stored = _stored_names(server, headers)
    in_doubt = _check_every_write(writers, stored)
    print(
        f"\nblack hole {OUTAGE_S:.0f} s: {dict(writers.statuses)} ({in_doubt} in doubt), slowest "
        f"answer {writers.slowest_s:.1f} s, writes again {recovered_after:.1f} s after healing"
    )
    assert writers.statuses[503] > 0, "the black hole did not reach the requests"
    assert writers.slowest_s < ANSWER_BOUND_S, f"a request waited {writers.slowest_s:.1f} s"


def test_cut_database_connections_recover_by_themselves(postgres_behind_proxy) -> None:
    server, proxy = postgres_behind_proxy
    headers = _signup(server, "cut@example.com")
    with writing(server, headers) as writers:
        _wait_for(lambda: writers.acked() >= 20, 30, "the first writes")
        for _ in range(3):
            before = writers.acked()
            proxy.cut()
            _wait_for(lambda before=before: writers.acked() >= before + 5, 5, "writes after a cut")
    stored = _stored_names(server, headers)
    in_doubt = _check_every_write(writers, stored)
    print(
        f"\n3 cuts: {dict(writers.statuses)} ({in_doubt} in doubt), "
        f"slowest answer {writers.slowest_s:.1f} s"
    )
    assert writers.slowest_s < ANSWER_BOUND_S


@pytest.fixture
def redis_behind_proxy(tmp_path: Path) -> Iterator[tuple[Server, FaultProxy]]:
    if not _reachable(REDIS):
        pytest.skip(f"no Redis at {REDIS[0]}:{REDIS[1]}")
    import redis

    redis.Redis(host=REDIS[0], port=REDIS[1], db=REDIS_DB).flushdb()
    data = tmp_path / "server"
    with FaultProxy(REDIS) as proxy:
        env = server_env(
            data,
            database_url(tmp_path, "redisfaults"),
            CADENCE_REDIS_URL=f"redis://127.0.0.1:{proxy.port}/{REDIS_DB}",
            CADENCE_REDIS_TIMEOUT_SECONDS="1",
        )
        migrate(env)
        server = start_api(env, name="redisfaults")
        try:
            yield server, proxy
        finally:
            stop(server)


def _upload(server: Server, headers: dict[str, str]) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = httpx.post(
        f"{server.url}/api/v1/imports",
        files=[("file", (FIXTURE.name, FIXTURE.read_bytes(), "application/octet-stream"))],
        headers=headers,
        timeout=60,
    )
    return response, time.monotonic() - started


def _import_ends(server: Server, headers: dict[str, str], import_id: int) -> dict:
    deadline = time.monotonic() + 30
    while True:
        job = httpx.get(f"{server.url}/api/v1/imports/{import_id}", headers=headers).json()
        if job["status"] in {"done", "partial", "failed"}:
            return job
        assert time.monotonic() < deadline, f"import {import_id} never ended: {job}"
        time.sleep(0.1)


def test_redis_black_holed_or_cut_uploads_fail_in_words_then_work_again(
    redis_behind_proxy,
) -> None:
    server, proxy = redis_behind_proxy
    headers = _signup(server, "redis@example.com")
    uploads = Path(server.env["CADENCE_DATA_DIR"]) / "uploads"
    first, _ = _upload(server, headers)
    assert first.status_code == 202, first.text
    assert _import_ends(server, headers, first.json()["import_id"])["status"] == "done"

    proxy.blackhole()
    refused, took = _upload(server, headers)
    workout = httpx.post(
        f"{server.url}/api/v1/workouts", json=_workout("during"), headers=headers, timeout=30
    )
    proxy.heal()
    assert refused.status_code == 503, refused.text
    assert "task queue" in refused.json()["detail"]
    assert took < ANSWER_BOUND_S, f"the upload waited {took:.1f} s"
    assert workout.status_code == 201, "Redis down must not stop what does not need it"
    assert list(uploads.iterdir()) == [], "the refused upload left its files behind"

    again, _ = _upload(server, headers)  # the same file: imports are idempotent
    assert again.status_code == 202, again.text
    done = _import_ends(server, headers, again.json()["import_id"])
    assert (done["status"], done["counts"]["duplicates"]) == ("done", 1)

    proxy.cut()
    after_cut, _ = _upload(server, headers)
    assert after_cut.status_code == 202, after_cut.text
    assert _import_ends(server, headers, after_cut.json()["import_id"])["status"] == "done"
    activities = httpx.get(f"{server.url}/api/v1/activities", headers=headers).json()
    assert activities["total"] == 1, "an import was applied twice"
    assert list(uploads.iterdir()) == []
