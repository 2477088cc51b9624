"""File uploads and demo data on the Devices page: stage the files, start the import job, poll
its progress until it ends; or fill the account with demo data."""

from __future__ import annotations

import asyncio

import reflex as rx

from cadence.config import get_settings
from cadence.display import plural
from cadence.models.imports import ImportJobPublic
from cadence.services import demo, imports
from cadence.services.errors import DomainError
from cadence.services.importers.base import ImportOptions
from cadence.states.auth import AuthState
from cadence.states.failures import off_thread
from cadence.states.mappings import ExerciseMappingState

POLL_SECONDS = 0.5
FINAL = ("done", "partial", "failed")


def _activity_line(row: dict) -> dict[str, str]:
    """One imported activity for the list under the progress bar."""
    distance = row.get("distance_m")
    minutes = round((row.get("duration_s") or 0) / 60)
    details = [f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"]
    if distance:
        details.append(f"{distance / 1000:.1f} km")
    if row.get("avg_hr"):
        details.append(f"avg HR {round(row['avg_hr'])}")
    return {
        "title": str(row.get("sport", "activity")).replace("_", " ").capitalize(),
        "when": str(row.get("start_time", ""))[:10],
        "details": " · ".join(details),
    }


def _summary(job: ImportJobPublic) -> str:
    counts = job.counts
    parts = [
        plural(counts[kind], singular, many)
        for kind, singular, many in (
            ("activities", "new activity", "new activities"),
            ("daily_metrics", "new day of metrics", "new days of metrics"),
            ("workouts", "new workout", "new workouts"),
            ("duplicates", "already imported", "already imported"),
        )
        if counts.get(kind)
    ]
    return ", ".join(parts) or "Nothing new was found."


class ImportsState(AuthState):
    job_id: int = 0
    status: str = ""
    progress: int = 0
    summary: str = ""
    errors: list[str] = []
    imported: list[dict[str, str]] = []
    upload_error: str = ""
    demo_loading: bool = False
    demo_message: str = ""
    demo_error: str = ""
    weight_unit: str = "mine"
    """The unit of weights in files that do not say theirs: ``mine`` (the user's), kg or lb."""

    @rx.event
    def set_weight_unit(self, value: str):
        self.weight_unit = value if value in ("kg", "lb") else "mine"

    @rx.var
    def importing(self) -> bool:
        return self.status in ("queued", "running")

    def _show(self, job: ImportJobPublic) -> None:
        self.job_id = job.import_id
        self.status = job.status
        self.progress = round(job.progress * 100)
        self.errors = job.errors
        self.imported = [_activity_line(r) for r in job.preview if r.get("kind") == "activity"]
        self.summary = _summary(job) if job.status in FINAL else "Importing…"

    @rx.event
    async def upload(self, files: list[rx.UploadFile]):
        """Copy the uploaded files to disk, start the import job and follow it. ``/_upload``
        has already refused a browser without a valid login and capped the size while
        streaming (``api.middleware.ReflexUploadGuardMiddleware``)."""
        self.upload_error = ""
        self.errors, self.imported = [], []
        if not files:
            self.upload_error = "Choose or drop at least one file first."
            return
        limit = get_settings().max_upload_bytes
        if sum(f.size or 0 for f in files) > limit:
            self.upload_error = f"These files are larger than the {limit // 1_048_576} MB limit."
            return
        self.status, self.progress, self.summary = "queued", 0, "Uploading…"
        yield
        try:
            await self.as_user(lambda _session, _user: None)  # signed in: nothing is copied else
            staged = await off_thread(
                imports.stage_files, uploads=[(f.filename or "upload", f.file) for f in files]
            )
        except DomainError as exc:  # signed out, or the disk is full: nothing was staged
            self.status, self.summary, self.upload_error = "", "", exc.message
            return
        options = ImportOptions(
            weight_unit=self.weight_unit if self.weight_unit != "mine" else None
        )
        try:
            job = await self.as_user(
                lambda session, user: imports.to_public(
                    imports.start_import(
                        session=session, user_id=user.id, files=staged, options=options
                    )
                )
            )
        except DomainError as exc:
            imports.discard(staged)  # e.g. the session expired: nothing will read these copies
            self.status, self.summary, self.upload_error = "", "", exc.message
            return
        self._show(job)
        yield rx.clear_selected_files("health_files")
        yield ImportsState.follow

    @rx.event(background=True)
    async def follow(self):
        """Poll the job every half second until it reaches a final status; after one that
        brought workouts, load the exercise names to match."""
        while True:
            await asyncio.sleep(POLL_SECONDS)
            async with self:
                job_id = self.job_id
            try:
                job = await self.as_user(
                    lambda session, user, job_id=job_id: imports.to_public(
                        imports.get_job(session=session, user_id=user.id, job_id=job_id)
                    )
                )
            except DomainError as exc:
                async with self:
                    self.status, self.upload_error = "", exc.message
                return
            async with self:
                if self.job_id != job_id:
                    return  # a newer upload is being followed
                self._show(job)
            if job.status in FINAL:
                break
        if job.counts.get("workouts"):
            # the imported exercise names with a catalogue match, to confirm on the result
            yield ExerciseMappingState.load

    @rx.event
    async def load_demo(self):
        """Fill the account with 90 days of demo metrics, activities and workouts."""
        self.demo_loading, self.demo_message, self.demo_error = True, "", ""
        yield
        try:
            counts = await self.as_user(
                lambda session, user: demo.generate_demo_data(session=session, user_id=user.id)
            )
        except DomainError as exc:
            self.demo_error = exc.message
        else:
            self.demo_message = (
                f"Demo data ready: {plural(counts['daily_metrics'], 'day')} of metrics, "
                f"{plural(counts['activities'], 'activity', 'activities')} and "
                f"{plural(counts['workouts'], 'workout')} added."
                if any(counts.values())
                else "Demo data was already loaded for today."
            )
        finally:
            self.demo_loading = False
