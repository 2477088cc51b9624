"""File import jobs: stage uploads on disk, run them in a background thread, report progress.

Flow: the caller streams each uploaded file into ``stage_file`` (a temp file under the data dir,
copied in 1 MiB chunks, so a 500 MB upload never sits in memory), then ``start_import`` records an
``ImportJob`` (committed at once) and hands it to a small thread pool. The runner gives every file
to the first matching importer of ``registry.importers`` in its own transaction: a file that fails
is rolled back alone and reported in ``errors``, the others are kept. ``progress`` (0-1) is the
share of uploaded bytes read so far, saved at most twice a second. A dry run parses everything,
stores nothing, and returns a preview of the rows it would add.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from sqlmodel import Session

from cadence.config import get_settings
from cadence.db import session_scope
from cadence.models.common import as_utc, utcnow
from cadence.models.imports import ImportJob, ImportJobPublic
from cadence.services.errors import InvalidInput, NotFound
from cadence.services.importers import registry
from cadence.services.importers.base import ImportOptions, ImportResult
from cadence.services.importers.common import PREVIEW_ROWS
from cadence.services.importers.registry import DEFAULT_OPTIONS

logger = logging.getLogger(__name__)

CHUNK_BYTES = 1024 * 1024
HEAD_BYTES = 4096
MAX_FILES = 200
MAX_ERRORS = 100
PROGRESS_INTERVAL_S = 0.5
STALE_AFTER = timedelta(minutes=15)
IMPORTED_KINDS = ("activities", "daily_metrics", "workouts", "duplicates")

_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="cadence-import")
_in_flight: set[int] = set()
_in_flight_lock = threading.Lock()


@dataclass(frozen=True)
class StagedFile:
    filename: str
    path: Path
    size: int


def stage_files(*, uploads: list[tuple[str, BinaryIO]]) -> list[StagedFile]:
    """Copy uploads to private temp files in a new folder under the data dir (on disk, not in a
    RAM-backed /tmp), 1 MiB at a time."""
    root = get_settings().data_dir / "uploads"
    root.mkdir(parents=True, exist_ok=True)
    directory = Path(tempfile.mkdtemp(prefix="import-", dir=root))
    staged = []
    for index, (filename, stream) in enumerate(uploads):
        name = Path(filename or "upload").name or "upload"
        path = directory / f"{index:03d}-{name}"
        with path.open("wb") as target:
            shutil.copyfileobj(stream, target, CHUNK_BYTES)
        staged.append(StagedFile(filename=name, path=path, size=path.stat().st_size))
    return staged


def start_import(
    *,
    session: Session,
    user_id: int,
    files: list[StagedFile],
    dry_run: bool = False,
    options: ImportOptions = DEFAULT_OPTIONS,
) -> ImportJob:
    """Record a queued job and run it: in the background, or right away for a dry run.

    Commits ``session`` so the background runner (its own session) sees the job.
    """
    if not files or len(files) > MAX_FILES:
        discard(files)
        raise InvalidInput(
            f"Attach 1 to {MAX_FILES} files in the 'file' field (zip larger sets).", field="file"
        )
    job = ImportJob(
        user_id=user_id,
        dry_run=dry_run,
        filenames=[f.filename for f in files],
        total_bytes=sum(f.size for f in files),
    )
    session.add(job)
    session.commit()
    job_id = job.id
    assert job_id is not None
    with _in_flight_lock:
        _in_flight.add(job_id)
    if dry_run:
        run_job(job_id=job_id, user_id=user_id, files=files, dry_run=True, options=options)
        session.refresh(job)
    else:
        _executor.submit(
            run_job, job_id=job_id, user_id=user_id, files=files, dry_run=False, options=options
        )
    return job


def get_job(*, session: Session, user_id: int, job_id: int) -> ImportJob:
    """The user's job (another user's is ``NotFound``); a job left running by a process that
    died is reported as failed once it has been silent for ``STALE_AFTER``."""
    job = session.get(ImportJob, job_id)
    if job is None or job.user_id != user_id:
        raise NotFound("Import not found.")
    silent = utcnow() - as_utc(job.updated_at) > STALE_AFTER
    if job.status in ("queued", "running") and silent and job_id not in _in_flight:
        job.status = "failed"
        job.errors = [*job.errors, "The import was interrupted (server restart); upload again."]
        job.updated_at = utcnow()
        session.add(job)
        session.flush()
    return job


def to_public(job: ImportJob) -> ImportJobPublic:
    return ImportJobPublic(
        import_id=job.id,
        status=job.status,
        progress=round(job.progress, 3),
        counts=job.counts,
        errors=job.errors,
        preview=job.preview,
    )


def run_job(
    *,
    job_id: int,
    user_id: int,
    files: list[StagedFile],
    dry_run: bool,
    options: ImportOptions = DEFAULT_OPTIONS,
) -> None:
    """Import every staged file, then delete them; never raises (errors land on the job)."""
    total = ImportResult()
    try:
        _update(job_id, status="running")
        progress = _ProgressTracker(job_id, sum(f.size for f in files))
        for staged in files:
            total.merge(
                _import_file(
                    staged, user_id=user_id, dry_run=dry_run, progress=progress, options=options
                )
            )
            progress.file_done(staged.size)
            total.add("files")
    except Exception:
        logger.exception("import %s crashed", job_id)
        total.errors.append("The import stopped on an internal error; what was saved is kept.")
    finally:
        _finish(job_id, total)
        discard(files)
        with _in_flight_lock:
            _in_flight.discard(job_id)


def discard(files: list[StagedFile]) -> None:
    """Delete the staged copies (their whole staging folder)."""
    for folder in {staged.path.parent for staged in files}:
        shutil.rmtree(folder, ignore_errors=True)


def _import_file(
    staged: StagedFile,
    *,
    user_id: int,
    dry_run: bool,
    progress: _ProgressTracker,
    options: ImportOptions,
) -> ImportResult:
    with staged.path.open("rb") as raw:
        head = raw.read(HEAD_BYTES)
        raw.seek(0)
        importer = registry.find_importer(staged.filename, head, options)
        if importer is None:
            return ImportResult(
                errors=[f"{staged.filename}: not a supported file ({registry.SUPPORTED_FORMATS})."]
            )
        stream = _ProgressStream(raw, progress.at)
        try:
            with session_scope() as session:
                return importer.run(
                    session=session,
                    user_id=user_id,
                    filename=staged.filename,
                    stream=stream,
                    dry_run=dry_run,
                )
        except Exception:
            logger.exception("importer %s failed on %s", importer.kind, staged.filename)
            return ImportResult(
                errors=[f"{staged.filename}: could not be imported (unexpected error); skipped."]
            )


def _finish(job_id: int, total: ImportResult) -> None:
    imported = sum(total.counts.get(kind, 0) for kind in IMPORTED_KINDS)
    if not total.errors:
        status = "done"
    elif imported:
        status = "partial"
    else:
        status = "failed"
    errors = total.errors[:MAX_ERRORS]
    if len(total.errors) > MAX_ERRORS:
        errors.append(f"… and {len(total.errors) - MAX_ERRORS} more errors.")
    _update(
        job_id,
        status=status,
        progress=1.0,
        counts=total.counts,
        errors=errors,
        preview=total.preview[:PREVIEW_ROWS],
    )


def _update(job_id: int, **values) -> None:
    with session_scope() as session:
        job = session.get(ImportJob, job_id)
        if job is None:
            return
        for name, value in values.items():
            setattr(job, name, value)
        job.updated_at = utcnow()
        session.add(job)


class _ProgressTracker:
    """Turns the read position inside the current file into an overall 0-1 progress."""

    def __init__(self, job_id: int, total_bytes: int) -> None:
        self.job_id = job_id
        self.total = max(total_bytes, 1)
        self.done = 0
        self.best = 0.0
        self.saved_at = 0.0

    def at(self, position: int) -> None:
        fraction = min((self.done + position) / self.total, 0.99)
        if fraction <= self.best:
            return
        self.best = fraction
        now = time.monotonic()
        if now - self.saved_at >= PROGRESS_INTERVAL_S:
            self.saved_at = now
            _update(self.job_id, progress=fraction)

    def file_done(self, size: int) -> None:
        self.done += size
        self.at(0)


class _ProgressStream:
    """A file proxy that reports its position after every read (zip members included, since
    ``zipfile`` reads through it)."""

    def __init__(self, raw: BinaryIO, report: Callable[[int], None]) -> None:
        self._raw = raw
        self._report = report

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self._report(self._raw.tell())
        return data

    def readinto(self, buffer) -> int:
        count = self._raw.readinto(buffer)
        self._report(self._raw.tell())
        return count

    def __getattr__(self, name: str):
        return getattr(self._raw, name)
