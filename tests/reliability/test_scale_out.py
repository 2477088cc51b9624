"""Scale-out: two ``reflex run --env prod`` processes share one PostgreSQL database and one Redis
(Reflex's Redis state manager, ``REFLEX_REDIS_URL``) and serve one consistent product.

Proven here: a token issued by one process works on the other and sees what the other wrote;
the UI of one process shows a workout logged through the other's API; the offline coach answers
on both, continuing one conversation across them; Reflex keeps its UI state in Redis; and a
manual device sync started on both at the same instant runs once (the per-connection lease),
the other process answering 409; and two background-sync rounds started at once in two OS
processes sync a due device once.

Runs in the PostgreSQL pass of the suite (``CADENCE_TEST_DATABASE_URL``) with Redis on
127.0.0.1:6379; it is skipped with the reason otherwise.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
from sqlalchemy import create_engine, text

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT
from tests.fakes.device_server import FakeProviderServer, Reply
from tests.live import (
    VENV_BIN,
    Server,
    database_url,
    migrate,
    server_env,
    start_app,
    stop,
)

pytestmark = pytest.mark.slow
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
REDIS_DB = 4  # a database of its own, so other users of this Redis are untouched
PASSWORD = "scale-out-42"
SYNC_DELAY_S = 1.0


def _redis_up() -> bool:
    try:
        socket.create_connection((REDIS_HOST, REDIS_PORT), 1).close()
        return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def provider() -> Iterator[FakeProviderServer]:
    """A fake WHOOP whose every data page takes ``SYNC_DELAY_S``: syncs overlap if allowed."""
    with FakeProviderServer() as fake:
        fake.json(
            "POST",
            "/oauth/oauth2/token",
            {"access_token": "a", "refresh_token": "r", "expires_in": 3600},
        )
        fake.default = Reply({"records": [], "next_token": None}, delay=SYNC_DELAY_S)
        yield fake


@pytest.fixture(scope="module")
def two_apps(
    tmp_path_factory: pytest.TempPathFactory, provider: FakeProviderServer
) -> Iterator[list[Server]]:
    base = os.environ.get("CADENCE_TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        pytest.skip("scale-out runs in the PostgreSQL pass (CADENCE_TEST_DATABASE_URL unset)")
    if not _redis_up():
        pytest.skip(f"no Redis at {REDIS_HOST}:{REDIS_PORT}")
    data = tmp_path_factory.mktemp("scale")
    env = server_env(
        data,
        database_url(data, "scale", base),
        # One setting for both Reflex's UI state and the task queue.
        CADENCE_REDIS_URL=f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}",
        CADENCE_WHOOP_API_URL=provider.base_url,
        CADENCE_WHOOP_CLIENT_ID="cid",
        CADENCE_WHOOP_CLIENT_SECRET="secret",
    )
    migrate(env)
    redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB).flushdb()
    # Each process builds into its own directory (docs/deploy.md): no shared .web/, no lock.
    first = start_app(env, name="one", web_dir=data / "web-one")
    try:
        second = start_app(env, name="two", web_dir=data / "web-two")
    except Exception:
        stop(first)
        raise
    servers = [first, second]
    try:
        yield servers
    finally:
        for server in servers:
            stop(server)


def _client(server: Server, token: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=f"{server.url}/api/v1", headers=headers, timeout=30)


@pytest.fixture(scope="module")
def token(two_apps: list[Server]) -> str:
    one, _ = two_apps
    with _client(one) as http:
        response = http.post(
            "/auth/signup",
            json={"email": "scale@example.com", "password": PASSWORD, "display_name": "Scale"},
        )
    assert response.status_code == 201, response.text
    return response.json()["token"]


def test_a_user_on_one_process_sees_what_the_other_wrote(two_apps, token) -> None:
    one, two = two_apps
    workout = {
        "date": "2026-11-28",
        "workout_name": "Written through process two",
        "exercises": [{"name": "Deadlift", "sets": 3, "reps": "5", "weight_kg": 140}],
    }
    with _client(two, token) as via_two, _client(one, token) as via_one:
        created = via_two.post("/workouts", json=workout)
        assert created.status_code == 201, created.text
        listed = via_one.get("/workouts").json()["workouts"]
        assert [w["workout_name"] for w in listed] == ["Written through process two"]
        assert via_one.get(f"/workouts/{created.json()['id']}").status_code == 200


def _chat(http: httpx.Client, message: str, conversation_id: int | None) -> tuple[int, list]:
    body = {"message": message, "conversation_id": conversation_id, "model_id": "cadence/offline"}
    with http.stream("POST", "/chat", json=body) as response:
        assert response.status_code == 200
        events = [line[7:] for line in response.iter_lines() if line.startswith("event: ")]
        return int(response.headers["x-conversation-id"]), events


def test_the_offline_coach_answers_on_both_in_one_conversation(two_apps, token) -> None:
    one, two = two_apps
    with _client(one, token) as via_one, _client(two, token) as via_two:
        conversation, first = _chat(via_one, "What was my last workout?", None)
        again, second = _chat(via_two, "And my best lift?", conversation)
        assert again == conversation
        assert first[-1] == "done" and second[-1] == "done"
        assert "token" in first and "token" in second
        messages = via_one.get(f"/conversations/{conversation}/messages").json()["messages"]
        assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]


def test_the_ui_of_one_process_shows_data_written_through_the_other(two_apps, token) -> None:
    from playwright.sync_api import expect, sync_playwright

    one, _ = two_apps
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    store = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB)
    keys_before = store.dbsize()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(base_url=one.url).new_page()
            page.set_default_timeout(30_000)
            page.goto("/login")
            page.fill("#email", "scale@example.com")
            page.fill("#password", PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(lambda url: "/login" not in url)
            page.goto("/workouts")
            expect(page.get_by_text("Written through process two").first).to_be_visible()
        finally:
            browser.close()
    assert store.dbsize() > keys_before, "Reflex kept no UI state in Redis"
    page_headers = httpx.get(f"{one.url}/login/").headers  # the prod UI, not the API
    assert page_headers["x-frame-options"] == "DENY"
    assert page_headers["x-content-type-options"] == "nosniff"


def test_a_device_is_never_synced_by_both_processes_at_once(two_apps, token, provider) -> None:
    one, two = two_apps
    with _client(one, token) as via_one, _client(two, token) as via_two:
        authorize = via_one.post("/devices/whoop/connect").json()["authorize_url"]
        state = httpx.URL(authorize).params["state"]
        # The OAuth callback lands on the OTHER process: the state lives in the shared database,
        # and the browser (one cookie jar, as behind one load balancer) brings its binding.
        via_two.cookies.update(via_one.cookies)
        via_two.get("/devices/whoop/callback", params={"state": state, "code": "c"})
        assert _device(via_one)["connected"] is True
        provider.requests.clear()
        barrier = threading.Barrier(2)
        results: dict[str, httpx.Response] = {}

        def sync(name: str, http: httpx.Client) -> None:
            barrier.wait()
            results[name] = http.post("/devices/whoop/sync")

        threads = [
            threading.Thread(target=sync, args=("one", via_one)),
            threading.Thread(target=sync, args=("two", via_two)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    statuses = sorted(r.status_code for r in results.values())
    assert statuses == [200, 409], {k: (r.status_code, r.text) for k, r in results.items()}
    sleep_pages = [r for r in provider.requests if r.path.endswith("/activity/sleep")]
    assert len(sleep_pages) == 1, "the provider was synced twice"
    assert json.loads(results["one" if results["one"].status_code == 409 else "two"].text)[
        "detail"
    ].startswith("A WHOOP sync is already running")


def _device(http: httpx.Client) -> dict:
    devices = http.get("/devices").json()["devices"]
    return next(d for d in devices if d["provider"] == "whoop")


def test_background_sync_rounds_in_two_processes_sync_a_due_device_once(
    two_apps, token, provider
) -> None:
    """The scheduler's path (``run_due_syncs``, what every app worker runs each minute), started
    in two OS processes at the same instant (``python -m cadence sync``) on the same due
    connection: exactly one of them syncs it."""
    one, _ = two_apps
    engine = create_engine(one.env["CADENCE_DATABASE_URL"])
    with engine.begin() as conn:  # make every connected device due now
        conn.execute(text("UPDATE device_connection SET next_sync_at = now() - interval '1 hour'"))
    engine.dispose()
    provider.requests.clear()
    command = [str(VENV_BIN / "python"), "-m", "cadence", "sync"]
    runs = [
        subprocess.Popen(command, cwd=ROOT, env=one.env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    sleep_pages = [r for r in provider.requests if r.path.endswith("/activity/sleep")]
    assert len(sleep_pages) == 1, f"synced {len(sleep_pages)} times: {outputs}"
    assert sum("Nothing to sync" in out for out in outputs) == 1, outputs


def test_an_import_uploaded_to_one_process_runs_on_the_shared_queue(two_apps, token) -> None:
    one, two = two_apps
    fit = ROOT / "tests" / "fixtures" / "fit" / "garmin-fenix-5-run.fit"
    with _client(two, token) as via_two, _client(one, token) as via_one:
        created = via_two.post("/imports", files=[("file", (fit.name, fit.read_bytes()))])
        assert created.status_code == 202, created.text
        import_id = created.json()["import_id"]
        for _ in range(300):
            job = via_one.get(f"/imports/{import_id}").json()
            if job["status"] in {"done", "partial", "failed"}:
                break
            time.sleep(0.1)
    assert job["status"] == "done", job
    assert (Path(two.env["CADENCE_DATA_DIR"]) / "uploads").is_dir()


def test_restarting_one_process_never_disturbs_the_other(two_apps) -> None:
    """With a shared .web/ a restart rebuilt the other's files: 404s and renamed JS chunks."""
    one, two = two_apps
    page = httpx.get(f"{one.url}/login/")
    scripts = [s for s in re.findall(r'src="([^"]+\.js)"', page.text) if s.startswith("/")]
    assert scripts, "no script in the page to watch"
    answers: list[int] = []
    stopped = threading.Event()

    def watch() -> None:
        with httpx.Client(base_url=one.url, timeout=10) as http:
            while not stopped.is_set():
                answers.append(http.get("/login/").status_code)
                answers.extend(http.get(path).status_code for path in scripts)
                time.sleep(0.1)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        stop(two)
        two_apps[1] = start_app(two.env, name="two-again")
    finally:
        stopped.set()
        watcher.join(timeout=30)
    assert len(answers) > 20 and set(answers) == {200}, Counter(answers)
