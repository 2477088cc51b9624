"""``create_api()``: the FastAPI app that carries ``/api/v1`` and hosts Reflex's own routes."""

from __future__ import annotations

import logging
import sys
from urllib.parse import urlsplit

import anyio
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from redis.exceptions import RedisError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from cadence import __version__
from cadence.api import logger_page, mcp_http, openapi
from cadence.api.middleware import (
    API_PREFIX,
    BodySizeLimitMiddleware,
    BrowserBoundSessionMiddleware,
    EventOriginMiddleware,
    ReflexUploadGuardMiddleware,
    RejectControlCharactersMiddleware,
    SecurityHeadersMiddleware,
)
from cadence.api.routes import (
    account,
    activities,
    admin,
    analytics,
    auth,
    chat,
    conversations,
    dashboard,
    devices,
    exercises,
    imports,
    llm_settings,
    metrics,
    routines,
    settings,
    workouts,
)
from cadence.config import get_settings, parse_cors_origins
from cadence.db import runs_in_process
from cadence.services import auth as auth_service
from cadence.services import failures
from cadence.services.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServiceUnavailable,
)
from cadence.worker import embedded_worker

logger = logging.getLogger(__name__)

OPENAPI_URL = f"{API_PREFIX}/openapi.json"
DOCS_URL = f"{API_PREFIX}/docs"
ROUTERS: list[APIRouter] = [
    auth.router,
    settings.router,
    workouts.router,
    exercises.router,
    routines.router,
    imports.router,
    metrics.router,
    activities.router,
    devices.router,
    dashboard.router,
    analytics.router,
    chat.router,
    conversations.router,
    llm_settings.router,
    admin.router,
    account.router,
]

_STATUS_FOR_ERROR: dict[type[DomainError], int] = {
    NotFound: 404,
    PermissionDenied: 401,
    Conflict: 409,
    InvalidInput: 422,
    RateLimited: 429,
    ServiceUnavailable: 503,
}


SWITCH_INTERVAL_S = 0.0005
"""On SQLite, how long a thread may keep the interpreter lock while another waits for it
(Python's default is 5 ms). There the event loop runs the hot routes' database work itself
(``deps.Caller``) and granian's threads hand it each request, so a waiter got the lock up to
5 ms late at every hand-over: at 32 users the server spent 6.0 ms of CPU a request with the
default against 5.0 with this, at 173 against 212 requests a second. On PostgreSQL, where that
work runs in worker threads, the short interval cost more switching than it saved (8.9 against
5.9 ms a request): the default is kept (docs/benchmarks.md, issue 15, round five)."""


def create_api() -> FastAPI:
    """Build the API app: routers, error mapping, body caps and security headers. On SQLite
    the process that serves it hands its interpreter lock over sooner (``SWITCH_INTERVAL_S``)."""
    if runs_in_process():
        sys.setswitchinterval(SWITCH_INTERVAL_S)
    settings_ = get_settings()
    api = FastAPI(
        title="Cadence API",
        version=__version__,
        description="Self-hosted AI fitness and health coach. Authenticate with "
        "`POST /api/v1/auth/login` and send `Authorization: Bearer <token>`.",
        openapi_url=OPENAPI_URL,
        docs_url=DOCS_URL,
        redoc_url=None,
        lifespan=embedded_worker,  # served alone (uvicorn, tests); under Reflex see cadence.py
    )
    for router in ROUTERS:
        api.include_router(router, prefix=API_PREFIX)
    mcp_http.mount_http(api, f"{API_PREFIX}/mcp")
    logger_page.install(api)
    # Keep last: anything mounted under /api/v1 must be added before this catch-all.
    api.add_api_route(
        f"{API_PREFIX}/{{path:path}}",
        _unknown_api_path,
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        include_in_schema=False,
    )
    openapi.install(api)
    api.add_exception_handler(DomainError, _domain_error_handler)
    # Database gone, pool exhausted, disk full (also while staging an upload), Redis gone.
    for kind in (OperationalError, PoolTimeout, OSError, RedisError):
        api.add_exception_handler(kind, _infrastructure_error_handler)
    api.add_middleware(RejectControlCharactersMiddleware)
    public = urlsplit(settings_.resolved_public_url)
    public_origin = f"{public.scheme}://{public.netloc}".lower()
    api.add_middleware(
        EventOriginMiddleware,
        allowed=(public_origin, *parse_cors_origins(settings_.cors_origins)),
    )
    api.add_middleware(SecurityHeadersMiddleware, docs_paths=(DOCS_URL, OPENAPI_URL))
    api.add_middleware(BrowserBoundSessionMiddleware, secure=public.scheme == "https")
    api.add_middleware(
        BodySizeLimitMiddleware,
        max_body_bytes=settings_.max_body_bytes,
        max_upload_bytes=settings_.max_upload_bytes,
    )
    api.add_middleware(ReflexUploadGuardMiddleware, authenticate=_signed_in)  # outermost
    return api


async def _signed_in(token: str) -> bool:
    """Whether ``token`` is a valid login (checked like every API request's)."""
    try:
        await anyio.to_thread.run_sync(
            lambda: auth_service.run_as_user(token=token, work=lambda _session, _user: None)
        )
    except PermissionDenied:
        return False
    return True


async def _unknown_api_path(path: str) -> JSONResponse:
    """Unknown ``/api/v1`` paths answer JSON 404 instead of falling through to the web UI."""
    return JSONResponse({"detail": f"No API endpoint at /api/v1/{path}."}, status_code=404)


async def _domain_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    status = next((code for kind, code in _STATUS_FOR_ERROR.items() if isinstance(exc, kind)), 400)
    headers: dict[str, str] = {}
    detail: object = exc.message
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, PermissionDenied):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(exc, InvalidInput) and exc.field:
        detail = [{"loc": ["body", exc.field], "msg": exc.message, "type": exc.code}]
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


async def _infrastructure_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    """Database, disk or Redis failures: 503 in the words ``failures.in_words`` gives them."""
    error = failures.in_words(exc)
    if error is None:  # an OSError that is not a full disk: a bug or a broken host
        logger.exception("unexpected OS error")
        return JSONResponse({"detail": "Internal server error."}, status_code=500)
    full = isinstance(error, failures.StorageFull)
    if full:
        logger.error("storage is full: %s", exc)
    else:
        logger.warning("dependency unavailable: %s: %s", exc.__class__.__name__, exc)
    return JSONResponse(
        {"detail": error.message}, status_code=503, headers={"Retry-After": "60" if full else "5"}
    )
