"""``make run``'s process model on one machine without Redis: the prod server's web worker serves
the UI and forwards ``/api/v1`` to the API's own processes (``cadence.api.pool``).

Proven here against the real ``reflex run --env prod``: API answers come from the pool once it is
up (with the browser's address, so the login limit still counts per client), an SSE chat streams
through it, the UI is still served; when the pool is killed the API keeps answering (in-process)
and a new pool takes over.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import app_port
from tests.live import Server, app_lock, database_url, migrate, server_env, start_app, stop

pytestmark = [pytest.mark.slow, pytest.mark.app_build]
POOL_WAIT_S = 120
PASSWORD = "api-pool-42"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("pool")
    env = server_env(data, database_url(data, "pool"))
    env.pop("REFLEX_REDIS_URL", None)
    env.pop("CADENCE_REDIS_URL", None)
    env.update(CADENCE_API_WORKERS="2", CADENCE_LOGIN_MAX_ATTEMPTS="3")
    migrate(env)
    with app_lock():  # the shared build, on the run's port: served as built, not built anew
        server = start_app(env, name="pool", port=app_port())
        try:
            yield server
        finally:
            stop(server)


def _served_by_pool(server: Server) -> bool:
    response = httpx.get(f"{server.url}/api/v1/openapi.json", timeout=30)
    assert response.status_code == 200
    return response.headers.get("x-cadence-served-by") == "api-pool"


def _wait_for_pool(server: Server) -> None:
    deadline = time.monotonic() + POOL_WAIT_S
    while not _served_by_pool(server):
        assert time.monotonic() < deadline, f"no pool answered:\n{server.log()[-3000:]}"
        time.sleep(0.5)


def _pool_pids(server: Server) -> list[int]:
    out = subprocess.run(
        ["ps", "-o", "pid=,args=", "-g", str(server.process.pid)], capture_output=True, text=True
    ).stdout
    return [int(line.split()[0]) for line in out.splitlines() if "cadence.api.pool" in line]


def test_the_api_is_served_by_its_own_processes_and_the_ui_by_the_web_worker(server) -> None:
    _wait_for_pool(server)
    assert len(_pool_pids(server)) == 3  # the pool's parent and its two workers
    signup = httpx.post(
        f"{server.url}/api/v1/auth/signup",
        json={"email": "pool@example.com", "password": PASSWORD, "display_name": "Pool"},
    )
    assert signup.status_code == 201 and signup.headers["x-cadence-served-by"] == "api-pool"
    headers = {"Authorization": f"Bearer {signup.json()['token']}"}
    events = []
    body = {"message": "How did I sleep?", "model_id": "cadence/offline"}
    with httpx.stream(
        "POST", f"{server.url}/api/v1/chat", json=body, headers=headers, timeout=60
    ) as response:
        assert response.headers["x-cadence-served-by"] == "api-pool"
        events = [line[7:] for line in response.iter_lines() if line.startswith("event: ")]
    assert events[-1] == "done" and len(events) > 2
    page = httpx.get(f"{server.url}/login/")
    assert page.status_code == 200 and "x-cadence-served-by" not in page.headers


def test_the_login_limit_still_counts_per_client_through_the_pool(server) -> None:
    _wait_for_pool(server)
    wrong = {"email": "nobody@example.com", "password": "wrong-password-1"}
    codes = [
        httpx.post(f"{server.url}/api/v1/auth/login", json=wrong).status_code for _ in range(8)
    ]
    assert 429 in codes, codes


def test_a_killed_pool_is_replaced_and_the_api_answers_meanwhile(server) -> None:
    _wait_for_pool(server)
    parent = min(_pool_pids(server))
    os.kill(parent, signal.SIGKILL)
    for pid in _pool_pids(server):
        if pid != parent:
            os.kill(pid, signal.SIGKILL)
    answered = [
        httpx.get(f"{server.url}/api/v1/openapi.json", timeout=30).status_code for _ in range(5)
    ]
    assert answered == [200] * 5
    _wait_for_pool(server)
    assert Path(server.log_path).exists()
