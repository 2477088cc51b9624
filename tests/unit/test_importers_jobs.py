"""The import job runner: progress saved as bytes are read (throttled, honest for zips), final
statuses, one import at a time per user, jobs left behind by a dead process (retried, or failed
in words), staged files owned by their job and an orphan sweep."""

from __future__ import annotations

import errno
import io
import itertools
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from cadence.models.common import utcnow
from cadence.models.imports import ImportJob
from cadence.models.user import User
from cadence.queue import QUEUE_UNAVAILABLE, get_queue
from cadence.services import imports, liveness
from cadence.services.errors import InvalidInput, ServiceUnavailable
from tests.conftest import reset_caches

FIT = Path(__file__).resolve().parent.parent / "fixtures" / "fit"


@pytest.fixture
def user_id(session: Session) -> int:
    user = User(email="jobs@example.com", display_name="J", password_hash="x")
    session.add(user)
    session.commit()
    return user.id


def _job(session: Session, user_id: int, **values) -> ImportJob:
    job = ImportJob(user_id=user_id, **values)
    session.add(job)
    session.commit()
    return job


def test_progress_is_saved_and_throttled(session, user_id, monkeypatch) -> None:
    job = _job(session, user_id, total_bytes=1000)
    clock = iter([100.0, 100.1, 101.0])
    monkeypatch.setattr(imports.time, "monotonic", lambda: next(clock))
    tracker = imports._ProgressTracker(job.id, 1000)
    tracker.at(250)  # saved
    tracker.at(400)  # 0.1 s later: not saved
    session.refresh(job)
    assert job.progress == 0.25
    tracker.at(300)  # going backwards (a second pass over the file) changes nothing
    tracker.at(600)  # 1 s later: saved
    session.refresh(job)
    assert job.progress == 0.6


def _owned_job(session: Session, user_id: int, files, **values) -> ImportJob:
    return _job(
        session,
        user_id,
        total_bytes=sum(f.size for f in files),
        staging_dir=files[0].path.parent.name,
        filenames=[f.filename for f in files],
        **values,
    )


def _fit_files():
    names = ("garmin-fenix-5-run.fit", "12129115726_ACTIVITY.fit")
    return imports.stage_files(
        uploads=[(name, io.BytesIO((FIT / name).read_bytes())) for name in names]
    )


def test_run_import_reads_the_jobs_own_files_then_deletes_them(session, user_id) -> None:
    files = _fit_files()
    job = _owned_job(session, user_id, files)
    imports.run_import(job_id=job.id)
    session.refresh(job)
    assert (job.status, job.progress, job.errors) == ("done", 1.0, [])
    assert job.counts == {"activities": 2, "duplicates": 0, "files": 2}
    assert job.attempts == 1 and job.worker_id == liveness.current_owner()
    assert not files[0].path.parent.exists()  # staged copies are deleted afterwards
    imports.run_import(job_id=job.id)  # a duplicate wake-up does nothing
    session.refresh(job)
    assert (job.status, job.attempts) == ("done", 1)


def test_nothing_importable_is_failed_and_its_files_deleted(session, user_id) -> None:
    files = imports.stage_files(uploads=[("empty.gpx", io.BytesIO(b"<gpx></gpx>"))])
    job = _owned_job(session, user_id, files)
    imports.run_import(job_id=job.id)
    session.refresh(job)
    assert job.status == "failed" and job.errors[0].startswith("empty.gpx: no track point")
    assert not files[0].path.parent.exists()


def test_one_import_at_a_time_per_user(session, user_id, monkeypatch) -> None:
    _job(session, user_id, status="running", worker_id=liveness.current_owner())
    files = _fit_files()
    waiting = _owned_job(session, user_id, files)
    imports.run_import(job_id=waiting.id)
    session.refresh(waiting)
    assert waiting.status == "queued" and files[0].path.exists()
    (retry,) = [t for t in get_queue().huey.pending() if t.name == "imports.run"]
    assert retry.kwargs == {"job_id": waiting.id} and retry.eta is not None  # later, not now


def queued(name: str) -> list[dict]:
    """The keyword arguments of the tasks called ``name`` waiting in the real queue."""
    return [t.kwargs for t in get_queue().huey.pending() if t.name == name]


def dead_owner() -> str:
    """The owner string of a process of this host that has exited."""
    pid = 4_194_000  # above any pid this machine hands out (pid_max is 4 194 304)
    return f"{liveness.host_name()}:{pid}:deadbeef0000"


def test_a_job_interrupted_by_a_crash_is_retried_at_once(session, user_id, monkeypatch) -> None:
    files = _fit_files()
    job = _owned_job(session, user_id, files, status="running", worker_id=dead_owner(), attempts=1)
    imports.recover_imports()
    session.refresh(job)
    assert (job.status, job.progress, job.errors) == ("queued", 0.0, [imports.RETRIED])
    assert queued("imports.run") == [{"job_id": job.id}] and files[0].path.exists()
    imports.run_import(job_id=job.id)  # the retry: imports are idempotent
    session.refresh(job)
    assert (job.status, job.attempts) == ("done", 2)


def test_a_job_interrupted_twice_fails_in_words_and_loses_its_files(session, user_id) -> None:
    files = _fit_files()
    job = _owned_job(session, user_id, files, status="running", worker_id=dead_owner(), attempts=2)
    imports.recover_imports()
    session.refresh(job)
    assert job.status == "failed"
    assert "interrupted (the server stopped) 2 times" in job.errors[-1]
    assert not files[0].path.parent.exists()


