"""Request dependencies: the DB session, the current user, the client address."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Generic, TypeVar

import anyio.to_thread
from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from cadence.api.middleware import API_PREFIX
from cadence.db import (
    LockBusy,
    connection_turn,
    runs_in_process,
    session_scope,
    write_turn,
)
from cadence.models.user import User
from cadence.services import auth, clients, users
from cadence.services.errors import PermissionDenied

DB_INT_MAX = 2_147_483_647  # ids are INTEGER columns (32-bit on PostgreSQL)
MAX_PAGE = 100_000

# Typed parameters: out-of-range values are a 422, never a database overflow (500).
ResourceId = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="The resource's id.")]
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE, description="1-based page number.")]

T = TypeVar("T")
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


@asynccontextmanager
async def request_turns(*, short_write: bool) -> AsyncIterator[None]:
    """A short write's turn (``db.write_turn``), then a connection's (``db.connection_turn``):
    in that order, so a writer queued for SQLite's lock holds none of the connections."""
    async with AsyncExitStack() as turns:
        if short_write:
            await turns.enter_async_context(write_turn())
        await turns.enter_async_context(connection_turn())
        yield


async def _turns(request: Request) -> AsyncIterator[None]:
    async with request_turns(short_write=takes_write_turn(request)):
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


def _bearer_token(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None:
        raise PermissionDenied("Not authenticated: send 'Authorization: Bearer <token>'.")
    return credentials.credentials


def get_current_user(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    user = auth.user_for_token(session=session, token=_bearer_token(credentials))
    if users.touch_last_active(session=session, user=user):
        _commit_bookkeeping(session)
    return user


def _commit_bookkeeping(session: Session) -> None:
    """Commit "last active" at once, in a short write of its own (never keep the write lock for
    the whole request); a busy database must not fail the request for bookkeeping."""
    try:
        session.commit()
    except OperationalError:
        session.rollback()


CurrentUser = Annotated[User, Depends(get_current_user)]


@dataclass(frozen=True)
class _Done(Generic[T]):
    value: T
    activity_due: bool


def _unit(
    claims: auth.TokenClaims, work: Callable[[Session, User], T], *, on_loop: bool = False
) -> _Done[T]:
    with session_scope(wait_for_locks=not on_loop) as session:
        user = auth.user_for_claims(session=session, claims=claims)
        due = users.activity_due(user=user)
        return _Done(work(session, user), due)


def _record_activity(claims: auth.TokenClaims) -> None:
    with session_scope() as session:
        user = auth.user_for_claims(session=session, claims=claims)
        if users.touch_last_active(session=session, user=user):
            _commit_bookkeeping(session)


@dataclass(frozen=True)
class Caller:
    """An authenticated request whose database work is one unit (``run``): the hot routes'
    alternative to ``CurrentUser`` + ``SessionDep``, which cost four thread-pool hops a request
    (the session's entry and exit, the user check, the handler) and hold a short write's turn
    across all of them (docs/benchmarks.md, issue 15)."""

    claims: auth.TokenClaims
    short_write: bool

    async def run(self, work: Callable[[Session, User], T]) -> T:
        """``work(session, user)`` in one transaction that checks the token's user row first and
        commits before this returns, inside the request's turns.

        On SQLite it runs right here on the event loop (``db.runs_in_process``): no thread-pool
        hop, and no wait for the interpreter lock behind the loop. It must never wait there for
        SQLite's write lock (its holder may need the loop to commit), so it does not: if the
        lock is taken it has saved nothing (``db.LockBusy``) and runs again in a worker thread,
        which waits. On PostgreSQL it runs in one worker thread. "Last active", when due, is
        recorded afterwards (in a thread, within the same turns) in a short transaction of its
        own."""
        async with request_turns(short_write=self.short_write):
            done = None
            if runs_in_process():
                with contextlib.suppress(LockBusy):
                    done = _unit(self.claims, work, on_loop=True)
            if done is None:
                done = await anyio.to_thread.run_sync(partial(_unit, self.claims, work))
            if done.activity_due:
                await anyio.to_thread.run_sync(partial(_record_activity, self.claims))
        return done.value


async def get_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    """The token's signature and expiry are checked here, before the body is validated (a
    missing or forged token is a 401 whatever the body); the user row is read in ``run``."""
    claims = auth.token_claims(token=_bearer_token(credentials))
    return Caller(claims=claims, short_write=takes_write_turn(request))


CallerDep = Annotated[Caller, Depends(get_caller)]


def client_address(request: Request) -> str:
    peer = request.client.host if request.client else "unknown"
    return clients.client_address(peer=peer, forwarded_for=request.headers.get("x-forwarded-for"))


ClientAddress = Annotated[str, Depends(client_address)]
