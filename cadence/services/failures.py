"""Failures that are not the user's doing (database, disk, Redis), in words a user can act on.

Both front doors use ``in_words``: the API answers 503 with the message, the UI's state
handlers show it (``AuthState.as_user`` and the app's backend exception handler). A failure
not listed here is a bug: it stays an exception, logged with its traceback.
"""

from __future__ import annotations

import errno

import redis
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from cadence.services.errors import DomainError, ServiceUnavailable

DATABASE_UNAVAILABLE = (
    "The database is busy or unavailable. Nothing was saved; please try again in a moment."
)
STORAGE_FULL = "The server's storage is full. Nothing was saved; tell the administrator."
REDIS_UNAVAILABLE = (
    "Cadence can't reach Redis (its shared state and task queue) right now. Nothing was saved; "
    "please try again in a moment."
)
COMMIT_OUTCOME_UNKNOWN = (
    "The database stopped answering while this was being saved, so Cadence cannot tell whether "
    "it was. Reload to check before trying again."
)
_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)


class StorageFull(ServiceUnavailable):
    """The disk under the database or the data directory is full."""


class CommitOutcomeUnknown(ServiceUnavailable):
    """The connection was lost during COMMIT: the write may or may not be stored."""


def is_disk_full(exc: BaseException) -> bool:
    """SQLite's SQLITE_FULL, PostgreSQL's disk_full (SQLSTATE 53100), or ENOSPC/EDQUOT."""
    if isinstance(exc, OSError):
        return exc.errno in _FULL_ERRNOS
    cause = getattr(exc, "orig", None)
    return (
        getattr(cause, "sqlite_errorname", None) == "SQLITE_FULL"
        or getattr(cause, "sqlstate", None) == "53100"
    )


def in_words(exc: BaseException) -> DomainError | None:
    """The domain error to show for ``exc``, or None when it is not an infrastructure failure."""
    if isinstance(exc, DomainError):
        return exc
    if is_disk_full(exc):
        return StorageFull(STORAGE_FULL)
    if isinstance(exc, OperationalError | PoolTimeout | DisconnectionError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    ):
        return ServiceUnavailable(DATABASE_UNAVAILABLE)
    if isinstance(exc, redis.RedisError):
        return ServiceUnavailable(REDIS_UNAVAILABLE)
    return None
