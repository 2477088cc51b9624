"""The OpenAPI document, completed with the errors every operation can answer.

Routers declare their own error statuses; the app adds what its middleware and handlers produce
for every operation: 400 for an unparseable body and 413 for an oversized one (body operations),
503 when the database is unavailable, and a 422 whose ``detail`` is either FastAPI's field-error
list or a domain rule's message (``InvalidInput`` without a field).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from cadence.api.responses import ErrorDetail

_ERROR_REF = {"$ref": "#/components/schemas/ErrorDetail"}
_BODY_ERRORS = {400: "Malformed request body", 413: "Request body too large"}
_ANY_ERRORS = {503: "The database is busy or unavailable; nothing was saved, retry later"}
_METHODS = {"get", "put", "post", "delete", "patch"}


def install(api: FastAPI) -> None:
    """Make ``api.openapi()`` return the completed document (built once, then cached)."""

    def openapi() -> dict[str, Any]:
        if api.openapi_schema is None:
            complete(FastAPI.openapi(api))
        return api.openapi_schema

    api.openapi = openapi  # type: ignore[method-assign]


def complete(schema: dict[str, Any]) -> None:
    """Add the app-wide error responses to every operation of ``schema`` (in place)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ErrorDetail", ErrorDetail.model_json_schema())
    validation = components.get("HTTPValidationError")
    if validation:
        field_errors = validation["properties"]["detail"]
        validation["properties"]["detail"] = {
            "anyOf": [field_errors, {"type": "string"}],
            "title": "Detail",
        }
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in _METHODS:
                continue
            extra = {**_ANY_ERRORS, **(_BODY_ERRORS if "requestBody" in operation else {})}
            responses = operation.setdefault("responses", {})
            for status, description in extra.items():
                responses.setdefault(
                    str(status),
                    {
                        "description": description,
                        "content": {"application/json": {"schema": _ERROR_REF}},
                    },
                )
