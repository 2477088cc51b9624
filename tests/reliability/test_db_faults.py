"""The database locked, gone, or out of space while a request writes: a clear 503, and the
transaction is all-or-nothing (no workout without its exercises, no partial import)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, func, text
from sqlmodel import SQLModel, select

from cadence import db
from cadence.config import get_settings
from cadence.models.workout import Workout
from tests.conftest import reset_caches

LOCK_TIMEOUT_MS = 300


def workout(name: str, exercises: int = 3) -> dict:
    return {
        "date": "2026-11-20",
        "workout_name": name,
        "exercises": [
            {"name": f"Lift {i}", "sets": 3, "reps": "5", "weight_kg": 60 + i}
            for i in range(exercises)
        ],
    }


def stored_rows(session, name: str) -> int:
    """Workouts named ``name`` plus rows of every table that references a workout."""
    session.expire_all()
    return session.exec(select(func.count()).where(Workout.workout_name == name)).one()


@pytest.fixture
def short_lock_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CADENCE_DATABASE_LOCK_TIMEOUT_MS", str(LOCK_TIMEOUT_MS))
    db.get_engine().dispose()
    reset_caches()


@contextlib.contextmanager
def write_lock_held(url: str | None = None) -> Iterator[None]:
    """Another connection holds the write lock on ``url`` (default: the test database):
    SQLite ``BEGIN IMMEDIATE``, PostgreSQL ``LOCK TABLE workout``. The browser test uses it on
    the live server's database too."""
    engine = db.make_engine(url or db.get_engine().url.render_as_string(hide_password=False))
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.execute(text("LOCK TABLE workout IN ACCESS EXCLUSIVE MODE"))
        try:
            yield
        finally:
            conn.rollback()
    engine.dispose()


def test_locked_database_is_a_clear_503_and_nothing_is_written(
    client, account, session, short_lock_timeout
) -> None:
    with write_lock_held():
        started = time.monotonic()
        response = client.post("/api/v1/workouts", json=workout("locked"), headers=account.headers)
        waited = time.monotonic() - started
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "5"
    assert "Nothing was saved" in response.json()["detail"]
    assert waited < 5, f"the request hung for {waited:.1f} s"
    assert stored_rows(session, "locked") == 0
    # The lock is gone: the same request now succeeds, exactly once.
    retry = client.post("/api/v1/workouts", json=workout("locked"), headers=account.headers)
    assert retry.status_code == 201
    assert stored_rows(session, "locked") == 1


def test_database_gone_is_a_503_then_recovers(client, account, monkeypatch) -> None:
    good_url = db.get_engine().url.render_as_string(hide_password=False)
    monkeypatch.setenv("CADENCE_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:9/gone")
    reset_caches()
    down = client.post("/api/v1/workouts", json=workout("gone"), headers=account.headers)
    assert down.status_code == 503, down.text
    assert down.json()["detail"].startswith("The database is busy or unavailable")
    monkeypatch.setenv("CADENCE_DATABASE_URL", good_url)
    reset_caches()
    back = client.post("/api/v1/workouts", json=workout("gone"), headers=account.headers)
    assert back.status_code == 201, back.text


@contextlib.contextmanager
def tiny_filesystem(size_kb: int) -> Iterator[Path | None]:
    """A ``size_kb`` tmpfs mounted in a temp dir (needs root), or None when it cannot be."""
    with tempfile.TemporaryDirectory(prefix="cadence-full-") as mount_point:
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", mount_point],
            capture_output=True,
        )
        if mounted.returncode != 0:
            yield None
            return
        try:
            yield Path(mount_point)
        finally:
            subprocess.run(["umount", "-l", mount_point], check=False)


def _fill(directory: Path, leave_bytes: int) -> Path:
    """Take all but ``leave_bytes`` of the free space of ``directory``'s filesystem."""
    filler = directory / "filler"
    with open(filler, "wb", buffering=0) as handle, contextlib.suppress(OSError):
        while True:
            handle.write(b"\0" * 4096)
    size = filler.stat().st_size
    os.truncate(filler, max(0, size - leave_bytes))
    return filler


