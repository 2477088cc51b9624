"""Request dependencies: the DB session, the current user, the client address."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from cadence.api.middleware import API_PREFIX
from cadence.db import connection_turn, session_scope, write_turn
from cadence.models.user import User
from cadence.services import auth, clients, users
from cadence.services.errors import PermissionDenied

DB_INT_MAX = 2_147_483_647  # ids are INTEGER columns (32-bit on PostgreSQL)
MAX_PAGE = 100_000

# Typed parameters: out-of-range values are a 422, never a database overflow (500).
ResourceId = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="The resource's id.")]
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE, description="1-based page number.")]

_bearer = HTTPBearer(auto_error=False, description="The `token` returned by signup or login.")


_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Writes that last (a chat's stream, an upload, a provider's round trips, a bcrypt hash) would
# hold every short write's turn: they keep SQLite's own busy wait instead. (MCP has no SessionDep.)
_LONG_WRITES = tuple(
    f"{API_PREFIX}{prefix}/" for prefix in ("/auth", "/chat", "/imports", "/devices")
)


def takes_write_turn(request: Request) -> bool:
    """Whether the request waits for ``db.write_turn`` (a short write), not a read or a long one."""
    path = f"{request.url.path.rstrip('/')}/"
    return request.method not in _READ_METHODS and not path.startswith(_LONG_WRITES)


async def _turns(request: Request) -> AsyncIterator[None]:
    """A short write's turn (``db.write_turn``), then a connection's (``db.connection_turn``):
    in that order, so a writer queued for SQLite's lock holds none of the connections."""
    async with AsyncExitStack() as turns:
        if takes_write_turn(request):
            await turns.enter_async_context(write_turn())
        await turns.enter_async_context(connection_turn())
        yield


def get_session(
    _turn: Annotated[None, Depends(_turns, scope="function")],
) -> Iterator[Session]:
    """One transaction per request, committed before the response is sent.

    The request waits for its turns first, on the event loop, and gives them back after the
    commit: dependencies exit in the reverse order of entry.
    """
    with session_scope() as session:
        yield session


# scope="function": the commit runs when the handler returns, BEFORE the response starts, so a
# failed commit (locked, gone, disk full) becomes a 503 instead of an acknowledged lost write.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_current_user(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    if credentials is None:
        raise PermissionDenied("Not authenticated: send 'Authorization: Bearer <token>'.")
    user = auth.user_for_token(session=session, token=credentials.credentials)
    if users.touch_last_active(session=session, user=user):
        try:  # a short write of its own: never keep the write lock for the whole request
            session.commit()
        except OperationalError:  # bookkeeping only: a busy database must not fail the request
            session.rollback()
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def client_address(request: Request) -> str:
    peer = request.client.host if request.client else "unknown"
    return clients.client_address(peer=peer, forwarded_for=request.headers.get("x-forwarded-for"))


ClientAddress = Annotated[str, Depends(client_address)]
