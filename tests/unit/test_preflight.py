"""``make run``'s preflight: it waits for Redis and the database with backoff, saying what it
waits for, instead of exiting at once; and it states the PostgreSQL connection budget."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from cadence import preflight
from tests.conftest import reset_caches


def test_waits_with_backoff_and_says_for_what(monkeypatch, capsys) -> None:
    pauses: list[float] = []
    monkeypatch.setattr(preflight.time, "sleep", pauses.append)
    attempts = iter([ConnectionError("refused"), ConnectionError("refused"), None])

    def attempt() -> None:
        error = next(attempts)
        if error:
            raise error

    assert preflight.wait_for("Redis at redis://127.0.0.1:6379/4", attempt, wait_s=60)
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "Cadence: waiting for Redis at redis://127.0.0.1:6379/4 (refused); next try in 1 s",
        "Cadence: waiting for Redis at redis://127.0.0.1:6379/4 (refused); next try in 2 s",
    ]
    assert pauses == [1.0, 2.0]


def test_a_redis_that_comes_up_late_is_waited_for(monkeypatch, capsys) -> None:
    """A real port that starts listening 1.5 s after the preflight began (a Redis-speaking
    stub: it answers PING with PONG)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("CADENCE_REDIS_URL", f"redis://127.0.0.1:{port}/4")
    reset_caches()

    finished = threading.Event()

    def serve_later() -> None:
        time.sleep(1.5)
        with socket.create_server(("127.0.0.1", port)) as server:
            server.settimeout(0.2)
            while not finished.is_set():
                try:
                    conn, _ = server.accept()
                except TimeoutError:
                    continue
                with conn:
                    while data := conn.recv(4096):
                        commands = [c for c in data.split(b"*") if c.strip()]
                        conn.sendall(b"".join(_reply(c) for c in commands))

    server = threading.Thread(target=serve_later)
    server.start()
    started = time.monotonic()
    try:
        assert preflight.run(wait_s=30) == 0
    finally:
        finished.set()
        server.join(timeout=5)
    assert time.monotonic() - started >= 1.5
    assert f"waiting for Redis at redis://127.0.0.1:{port}/4" in capsys.readouterr().out


def _reply(command: bytes) -> bytes:
    return b"+PONG\r\n" if b"PING" in command.upper() else b"+OK\r\n"


def test_gives_up_after_the_wait_with_the_reason(monkeypatch, capsys) -> None:
    monkeypatch.setenv("CADENCE_REDIS_URL", "redis://127.0.0.1:9/4")
    reset_caches()
    assert preflight.run(wait_s=0.5) == 1
    assert "gave up waiting for Redis at redis://127.0.0.1:9/4" in capsys.readouterr().err


@pytest.mark.parametrize(("workers", "fits", "processes"), [(5, True, 2), (20, False, 0)])
def test_the_budget_says_whether_it_fits(workers: int, fits: bool, processes: int) -> None:
    budget = preflight.Budget(
        workers=workers, per_worker=8, max_connections=100, reserved=3, in_use=4
    )
    text = budget.describe()
    assert budget.fits is fits
    assert f"so {processes} such processes fit" in text
    assert ("WARNING: the connection budget does not fit" in text) is not fits


def test_the_default_worker_count_is_reflexs(monkeypatch) -> None:
    monkeypatch.delenv("GRANIAN_WORKERS", raising=False)
    monkeypatch.setattr(preflight.os, "cpu_count", lambda: 2)
    assert preflight.default_workers(with_redis=True) == 5
    assert preflight.default_workers(with_redis=False) == 1
    monkeypatch.setenv("GRANIAN_WORKERS", "3")
    assert preflight.default_workers(with_redis=True) == 3
