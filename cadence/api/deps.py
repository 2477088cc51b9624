"""Request dependencies: the DB session, the current user, the client address."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from cadence.db import session_scope
from cadence.models.user import User
from cadence.services import auth, clients, users
from cadence.services.errors import PermissionDenied

DB_INT_MAX = 2_147_483_647  # ids are INTEGER columns (32-bit on PostgreSQL)
MAX_PAGE = 100_000

# Typed parameters: out-of-range values are a 422, never a database overflow (500).
ResourceId = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="The resource's id.")]
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE, description="1-based page number.")]

_bearer = HTTPBearer(auto_error=False, description="The `token` returned by signup or login.")


def get_session() -> Iterator[Session]:
    """One transaction per request, committed before the response is sent."""
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
