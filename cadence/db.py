"""Database engine and sessions: SQLite (WAL, foreign keys) by default, PostgreSQL by URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache, partial
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from cadence.config import get_settings


def make_engine(url: str) -> Engine:
    """Create an engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout.

    Both databases wait at most ``database_lock_timeout_ms`` for a lock, so a locked database
    fails the request (503) instead of hanging it.
    """
    lock_timeout_ms = get_settings().database_lock_timeout_ms
    if url.startswith("sqlite"):
        database = url.split("///", 1)[-1]
        pool: dict[str, int] = {}
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
            # As many connections as the server has request threads (anyio's 40): a request
            # never waits for a pooled connection, only for SQLite's write lock.
            pool = {"pool_size": 20, "max_overflow": 20}
        engine = create_engine(url, connect_args={"check_same_thread": False}, **pool)
        event.listen(engine, "connect", partial(_configure_sqlite_connection, lock_timeout_ms))
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=20,
        connect_args={"options": f"-c lock_timeout={lock_timeout_ms}"},
    )


def _configure_sqlite_connection(lock_timeout_ms: int, dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={lock_timeout_ms}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@lru_cache
def get_engine() -> Engine:
    """The process-wide engine for the configured database."""
    return make_engine(get_settings().resolved_database_url)


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session that commits on success and rolls back on error.

    On SQLite, reads run outside a transaction and the sqlite3 module opens one right before
    the first write, which holds the database's single write lock until the commit: keep the
    work between a write and the commit short (see ``deps.get_current_user``).
    """
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
