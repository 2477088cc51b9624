"""Database engine and sessions: SQLite (WAL, foreign keys) by default, PostgreSQL by URL."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from functools import lru_cache, partial
from pathlib import Path
from weakref import WeakKeyDictionary

import psycopg
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import QueuePool
from sqlmodel import Session, create_engine

from cadence.config import PRIVATE_FILE_MODE, ensure_data_dir, get_settings, make_private
from cadence.services import data_version
from cadence.services.errors import ServiceUnavailable
from cadence.services.failures import (
    COMMIT_OUTCOME_UNKNOWN,
    DATABASE_UNAVAILABLE,
    CommitOutcomeUnknown,
)

data_version.track()  # every session moves the versions of the users whose rows it writes


SQLITE_POOL = {"pool_size": 20, "max_overflow": 20}
"""As many connections as the server has request threads (anyio's 40): SQLite's are cheap."""


def pool_capacity() -> int:
    """How many connections the engine's pool lends at once (``pool_size`` + overflow)."""
    engine = get_engine()
    if not isinstance(engine.pool, QueuePool):
        return 1  # an in-memory SQLite database: one shared connection
    if engine.dialect.name == "sqlite":
        return SQLITE_POOL["pool_size"] + SQLITE_POOL["max_overflow"]
    settings = get_settings()
    return settings.database_pool_size + settings.database_max_overflow


def make_engine(url: str) -> Engine:
    """Create an engine for ``url``; every wait for the database is bounded.

    SQLite gets WAL, foreign keys and a busy timeout. PostgreSQL gets a connect timeout, server
    side ``lock_timeout``/``statement_timeout``/``idle_in_transaction_session_timeout``, and a
    client-side deadline on every round trip (``DeadlineConnection``) for a server that stops
    answering altogether. Both fail a pool checkout after ``database_pool_timeout_seconds``.
    """
    settings = get_settings()
    lock_timeout_ms = settings.database_lock_timeout_ms
    pool_timeout = settings.database_pool_timeout_seconds
    if url.startswith("sqlite"):
        database = url.split("///", 1)[-1]
        pool: dict[str, int] = {}
        if database and database != ":memory:":
            _private_sqlite_files(Path(database))
            pool = SQLITE_POOL
        engine = create_engine(
            url, connect_args={"check_same_thread": False}, pool_timeout=pool_timeout, **pool
        )
        event.listen(engine, "connect", partial(_configure_sqlite_connection, lock_timeout_ms))
        event.listen(engine.pool, "checkin", partial(_restore_lock_wait, lock_timeout_ms))
        return engine
    statement_ms = settings.database_statement_timeout_ms
    options = (
        f"-c lock_timeout={lock_timeout_ms} -c statement_timeout={statement_ms} "
        f"-c idle_in_transaction_session_timeout={max(statement_ms * 4, 60_000)}"
    )
    engine = create_engine(
        url,
        pool_pre_ping=True,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        pool_timeout=pool_timeout,
        connect_args={
            "options": options,
            "connect_timeout": settings.database_connect_timeout_seconds,
        },
    )
    deadline_s = statement_ms / 1000 + CLIENT_DEADLINE_MARGIN_S
    event.listen(engine, "do_connect", partial(_connect_with_deadline, deadline_s))
    return engine


CLIENT_DEADLINE_MARGIN_S = 2.0  # the server's statement_timeout normally answers first


class DeadlineConnection(psycopg.Connection):
    """A psycopg connection whose every round trip gives up after ``deadline_s``.

    PostgreSQL's own timeouts need a server that answers; behind a network black hole the
    client would wait for ever. On expiry the connection is closed (so the pool discards it and
    the server rolls back whatever was open) and ``OperationalError`` raised: a 503.
    """

    deadline_s: float = 30.0

    def wait(self, gen, interval=0.1, timeout=None):
        try:
            return super().wait(gen, interval=interval, timeout=timeout or self.deadline_s)
        except psycopg.errors._WaitTimeout as exc:
            self.close()
            raise psycopg.OperationalError(
                f"the database did not answer within {self.deadline_s:.0f} s"
            ) from exc


def _connect_with_deadline(deadline_s: float, _dialect, _record, cargs, cparams):
    connection = DeadlineConnection.connect(*cargs, **cparams)
    connection.deadline_s = deadline_s
    return connection


def _private_sqlite_files(database: Path) -> None:
    """Create the database file mode 0600 before SQLite does (its -wal and -shm files take the
    same mode), and narrow existing ones, so no other local user can read it."""
    database.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(database, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE))
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        if path.exists():
            make_private(path, PRIVATE_FILE_MODE)


