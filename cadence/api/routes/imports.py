"""``/imports``: upload activity/health files (or a zip of them) and follow the import job."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile, status

from cadence.api.deps import CurrentUser, ResourceId, SessionDep
from cadence.api.responses import error_responses
from cadence.models.imports import ImportJobPublic
from cadence.models.preferences import WeightUnit
from cadence.services import imports
from cadence.services.importers.base import ImportOptions
from cadence.services.importers.registry import SUPPORTED_FORMATS

router = APIRouter(prefix="/imports", tags=["imports"])


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ImportJobPublic,
    responses=error_responses(401, 413, 422),
)
def create_import(
    user: CurrentUser,
    session: SessionDep,
    file: Annotated[list[UploadFile], File(description=f"One or more files: {SUPPORTED_FORMATS}")],
    dry_run: Annotated[
        bool, Query(description="Parse and preview only; nothing is stored")
    ] = False,
    weight_unit: Annotated[
        WeightUnit | None,
        Query(
            description="The unit of weights in files that do not say theirs (older Strong "
            "exports); default: your weight unit. A dry run's preview says which was assumed "
            "(weight_unit_assumed)."
        ),
    ] = None,
) -> ImportJobPublic:
    """Queue an import and answer at once; poll ``GET /imports/{id}`` for progress. A dry run
    completes before answering and carries a ``preview`` of the rows it would add."""
    staged = imports.stage_files(uploads=[(f.filename or "upload", f.file) for f in file])
    job = imports.start_import(
        session=session,
        user_id=user.id,
        files=staged,
        dry_run=dry_run,
        options=ImportOptions(weight_unit=weight_unit),
    )
    return imports.to_public(job)


@router.get("/{import_id}", response_model=ImportJobPublic, responses=error_responses(401, 404))
def get_import(import_id: ResourceId, user: CurrentUser, session: SessionDep) -> ImportJobPublic:
    """Status, progress (0-1), counts and per-file errors of one of your imports."""
    return imports.to_public(imports.get_job(session=session, user_id=user.id, job_id=import_id))
