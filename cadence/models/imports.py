"""File import jobs: one row per upload, updated by the background runner as it goes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import JSON, Column, DateTime
from sqlmodel import Field, SQLModel

from cadence.models.common import timestamp_field

ImportStatus = Literal["queued", "running", "done", "partial", "failed"]
"""``done``: every file imported cleanly; ``partial``: something was kept but some files or records
had errors; ``failed``: nothing could be imported."""


class ImportJob(SQLModel, table=True):
    __tablename__ = "import_job"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    status: str = Field(default="queued", max_length=16)
    progress: float = 0.0
    dry_run: bool = False
    filenames: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    total_bytes: int = 0
    counts: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    errors: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    preview: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # The job's own upload folder (a name under <data>/uploads), deleted whatever the ending.
    staging_dir: str | None = Field(default=None, max_length=128)
    # Which process runs it (``liveness`` owner) and when it last said it is alive.
    worker_id: str | None = Field(default=None, max_length=64)
    heartbeat_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    attempts: int = 0
    # The unit of weights in files that do not say theirs (kg|lb), chosen for this import.
    weight_unit: str | None = Field(default=None, max_length=2)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class ImportJobPublic(BaseModel):
    """``POST /imports`` and ``GET /imports/{id}``; ``preview`` is filled on a dry run only."""

    import_id: int
    status: ImportStatus
    progress: float
    counts: dict[str, int]
    errors: list[str]
    preview: list[dict]