def _configure_sqlite_connection(lock_timeout_ms: int, dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={lock_timeout_ms}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # 256 KiB of page cache per connection (SQLite's default: 2 000). In WAL mode a commit by
    # one connection empties every other's cache at its next read, so while workouts are being
    # logged a big cache is refilled (4 KiB mallocs by whichever request thread) more than it
    # is reused, and that churn fragmented the heap (docs/benchmarks.md, "Memory and restart").
    cursor.execute("PRAGMA cache_size=-256")
    cursor.close()


@lru_cache
def get_engine() -> Engine:
    """The process-wide engine for the configured database; the data dir is made private (0700)
    first, since the database, the secret key and staged uploads live there."""
    settings = get_settings()
    ensure_data_dir(settings.data_dir)
    return make_engine(settings.resolved_database_url)


def runs_in_process() -> bool:
    """Whether the database runs inside this process (SQLite): a read is then a few C calls
    that never wait for another connection (WAL), not a network round trip, so handing it to a
    worker thread and back costs more than running it where the request is."""
    return get_engine().dialect.name == "sqlite"


_WAITS_FOR_LOCKS = "cadence.waits_for_locks"


class LockBusy(Exception):
    """SQLite's write lock was held by another connection and the session chose not to wait."""


def _fail_fast_on_locks(session: Session) -> None:
    """SQLite only: this session's statements fail at once (``LockBusy``) instead of waiting
    for another connection's write lock; the connection gets its busy timeout back when it
    returns to the pool (``_restore_lock_wait``)."""
    connection = session.connection()
    connection.exec_driver_sql("PRAGMA busy_timeout=0")
    connection.connection.info[_WAITS_FOR_LOCKS] = False


def _restore_lock_wait(lock_timeout_ms: int, dbapi_connection, record) -> None:
    if record.info.pop(_WAITS_FOR_LOCKS, True) is False:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={lock_timeout_ms}")
        cursor.close()


def _is_lock_busy(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", None)
    return isinstance(orig, sqlite3.OperationalError) and orig.sqlite_errorcode in (
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
    )


@contextmanager
def session_scope(*, wait_for_locks: bool = True) -> Iterator[Session]:
    """A session that commits on success and rolls back on error.

    The pending writes are flushed first, so any failure up to there certainly saved nothing.
    If the connection is lost during the COMMIT itself (the server may have committed and the
    answer been lost), ``CommitOutcomeUnknown`` says so in words instead of "nothing was saved".

    On SQLite, reads run outside a transaction and the sqlite3 module opens one right before
    the first write, which holds the database's single write lock until the commit: keep the
    work between a write and the commit short (see ``deps.get_current_user``). With
    ``wait_for_locks=False`` (SQLite) a write that finds the lock taken raises ``LockBusy``
    after the rollback, having saved nothing, instead of waiting up to the busy timeout: for
    work on the event loop, which must never block there (``deps.Caller``).
    """
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            if not wait_for_locks:
                _fail_fast_on_locks(session)
            yield session
            session.flush()
        except BaseException as exc:
            session.rollback()
            if not wait_for_locks and _is_lock_busy(exc):
                raise LockBusy() from exc
            raise
        try:
            session.commit()
        except DBAPIError as exc:
            session.rollback()
            if exc.connection_invalidated:
                raise CommitOutcomeUnknown(COMMIT_OUTCOME_UNKNOWN) from exc
            if not wait_for_locks and _is_lock_busy(exc):
                raise LockBusy() from exc
            raise


# One per event loop (and pool size): an asyncio primitive may only be waited on from one loop.
_connection_turns: WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, asyncio.Semaphore]] = (
    WeakKeyDictionary()
)


@asynccontextmanager
async def connection_turn() -> AsyncIterator[None]:
    """At most ``pool_capacity()`` requests of this process hold a session at once, in arrival
    order; the others wait here, on the event loop, holding no request thread.

    A request thread that waited for a pooled connection held one of the server's threads
    meanwhile; with more requests than threads and more threads than connections, waiters took
    every thread while the requests holding the connections needed one to go on: nothing moved
    until the pool timeout. The wait here is bounded the same way
    (``database_pool_timeout_seconds``), then a 503.
    """
    capacity = pool_capacity()
    loop = asyncio.get_running_loop()
    turns = _connection_turns.setdefault(loop, {}).setdefault(capacity, asyncio.Semaphore(capacity))
    async with _hold(turns, timeout_s=get_settings().database_pool_timeout_seconds):
        yield


# One per event loop: an asyncio.Lock may only be waited on from the loop it first waited on.
_write_turns: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = WeakKeyDictionary()


@asynccontextmanager
async def write_turn() -> AsyncIterator[None]:
    """On SQLite, one writing request at a time per process, in arrival order; elsewhere nothing.

    SQLite has one write lock, and a writer that finds it taken polls it with sleeps of up to
    100 ms (its busy handler), so concurrent writers convoy. Waiting here instead queues them on
    the event loop, holding no worker thread (a lock taken in a thread deadlocked once all of
    them waited: the holder then had none left to commit in). The wait is bounded like SQLite's
    own (``database_lock_timeout_ms``), then a 503. PostgreSQL locks rows: no turn is taken.
    """
    if get_engine().dialect.name != "sqlite":
        yield
        return
    lock = _write_turns.setdefault(asyncio.get_running_loop(), asyncio.Lock())
    async with _hold(lock, timeout_s=get_settings().database_lock_timeout_ms / 1000):
        yield


@asynccontextmanager
async def _hold(turn: asyncio.Lock | asyncio.Semaphore, *, timeout_s: float) -> AsyncIterator[None]:
    """Wait at most ``timeout_s`` for ``turn`` (then a 503), hold it for the block."""
    try:
        async with asyncio.timeout(timeout_s):
            await turn.acquire()
    except TimeoutError:
        raise ServiceUnavailable(DATABASE_UNAVAILABLE) from None
    try:
        yield
    finally:
        turn.release()