def test_a_silent_job_on_another_host_is_taken_over(session, user_id, monkeypatch) -> None:
    files = _fit_files()
    silent = utcnow() - liveness.STALE_AFTER - timedelta(seconds=1)
    job = _owned_job(
        session,
        user_id,
        files,
        status="running",
        worker_id="elsewhere:1:abc",
        attempts=1,
        heartbeat_at=silent,
    )
    alive = _owned_job(
        session,
        user_id,
        _fit_files(),
        status="running",
        worker_id="elsewhere:1:abc",
        heartbeat_at=utcnow(),
    )
    imports.recover_imports()
    session.refresh(job)
    session.refresh(alive)
    assert (job.status, alive.status) == ("queued", "running")


def test_the_sweep_deletes_orphaned_folders_only(session, user_id) -> None:
    root = imports.uploads_root()
    owned = _fit_files()
    _owned_job(session, user_id, owned, status="queued")
    in_progress = imports.stage_files(uploads=[("a.gpx", io.BytesIO(b"x"))])  # ours, no job yet
    orphan = root / f"{dead_owner().replace(':', '~')}~abcd"
    orphan.mkdir()
    (orphan / "000-big.fit").write_bytes(b"x" * 1000)
    finished = _fit_files()
    _owned_job(session, user_id, finished, status="done")
    imports.recover_imports()
    assert not orphan.exists() and owned[0].path.exists() and in_progress[0].path.exists()
    assert finished[0].path.parent.exists()  # a live owner's folder waits for ORPHAN_AFTER


def test_a_failed_copy_leaves_no_partial_file(session) -> None:
    class FullDisk(io.BytesIO):
        def read(self, size=-1):
            if self.tell() > 2_000_000:
                raise OSError(errno.ENOSPC, "No space left on device")
            return super().read(size)

    with pytest.raises(OSError):
        imports.stage_files(
            uploads=[("ok.gpx", io.BytesIO(b"x")), ("big.gpx", FullDisk(b"y" * 4_000_000))]
        )
    assert list(imports.uploads_root().iterdir()) == []


def test_zip_progress_follows_the_work_not_the_central_directory(
    session, user_id, monkeypatch
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for copy in range(3):
            for path in sorted(FIT.glob("*.fit")):
                archive.writestr(f"c{copy}/{path.name}", path.read_bytes())
    files = imports.stage_files(uploads=[("bulk.zip", io.BytesIO(buffer.getvalue()))])
    job = _owned_job(session, user_id, files)
    saved: list[float] = []
    real_update = imports._update

    def record(job_id, **values):
        if set(values) == {"progress"}:
            saved.append(values["progress"])  # recorded, not written: thousands of reads
        else:
            real_update(job_id, **values)

    monkeypatch.setattr(imports, "_update", record)
    monkeypatch.setattr(imports, "PROGRESS_INTERVAL_S", 0.0)
    imports.run_import(job_id=job.id)
    assert len(saved) > 10, saved
    assert saved[0] < 0.1, f"the first progress was already {saved[0]}"
    assert max(b - a for a, b in itertools.pairwise(saved)) < 0.2
    assert saved[-1] <= 0.99 and saved == sorted(saved)


def test_start_import_fails_the_job_in_words_when_the_queue_is_down(
    session, user_id, monkeypatch
) -> None:
    files = _fit_files()
    monkeypatch.setenv("CADENCE_REDIS_URL", "redis://127.0.0.1:9/0")  # nothing listens there
    reset_caches()
    with pytest.raises(ServiceUnavailable):
        imports.start_import(session=session, user_id=user_id, files=files)
    session.expire_all()
    job = session.exec(select(ImportJob)).one()
    assert job.status == "failed" and job.errors == [QUEUE_UNAVAILABLE]
    assert not files[0].path.parent.exists()


def test_start_import_needs_files_and_cleans_up_when_refusing(
    session, user_id, monkeypatch
) -> None:
    with pytest.raises(InvalidInput):
        imports.start_import(session=session, user_id=user_id, files=[])
    monkeypatch.setattr(imports, "MAX_FILES", 1)
    files = imports.stage_files(uploads=[("a.gpx", io.BytesIO(b"x")), ("b.gpx", io.BytesIO(b"y"))])
    with pytest.raises(InvalidInput, match="Attach 1 to 1 files"):
        imports.start_import(session=session, user_id=user_id, files=files)
    assert not files[0].path.parent.exists()


def test_a_queued_job_whose_wake_up_was_lost_is_woken_again(session, user_id) -> None:
    files = _fit_files()
    silent = utcnow() - liveness.STALE_AFTER - timedelta(seconds=1)
    lost = _owned_job(session, user_id, files, status="queued", updated_at=silent)
    fresh = _owned_job(session, user_id, _fit_files(), status="queued")
    imports.recover_imports()
    assert queued("imports.run") == [{"job_id": lost.id}]
    imports.run_import(job_id=lost.id)
    imports.run_import(job_id=lost.id)  # the original wake-up arriving late changes nothing
    session.refresh(lost)
    assert (lost.status, lost.attempts) == ("done", 1) and fresh.status == "queued"
