"""The import job runner: progress saved as bytes are read (throttled), final statuses, a job
left behind by a dead process, and staging that copies uploads to disk."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from cadence.models.common import utcnow
from cadence.models.imports import ImportJob
from cadence.models.user import User
from cadence.services import imports
from cadence.services.errors import InvalidInput, NotFound

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


def test_run_job_reads_through_the_progress_stream(session, user_id) -> None:
    names = ("garmin-fenix-5-run.fit", "12129115726_ACTIVITY.fit")
    files = imports.stage_files(
        uploads=[(name, io.BytesIO((FIT / name).read_bytes())) for name in names]
    )
    job = _job(session, user_id, total_bytes=sum(f.size for f in files))
    imports.run_job(job_id=job.id, user_id=user_id, files=files, dry_run=False)
    session.refresh(job)
    assert (job.status, job.progress, job.errors) == ("done", 1.0, [])
    assert job.counts == {"activities": 2, "duplicates": 0, "files": 2}
    assert not files[0].path.parent.exists()  # staged copies are deleted afterwards


def test_nothing_importable_is_failed(session, user_id) -> None:
    files = imports.stage_files(uploads=[("empty.gpx", io.BytesIO(b"<gpx></gpx>"))])
    job = _job(session, user_id)
    imports.run_job(job_id=job.id, user_id=user_id, files=files, dry_run=False)
    session.refresh(job)
    assert job.status == "failed" and job.errors[0].startswith("empty.gpx: no track point")


def test_a_job_orphaned_by_a_restart_is_reported_failed(session, user_id) -> None:
    job = _job(session, user_id, status="running", updated_at=utcnow() - timedelta(hours=1))
    fresh = _job(session, user_id, status="running")
    assert imports.get_job(session=session, user_id=user_id, job_id=job.id).status == "failed"
    assert "interrupted" in job.errors[-1]
    assert imports.get_job(session=session, user_id=user_id, job_id=fresh.id).status == "running"
    with pytest.raises(NotFound):
        imports.get_job(session=session, user_id=user_id + 1, job_id=job.id)


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
