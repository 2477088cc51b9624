"""``/export`` and ``/account``: take all your data out, or erase the account and all of it."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import BinaryIO

from fastapi import APIRouter, Body, Response, status
from fastapi.responses import StreamingResponse

from cadence.api.deps import CurrentUser, SessionDep
from cadence.api.responses import error_responses
from cadence.models.account import AccountDeleteRequest
from cadence.services import account, export

router = APIRouter(tags=["account"])
SPOOL_BYTES = 8 * 1024 * 1024
CHUNK_BYTES = 256 * 1024


def _chunks(handle: BinaryIO) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(CHUNK_BYTES):
            yield chunk


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            "description": "The export archive (see ``cadence/services/export.py`` for its layout)",
        },
        **error_responses(401),
    },
)
def export_data(user: CurrentUser, session: SessionDep) -> StreamingResponse:
    """A zip of everything you own: profile, coaching profile, workouts, metrics, activities,
    devices (no secrets) and conversations, as JSON plus CSVs. Re-import it with
    ``POST /imports``."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - closed by _chunks
    export.write_export(session=session, user=user, out=spool)
    spool.seek(0)
    filename = export.export_filename(user=user)
    return StreamingResponse(
        _chunks(spool),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.delete(
    "/account",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(401, 409, 422),
)
def delete_account(
    user: CurrentUser, session: SessionDep, body: AccountDeleteRequest = Body()
) -> Response:
    """Erase your account and every row you own (password required). Cannot be undone."""
    account.delete_account(session=session, user=user, password=body.password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
