"""Shared OpenAPI response declarations for error statuses."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ErrorDetail(BaseModel):
    """Every error: ``{"detail": "..."}`` (422 carries FastAPI's list of field errors)."""

    detail: str


_DESCRIPTIONS = {
    400: "Bad request",
    401: "Missing, invalid or expired token, or wrong credentials",
    404: "Not found (or owned by another user)",
    409: "Conflict with existing data",
    413: "Request body too large",
    429: "Too many attempts; see the Retry-After header",
    503: "A dependency is unavailable; retry later",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries for the given error statuses (422 is FastAPI's own)."""
    return {
        code: {"model": ErrorDetail, "description": _DESCRIPTIONS[code]}
        for code in statuses
        if code != 422
    }
