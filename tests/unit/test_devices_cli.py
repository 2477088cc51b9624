"""``python -m cadence sync`` against a local fake WHOOP."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest
from sqlmodel import Session

from cadence.cli import main
from cadence.models.common import utcnow
from cadence.models.device import DeviceConnection
from cadence.models.user import User
from cadence.services.devices import connections
from tests.conftest import reset_caches
from tests.fakes.device_server import FakeProviderServer, Reply

EMPTY = {"records": [], "next_token": None}


@pytest.fixture
def whoop_user(session: Session, monkeypatch: pytest.MonkeyPatch):
    with FakeProviderServer() as fake:
        monkeypatch.setenv("CADENCE_WHOOP_API_URL", fake.base_url)
        monkeypatch.setenv("CADENCE_WHOOP_CLIENT_ID", "cid")
        monkeypatch.setenv("CADENCE_WHOOP_CLIENT_SECRET", "secret")
        reset_caches()
        user = User(email="cli@example.com", display_name="Cli", password_hash="x")
        session.add(user)
        session.commit()
        connection = DeviceConnection(user_id=user.id, provider="whoop", status="ok")
        connections.store_credentials(
            connection,
            {"access_token": "a", "refresh_token": "r", "expires_at": time.time() + 3600},
        )
        connection.next_sync_at = utcnow()
        session.add(connection)
        session.commit()
        yield fake


def test_sync_one_account_prints_the_outcome(whoop_user, capsys) -> None:
    whoop_user.default = Reply(EMPTY)
    assert main(["sync", "--email", "CLI@example.com"]) == 0
    assert capsys.readouterr().out == "whoop: ok (0 daily metrics, 0 new activities)\n"


def test_sync_due_connections_reports_errors_with_exit_code_1(whoop_user, capsys) -> None:
    whoop_user.default = Reply({"error": "down"}, status=502)
    assert main(["sync"]) == 1
    out = capsys.readouterr().out
    assert out == "whoop: error - WHOOP had a server error (HTTP 502); will retry later.\n"
    assert main(["sync"]) == 0  # backed off: nothing is due now
    assert "Nothing to sync" in capsys.readouterr().out


def test_sync_unknown_account(whoop_user, capsys) -> None:
    assert main(["sync", "--email", "nobody@example.com"]) == 1
    assert "No active account" in capsys.readouterr().err


def test_two_processes_never_sync_the_same_connection(whoop_user) -> None:
    """Two `python -m cadence sync` processes on one database. WHOOP holds the first request
    until one process has exited: the other one must have found the connection leased (if both
    had synced, both would wait here and the test would time out)."""
    gate = threading.Event()

    def held(_request) -> Reply:
        gate.wait(30)
        return Reply(EMPTY)

    whoop_user.default = Reply(EMPTY)
    whoop_user.route("GET", "/developer/v2/activity/sleep", held)
    command = [sys.executable, "-m", "cadence", "sync"]  # same CADENCE_* env as this test
    processes = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    deadline = time.time() + 30
    while all(p.poll() is None for p in processes) and time.time() < deadline:
        time.sleep(0.05)
    first = next((p for p in processes if p.poll() is not None), None)
    gate.set()
    outputs = {p: p.communicate(timeout=30)[0] for p in processes}
    assert first is not None, "neither process finished while the other was syncing"
    assert outputs[first] == "Nothing to sync: no connected device is due.\n"
    [other] = [p for p in processes if p is not first]
    assert outputs[other] == "whoop: ok (0 daily metrics, 0 new activities)\n"
    assert [p.returncode for p in processes] == [0, 0]
    assert len(whoop_user.hits("/developer/v2/activity/sleep")) == 1