def _cap_sqlite_pages(engine, extra_pages: int) -> None:
    """Without root: SQLite's max_page_count leaves ``extra_pages`` of room (same SQLITE_FULL)."""
    with engine.connect() as conn:
        used = conn.exec_driver_sql("PRAGMA page_count").scalar()

    @event.listens_for(engine, "connect")
    def _cap(dbapi_connection, _record) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count={used + extra_pages}")

    engine.dispose()


def test_disk_full_is_a_clear_error_and_keeps_everything_acknowledged(
    client, make_account, monkeypatch, capsys
) -> None:
    """Runs on a SQLite file whatever the suite's database (PostgreSQL's disk is not simulated)."""
    with tiny_filesystem(size_kb=2048) as mount:
        directory = mount or Path(tempfile.mkdtemp(prefix="cadence-full-"))
        monkeypatch.setenv("CADENCE_DATABASE_URL", f"sqlite:///{directory / 'full.db'}")
        reset_caches()
        engine = db.get_engine()
        SQLModel.metadata.create_all(engine)
        headers = make_account().headers
        filler = _fill(directory, leave_bytes=96 * 1024) if mount else None
        if not mount:
            _cap_sqlite_pages(engine, extra_pages=40)
        with capsys.disabled():
            how = "a 2 MB tmpfs filled to the last byte" if mount else "SQLite max_page_count"
            print(f"\ndisk full simulated with {how}")
        acknowledged, failure = [], None
        for i in range(500):
            response = client.post("/api/v1/workouts", json=workout(f"w{i}", 40), headers=headers)
            if response.status_code != 201:
                failure = (f"w{i}", response)
                break
            acknowledged.append(f"w{i}")
        assert failure is not None, "the disk never filled up"
        assert acknowledged, "no room was left for the first writes"
        name, response = failure
        assert response.status_code == 503, response.text
        assert "storage is full" in response.json()["detail"]
        with engine.connect() as conn:
            names = [r[0] for r in conn.execute(text("SELECT workout_name FROM workout"))]
        assert sorted(names) == sorted(acknowledged), "lost or half-written workouts"
        assert name not in names
        if filler:
            filler.unlink()
        else:
            _cap_sqlite_pages(engine, extra_pages=10_000)
        again = client.post("/api/v1/workouts", json=workout(name, 40), headers=headers)
        assert again.status_code == 201, again.text
        engine.dispose()


def test_an_exhausted_connection_pool_is_a_503_not_a_500(client, account) -> None:
    """Every pooled connection busy for longer than the pool timeout: a clear 503."""
    url = db.get_engine().url.render_as_string(hide_password=False)
    args = {"check_same_thread": False} if url.startswith("sqlite") else {}
    tiny = create_engine(url, pool_size=1, max_overflow=0, pool_timeout=0.2, connect_args=args)
    real_get_engine, db.get_engine = db.get_engine, lambda: tiny
    try:
        with tiny.connect():  # the only connection is taken
            response = client.get("/api/v1/workouts", headers=account.headers)
        recovered = client.get("/api/v1/workouts", headers=account.headers)
    finally:
        db.get_engine = real_get_engine
        tiny.dispose()
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "5"
    assert recovered.status_code == 200


def test_a_full_disk_while_staging_an_upload_is_a_clear_503(client, account, monkeypatch) -> None:
    """Uploads are staged under the data dir before the job exists: a full disk there is a 503
    with the storage message (it was a 500), no import job is recorded, and the partial copy is
    deleted (it kept the disk full for everything else)."""
    with tiny_filesystem(size_kb=1024) as mount:
        if mount is None:
            pytest.skip("needs root to mount a tmpfs (max_page_count cannot fill a directory)")
        monkeypatch.setenv("CADENCE_DATA_DIR", str(mount))
        get_settings.cache_clear()
        _fill(mount, leave_bytes=16 * 1024)
        upload = [("file", ("big.gpx", b"<gpx>" + b" " * 200_000 + b"</gpx>"))]
        response = client.post("/api/v1/imports", files=upload, headers=account.headers)
        get_settings.cache_clear()
        left_behind = [str(p) for p in (mount / "uploads").rglob("*")]
    assert response.status_code == 503, response.text
    assert "storage is full" in response.json()["detail"]
    assert left_behind == [], "the partial upload was left on the full disk"
    with db.get_engine().connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM import_job")).scalar() == 0
