"""Real server processes for the fuzz, fault, scale-out and load harnesses.

``start_api`` serves ``create_api()`` with uvicorn (the API alone, ~2 s to start);
``start_app`` runs the product itself, ``reflex run --env prod`` (UI + API on one port, needs
the e2e lock because ``.web/`` is shared). Each server gets its own data dir and database:
a SQLite file, or a fresh PostgreSQL database beside ``CADENCE_TEST_DATABASE_URL``.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.e2e.conftest import ROOT, _free_port, _runtime_env

VENV_BIN = Path(sys.executable).parent
OFFLINE_URL = "http://127.0.0.1:9"  # discard port: any provider/LLM call fails at once, offline
START_TIMEOUT_S = 240


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log_path: Path
    env: dict[str, str] = field(repr=False)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def database_url(data_dir: Path, name: str, base_url: str | None = None) -> str:
    """A fresh database for one harness: ``<base>_<name>`` on PostgreSQL, else a SQLite file."""
    base_url = base_url or os.environ.get("CADENCE_TEST_DATABASE_URL")
    if not base_url:
        return f"sqlite:///{data_dir / f'{name}.db'}"
    url = make_url(base_url)
    fresh = url.set(database=f"{url.database}_{name}")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{fresh.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{fresh.database}"'))
    admin.dispose()
    return fresh.render_as_string(hide_password=False)


def server_env(data_dir: Path, database: str, **extra: str) -> dict[str, str]:
    """Environment of a test server: own data dir and key, fast bcrypt, no outside network."""
    data_dir.mkdir(parents=True, exist_ok=True)
    env = _runtime_env()
    env.update(
        CADENCE_DATA_DIR=str(data_dir),
        CADENCE_DATABASE_URL=database,
        CADENCE_SECRET_KEY="live-secret-" + "k" * 40,
        CADENCE_BCRYPT_ROUNDS="4",
        CADENCE_LLM_BASE_URL=OFFLINE_URL,
        CADENCE_WHOOP_API_URL=OFFLINE_URL,
        CADENCE_STRAVA_API_URL=OFFLINE_URL,
        CADENCE_GARMIN_API_URL=OFFLINE_URL,
        CADENCE_DEVICE_SYNC_SCHEDULER="false",
    )
    env.pop("CADENCE_LLM_API_KEY", None)
    env.update(extra)
    return env


def migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [str(VENV_BIN / "alembic"), "upgrade", "heads"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


@contextmanager
def app_lock() -> Iterator[None]:
    """Hold the lock the browser tests take: ``reflex run`` rebuilds the shared ``.web/``."""
    with open(ROOT / ".e2e.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def start_api(env: dict[str, str], *, name: str = "api", port: int | None = None) -> Server:
    """``create_api()`` under uvicorn (one worker) on a free port."""
    port = port or _free_port()
    command = [str(VENV_BIN / "uvicorn"), "--factory", "cadence.api.app:create_api"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    return _start(command, env, name, port, probe="/api/v1/openapi.json")


def start_app(
    env: dict[str, str], *, name: str = "app", port: int | None = None, web_dir: Path | None = None
) -> Server:
    """The product as users run it: ``make run``'s ``python -m cadence.serve`` (``reflex run --env
    prod``, the build reused when current) on one port; with ``web_dir`` it
    builds into a directory of its own (as docs/deploy.md asks of every process) instead of the
    shared ``.web/``, which then needs no ``app_lock``."""
    port = port or _free_port()
    env = {**env, "CADENCE_PORT": str(port), "CADENCE_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    if web_dir is not None:
        env.update(
            REFLEX_WEB_WORKDIR=str(web_dir / "web"), REFLEX_STATES_WORKDIR=str(web_dir / "states")
        )
    command = [str(VENV_BIN / "python"), "-m", "cadence.serve", "--port", str(port)]
    return _start(command, env, name, port, probe="/login/")


def _start(command: list[str], env: dict[str, str], name: str, port: int, probe: str) -> Server:
    log_path = Path(env["CADENCE_DATA_DIR"]) / f"{name}.log"
    with open(log_path, "a") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(url=f"http://127.0.0.1:{port}", process=process, log_path=log_path, env=env)
    _started.append(server)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited early:\n{server.log()[-4000:]}")
        try:
            with urllib.request.urlopen(server.url + probe, timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    stop(server)
    raise RuntimeError(f"{name} did not start in time:\n{server.log()[-4000:]}")


_started: list[Server] = []
"""Every server started in this process and not stopped yet (``stop_all_but`` ends them)."""


def running() -> list[Server]:
    """The servers started and not stopped yet, oldest first."""
    return list(_started)


def stop_all_but(kept: list[Server]) -> None:
    """Stop the servers still running except ``kept``: a test that failed before its own
    ``stop`` once left one behind, whose recovery loop then worked on the next test's
    same-named database."""
    for server in [s for s in _started if s not in kept]:
        stop(server)


def stop(server: Server, sig: signal.Signals = signal.SIGTERM) -> None:
    """Signal the server's whole process group and wait for it (SIGKILL if it lingers)."""
    if server in _started:
        _started.remove(server)
    try:
        os.killpg(server.process.pid, sig)
        server.process.wait(timeout=15)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=15)
