"""File import jobs: stage uploads on disk, run them on the task queue, report progress.

Flow: the caller streams each uploaded file into ``stage_files`` (a folder of its own under
``<data>/uploads``, copied in 1 MiB chunks, so a 500 MB upload never sits in memory; a failed copy,
a full disk included, removes the folder), then ``start_import`` records an ``ImportJob`` that owns
the folder (committed at once) and enqueues ``run_import``. A worker claims the job (one import
at a time per user), gives every file to the first matching importer of ``registry.importers`` in
its own transaction (a file that fails is rolled back alone and reported in ``errors``), then
deletes the folder, whatever the ending. ``progress`` (0-1) is the share of uploaded bytes read so
far (bytes actually read, so a zip's central directory at the end does not count as done),
saved at most twice a second. A dry run parses everything, stores nothing, and returns a preview.

A job interrupted by a crash is found by ``recover_imports`` when a worker starts (and every
minute): it is queued again once (imports are idempotent), or failed in words after
``MAX_ATTEMPTS``; upload folders that no job owns any more are deleted.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import and_, exists, or_, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from cadence.config import get_settings
from cadence.db import session_scope
from cadence.models.common import as_utc, utcnow
from cadence.models.imports import ImportJob, ImportJobPublic
from cadence.models.preferences import WeightUnit
from cadence.queue import background_task
from cadence.services import liveness, recompute
from cadence.services.errors import InvalidInput, NotFound, ServiceUnavailable
from cadence.services.importers import registry
from cadence.services.importers.base import ImportOptions, ImportResult
from cadence.services.importers.registry import DEFAULT_OPTIONS

logger = logging.getLogger(__name__)

CHUNK_BYTES = 1024 * 1024
HEAD_BYTES = 4096
MAX_FILES = 200
PROGRESS_INTERVAL_S = 0.5
IMPORTED_KINDS = ("activities", "daily_metrics", "workouts", "duplicates")
FINAL_STATUSES = ("done", "partial", "failed")
MAX_ATTEMPTS = 2  # the first run and one retry after a crash
BUSY_RETRY_S = 2.0  # another import of the same user is running: look again after this
ORPHAN_AFTER = timedelta(hours=6)  # an unowned folder of a live or unknown process
UPLOADS_DIRNAME = "uploads"
RETRIED = "The import was interrupted (the server stopped) and was started again."
GAVE_UP = (
    "The import was interrupted (the server stopped) {attempts} times and was given up; what "
    "was saved is kept. Upload the files again to import the rest."
)
FILES_GONE = "The uploaded files are no longer on the server; upload them again."


@dataclass(frozen=True)
class StagedFile:
    filename: str
    path: Path
    size: int


def uploads_root() -> Path:
    return get_settings().data_dir / UPLOADS_DIRNAME


def stage_files(*, uploads: list[tuple[str, BinaryIO]]) -> list[StagedFile]:
    """Copy uploads to private files in a new folder under the data dir (on disk, not in a
    RAM-backed /tmp), 1 MiB at a time. Any failure (a full disk, a cap exceeded while copying)
    removes the whole folder before it propagates."""
    root = uploads_root()
    root.mkdir(parents=True, exist_ok=True)
    owner = liveness.current_owner().replace(":", "~")
    directory = Path(tempfile.mkdtemp(prefix=f"{owner}~", dir=root))
    try:
        staged = []
        for index, (filename, stream) in enumerate(uploads):
            name = Path(filename or "upload").name or "upload"
            path = directory / f"{index:03d}-{name}"
            with path.open("wb") as target:
                shutil.copyfileobj(stream, target, CHUNK_BYTES)
            staged.append(StagedFile(filename=name, path=path, size=path.stat().st_size))
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return staged


def start_import(
    *,
    session: Session,
    user_id: int,
    files: list[StagedFile],
    dry_run: bool = False,
    options: ImportOptions = DEFAULT_OPTIONS,
) -> ImportJob:
    """Record a queued job that owns ``files`` and enqueue it, or run it right away for a dry
    run. Commits ``session`` so the worker (its own session) sees the job. When the queue cannot
    be reached the job is failed in words, the files are deleted and ``ServiceUnavailable``
    raised."""
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
        staging_dir=files[0].path.parent.name,
        weight_unit=options.weight_unit,
    )
    session.add(job)
    try:
        session.commit()
    except BaseException:
        discard(files)
        raise
    job_id = job.id
    assert job_id is not None
    if dry_run:
        run_import(job_id=job_id)
        session.refresh(job)
        return job
    try:
        run_import.enqueue(job_id=job_id)
    except ServiceUnavailable as exc:
        _fail(job_id, exc.message)
        raise
    return job


def get_job(*, session: Session, user_id: int, job_id: int) -> ImportJob:
    """The user's job (another user's is ``NotFound``)."""
    job = session.get(ImportJob, job_id)
    if job is None or job.user_id != user_id:
        raise NotFound("Import not found.")
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


@background_task(name="imports.run")
def run_import(*, job_id: int) -> None:
    """Claim the job and import its files, then delete them; never raises (errors land on the
    job). A job already claimed (a duplicate wake-up) is left alone; while another import of
    the same user runs, this one waits in the queue."""
    claim = _claim(job_id)
    if claim is BUSY:
        run_import.enqueue(job_id=job_id, delay_s=BUSY_RETRY_S)
        return
    if not isinstance(claim, _Claimed):
        return
    user_id, dry_run, folder = claim.user_id, claim.dry_run, claim.folder
    options = ImportOptions(weight_unit=claim.weight_unit)
    files = _staged_in(folder)
    total = ImportResult()
    try:
        if not files:
            total.errors.append(FILES_GONE)
        else:
            with _heartbeat(job_id):
                progress = _ProgressTracker(job_id, sum(f.size for f in files))
                for staged in files:
                    total.merge(
                        _import_file(
                            staged,
                            user_id=user_id,
                            dry_run=dry_run,
                            progress=progress,
                            options=options,
                        )
                    )
                    progress.file_done(staged.size)
                    total.add("files")
    except Exception:
        logger.exception("import %s crashed", job_id)
        total.errors.append("The import stopped on an internal error; what was saved is kept.")
    finally:
        try:
            _finish(job_id, total, user_id=user_id, dry_run=dry_run)
        except SQLAlchemyError:  # the job has not ended: recovery retries it, files and all
            logger.exception("import %s could not record its outcome", job_id)
        else:
            _remove_folder(folder)


@dataclass(frozen=True)
class _Claimed:
    user_id: int
    dry_run: bool
    folder: str | None
    weight_unit: WeightUnit | None


BUSY = "busy"


def _claim(job_id: int) -> _Claimed | str | None:
    """``queued`` -> ``running`` for this process, unless another import of the same user is
    running (``BUSY``); None when the job is not queued (already claimed, or gone)."""
    now = utcnow()
    with session_scope() as session:
        job = session.get(ImportJob, job_id)
        if job is None or job.status != "queued":
            return None
        other = aliased(ImportJob)
        running_elsewhere = exists().where(
            and_(
                other.user_id == job.user_id,
                other.status == "running",
                other.id != job_id,
                other.dry_run.is_(False),
            )
        )
        claimed = session.exec(
            update(ImportJob)
            .where(col(ImportJob.id) == job_id, col(ImportJob.status) == "queued")
            .where(or_(col(ImportJob.dry_run), ~running_elsewhere))
            .values(
                status="running",
                worker_id=liveness.current_owner(),
                heartbeat_at=now,
                attempts=ImportJob.attempts + 1,
                updated_at=now,
            )
        )
        if claimed.rowcount != 1:
            session.rollback()
            return BUSY if session.get(ImportJob, job_id).status == "queued" else None
        return _Claimed(
            user_id=job.user_id,
            dry_run=job.dry_run,
            folder=job.staging_dir,
            weight_unit="lb" if job.weight_unit == "lb" else "kg" if job.weight_unit else None,
        )


@contextmanager
def _heartbeat(job_id: int) -> Iterator[None]:
    """Tell others every ``HEARTBEAT_SECONDS`` that this job's process is alive."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(liveness.HEARTBEAT_SECONDS):
            with suppress(SQLAlchemyError):
                _update(job_id, heartbeat_at=utcnow())

    thread = threading.Thread(target=beat, name=f"import-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def _staged_in(folder: str | None) -> list[StagedFile]:
    """The job's files, in upload order (their names start with the upload index)."""
    if not folder or not (uploads_root() / folder).is_dir():
        return []
    return [
        StagedFile(filename=path.name.split("-", 1)[-1], path=path, size=path.stat().st_size)
        for path in sorted((uploads_root() / folder).iterdir())
        if path.is_file()
    ]


def _remove_folder(folder: str | None) -> None:
    if folder:
        shutil.rmtree(uploads_root() / folder, ignore_errors=True)


def _fail(job_id: int, message: str) -> None:
    """End a job as failed with ``message`` and delete its files."""
    with session_scope() as session:
        job = session.get(ImportJob, job_id)
        if job is None:
            return
        job.status, job.errors, job.updated_at = "failed", [*job.errors, message], utcnow()
        folder = job.staging_dir
        session.add(job)
    _remove_folder(folder)


@background_task(name="imports.recover", every_minutes=1, at_worker_start=True)
def recover_imports() -> None:
    """Retry or fail jobs whose process died, wake up queued jobs whose wake-up was lost, and
    delete upload folders nobody owns."""
    now = utcnow()
    with session_scope() as session:
        unfinished = session.exec(
            select(ImportJob).where(col(ImportJob.status).in_(("queued", "running")))
        ).all()
        owned = {job.staging_dir for job in unfinished if job.staging_dir}
    for job in unfinished:
        if job.status == "running" and _abandoned(job, now=now):
            _retry_or_give_up(job)
        elif job.status == "queued" and now - as_utc(job.updated_at) > liveness.STALE_AFTER:
            with suppress(ServiceUnavailable):
                run_import.enqueue(job_id=job.id)  # a duplicate wake-up is ignored by _claim
    _sweep_orphans(owned, now=now)


def _abandoned(job: ImportJob, *, now) -> bool:
    silent_since = as_utc(job.heartbeat_at or job.updated_at)
    return liveness.is_dead(job.worker_id) or now - silent_since > liveness.STALE_AFTER


def _retry_or_give_up(job: ImportJob) -> None:
    retry = job.attempts < MAX_ATTEMPTS and bool(_staged_in(job.staging_dir))
    values = (
        {"status": "queued", "progress": 0.0, "errors": [RETRIED]}
        if retry
        else {"status": "failed", "errors": [*job.errors, GAVE_UP.format(attempts=job.attempts)]}
    )
    with session_scope() as session:
        taken = session.exec(
            update(ImportJob)
            .where(col(ImportJob.id) == job.id, col(ImportJob.worker_id) == job.worker_id)
            .where(col(ImportJob.status) == "running")
            .values(worker_id=None, updated_at=utcnow(), **values)
        ).rowcount
    if not taken:
        return  # another worker recovered it first
    logger.warning("import %s was interrupted: %s", job.id, "retried" if retry else "failed")
    if not retry:
        _remove_folder(job.staging_dir)
        return
    try:
        run_import.enqueue(job_id=job.id)
    except ServiceUnavailable as exc:
        _fail(job.id, exc.message)


def _sweep_orphans(owned: set[str], *, now) -> None:
    """Delete folders under uploads/ that no unfinished job owns, once their creator is dead
    (or after ``ORPHAN_AFTER``, for one on another host); a live upload in progress is kept."""
    root = uploads_root()
    if not root.is_dir():
        return
    for folder in root.iterdir():
        if folder.name in owned:
            continue
        creator = folder.name.rsplit("~", 1)[0].replace("~", ":")
        age = now.timestamp() - folder.stat().st_mtime
        if liveness.is_dead(creator) or age > ORPHAN_AFTER.total_seconds():
            logger.warning("removing orphaned upload folder %s", folder.name)
            if folder.is_dir():
                shutil.rmtree(folder, ignore_errors=True)
            else:
                folder.unlink(missing_ok=True)


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


def _finish(job_id: int, total: ImportResult, *, user_id: int, dry_run: bool) -> None:
    imported = sum(total.counts.get(kind, 0) for kind in IMPORTED_KINDS)
    if not total.errors:
        status = "done"
    elif imported:
        status = "partial"
    else:
        status = "failed"
    errors = list(total.errors)
    if total.dropped_errors:
        errors.append(f"… and {total.dropped_errors} more errors.")
    _update(
        job_id,
        status=status,
        progress=1.0,
        counts=total.counts,
        errors=errors,
        preview=list(total.preview),
    )
    if imported and not dry_run:
        with suppress(ServiceUnavailable):  # a convenience: the next visit computes it anyway
            recompute.after_new_data(user_id=user_id)


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
    """Turns the bytes read of the current file into an overall 0-1 progress (0.99 at most
    until the job has finished)."""

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
            with suppress(SQLAlchemyError):  # progress is a courtesy: never fail the import
                _update(self.job_id, progress=fraction)

    def file_done(self, size: int) -> None:
        self.done += size
        self.at(0)


class _ProgressStream:
    """A file proxy that reports how many bytes were read so far, zip members included (since
    ``zipfile`` reads through it). Bytes read, not the file position: a zip is opened by seeking
    to its central directory at the end, which says nothing about the work done."""

    def __init__(self, raw: BinaryIO, report: Callable[[int], None]) -> None:
        self._raw = raw
        self._report = report
        self._read = 0

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self._count(len(data))
        return data

    def readinto(self, buffer) -> int:
        count = self._raw.readinto(buffer)
        self._count(count or 0)
        return count

    def _count(self, amount: int) -> None:
        self._read += amount
        self._report(self._read)

    def __getattr__(self, name: str):
        return getattr(self._raw, name)
