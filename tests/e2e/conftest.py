"""End-to-end fixtures: one real prod server (``make run``'s ``python -m cadence.serve``, that is
``reflex run --env prod``) per test session on the run's app port (``app_port``, so it reuses
the build the earlier prod-server tests made), driven by Playwright in Debian's Chromium
(``/usr/bin/chromium``).

The server gets its own data dir and database (SQLite, or a fresh ``<name>_e2e`` PostgreSQL
database when ``CADENCE_TEST_DATABASE_URL`` is set). Runs are serialised with a file lock because
the Reflex build directory ``.web/`` is shared by every run in this checkout.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.reliability.proxy import FaultProxy

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = os.environ.get("CADENCE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT_S = 240
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


@dataclass(frozen=True)
class LiveServer:
    url: str
    data_dir: Path
    env: dict[str, str]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _can_listen(port: int) -> bool:
    """Whether a server may listen on ``port`` now (a stopped one's TIME_WAIT does not count)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


_app_port = 0


def app_port() -> int:
    """The one port of every prod server on this checkout's build (``.web/``) in a run.

    The build embeds its port (``cadence/serve.py`` keys it by the port), so servers started
    one after another on one port build once and reuse it: the warm-start test builds, the API
    pool and browser tests serve that build. ``CADENCE_TEST_APP_PORT`` carries the port from one
    run to the next (``.ci/run``: the PostgreSQL pass serves the SQLite pass's build); when
    another process holds it, a free port replaces it (and that server builds anew).
    """
    global _app_port
    if not _app_port:
        _app_port = int(os.environ.get("CADENCE_TEST_APP_PORT") or _free_port())
    if not _can_listen(_app_port):
        _app_port = _free_port()
    return _app_port


def _runtime_env() -> dict[str, str]:
    """The environment ``make`` sets up: project JS runtime first on PATH, Reflex quiet."""
    env = dict(os.environ)
    tools_bin = ROOT / ".tools" / "node_modules" / ".bin"
    if tools_bin.is_dir():
        env["PATH"] = f"{tools_bin}{os.pathsep}{env.get('PATH', '')}"
    bun = next((ROOT / ".tools" / "node_modules" / "@oven").glob("bun-linux-*/bin/bun"), None)
    if bun and "REFLEX_BUN_PATH" not in env:
        env["REFLEX_BUN_PATH"] = str(bun)
    env.setdefault("REFLEX_USE_NPM", "0")
    env.update(REFLEX_TELEMETRY_ENABLED="false", REFLEX_CHECK_LATEST_VERSION="false")
    ca_file = "/etc/ssl/certs/ca-certificates.crt"
    if Path(ca_file).exists():
        env.setdefault("NODE_EXTRA_CA_CERTS", ca_file)
        env.setdefault("npm_config_cafile", ca_file)
    return env


def _fresh_postgres_database(base_url: str) -> str:
    """Create (or recreate) ``<database>_e2e`` beside the test database and return its URL."""
    url = make_url(base_url)
    e2e_url = url.set(database=f"{url.database}_e2e")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{e2e_url.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{e2e_url.database}"'))
    admin.dispose()
    return e2e_url.render_as_string(hide_password=False)


def _wait_until_up(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"reflex exited early:\n{log_path.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{url}/login/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"reflex did not start in time:\n{log_path.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def e2e_lock() -> Iterator[None]:
    with open(ROOT / ".e2e.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
        fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory, e2e_lock: None) -> Iterator[LiveServer]:
    """A migrated database and a real prod server; stopped (whole process group) afterwards."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test` (it installs it).")
    data_dir = tmp_path_factory.mktemp("e2e-data")
    port = app_port()
    env = _runtime_env()
    env.update(
        CADENCE_DATA_DIR=str(data_dir),
        CADENCE_PORT=str(port),
        CADENCE_SECRET_KEY="e2e-secret-" + "z" * 40,
        CADENCE_BCRYPT_ROUNDS="4",
    )
    base_db = os.environ.get("CADENCE_TEST_DATABASE_URL")
    env["CADENCE_DATABASE_URL"] = (
        _fresh_postgres_database(base_db) if base_db else f"sqlite:///{data_dir / 'e2e.db'}"
    )
    venv_bin = Path(sys.executable).parent
    subprocess.run([str(venv_bin / "alembic"), "upgrade", "heads"], cwd=ROOT, env=env, check=True)
    log_path = data_dir / "server.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [str(venv_bin / "python"), "-m", "cadence.serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log_path)
        yield LiveServer(url=url, data_dir=data_dir, env=env)
    finally:
        _stop(process)
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copy(log_path, ARTIFACTS / "e2e-server.log")


def _stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


SERVICE_WORKER_ROUTING = "PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS"
"""Lets ``context.route`` see the service worker's own requests (Chromium): ``set_offline`` alone
does not cut them (microsoft/playwright#2311), so a test's "no signal" could still reach the
server through the worker."""


@pytest.fixture(scope="session")
def browser(live_server: LiveServer):
    from playwright.sync_api import sync_playwright

    os.environ[SERVICE_WORKER_ROUTING] = "1"  # read when the Playwright driver starts
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()


@pytest.fixture
def new_page(browser, live_server: LiveServer):
    """``new_page(viewport=PHONE)``: a fresh context (empty localStorage) per call;
    ``own_link=True`` puts the context's whole network behind its own proxy, for a test that
    takes the phone off the network (``go_offline``)."""
    contexts = []
    upstream = urllib.parse.urlsplit(live_server.url)
    with contextlib.ExitStack() as links:

        def _open(viewport: dict[str, int] = DESKTOP, *, own_link: bool = False):
            options = {}
            if own_link:
                link = links.enter_context(
                    FaultProxy((upstream.hostname, upstream.port), http_proxy=True)
                )
                options["proxy"] = {"server": f"http://127.0.0.1:{link.port}"}
            context = browser.new_context(viewport=viewport, base_url=live_server.url, **options)
            context.set_default_timeout(20_000)
            contexts.append(context)
            if own_link:
                _LINKS[context] = link
            return context.new_page()

        yield _open
        for context in contexts:
            _LINKS.pop(context, None)
            context.close()


_LINKS: dict[object, FaultProxy] = {}
"""The proxy each ``own_link`` context reaches the server through."""


def _no_signal(route) -> None:
    route.abort("internetdisconnected")


def go_offline(page) -> None:
    """Take the phone off the network. Its link to the server swallows everything from now on,
    whatever sends it (the page, the service worker, a request Chromium's emulation lets
    through), and the browser is told too: ``set_offline`` flips ``navigator.onLine`` and fires
    ``offline``, and every request of the context fails at once instead of hanging."""
    link = _LINKS[page.context]
    assert link.accepted, "the phone's requests do not pass through its link"
    link.blackhole()
    page.context.set_offline(True)
    page.context.route("**/*", _no_signal)


def go_online(page) -> None:
    """Give the phone its network back and tell the page, as a real reconnection does."""
    page.context.unroute("**/*", _no_signal)
    page.context.set_offline(False)
    _LINKS[page.context].heal()
    page.evaluate("window.dispatchEvent(new Event('online'))")


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under ``artifacts/`` (git-ignored) and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def path_pattern(path: str) -> re.Pattern[str]:
    """A URL on ``path``, with or without the trailing slash prod serves routes with."""
    return re.compile(rf"^[^?#]*{re.escape(path.rstrip('/'))}/?([?#].*)?$")


def wait_for_path(page, path: str) -> None:
    """Wait until the browser is on ``path`` (prod serves routes with a trailing slash)."""
    page.wait_for_url(path_pattern(path))


def has_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")


def signup_through_ui(page, *, email: str, password: str, name: str) -> None:
    """Create an account through the signup page and wait for the app shell."""
    page.goto("/signup")
    page.fill("#display_name", name)
    page.fill("#email", email)
    page.fill("#password", password)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(lambda url: "/signup" not in url)
