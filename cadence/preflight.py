"""``python -m cadence preflight`` (run by ``make run`` and ``make migrate``): wait for what the
server needs, saying what it waits for, and check the PostgreSQL connection budget.

- Redis (when ``CADENCE_REDIS_URL`` or ``REFLEX_REDIS_URL`` is set) and the database are retried
  with exponential backoff (1 s, 2 s, 4 s ... at most 15 s apart) for ``--wait`` seconds
  (default 600) instead of failing at once; each attempt prints one line.
- The budget rule (docs/deploy.md): each app process opens at most
  ``workers x (CADENCE_DATABASE_POOL_SIZE + CADENCE_DATABASE_MAX_OVERFLOW)`` connections, and
  all processes together must stay under PostgreSQL's ``max_connections`` minus its reserved
  ones. The preflight prints this process's share and says so loudly when it does not fit.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis
from sqlalchemy import text
from sqlalchemy.engine import make_url

from cadence.config import get_settings, secret_key
from cadence.db import make_engine

BACKOFF_START_S = 1.0
BACKOFF_MAX_S = 15.0
MAX_BACKEND_WORKERS = 64  # Reflex's own cap on its default worker count


def redis_url() -> str | None:
    """The Redis Cadence uses: ``CADENCE_REDIS_URL``, else Reflex's ``REFLEX_REDIS_URL``."""
    return get_settings().redis_url or os.environ.get("REFLEX_REDIS_URL") or None


def wait_for(what: str, attempt: Callable[[], None], *, wait_s: float) -> bool:
    """Call ``attempt`` until it stops raising, backing off; False once ``wait_s`` is spent."""
    deadline = time.monotonic() + wait_s
    delay = BACKOFF_START_S
    while True:
        try:
            attempt()
            return True
        except Exception as exc:
            left = deadline - time.monotonic()
            if left <= 0:
                print(f"Cadence: gave up waiting for {what}: {_reason(exc)}", file=sys.stderr)
                return False
            pause = min(delay, left)
            print(f"Cadence: waiting for {what} ({_reason(exc)}); next try in {pause:.0f} s")
            time.sleep(pause)
            delay = min(delay * 2, BACKOFF_MAX_S)


def _reason(exc: Exception) -> str:
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200]


def _ping_redis(url: str) -> Callable[[], None]:
    def attempt() -> None:
        client = redis.Redis.from_url(url, socket_timeout=3, socket_connect_timeout=3)
        try:
            client.ping()
        finally:
            client.close()

    return attempt


def _ping_database(url: str) -> Callable[[], None]:
    def attempt() -> None:
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        finally:
            engine.dispose()

    return attempt


@dataclass(frozen=True)
class Budget:
    """This process's share of PostgreSQL's connections."""

    workers: int
    per_worker: int
    max_connections: int
    reserved: int
    in_use: int

    @property
    def per_process(self) -> int:
        return self.workers * self.per_worker

    @property
    def available(self) -> int:
        return self.max_connections - self.reserved

    @property
    def fits(self) -> bool:
        return self.in_use + self.per_process <= self.available

    def describe(self) -> str:
        processes = self.available // max(self.per_process, 1)
        line = (
            f"PostgreSQL allows {self.max_connections} connections ({self.reserved} reserved, "
            f"{self.in_use} in use now); this process may open up to {self.per_process} "
            f"({self.workers} workers x {self.per_worker}), so {processes} such processes fit."
        )
        if self.fits:
            return f"Cadence: {line}"
        return (
            f"Cadence: WARNING: the connection budget does not fit. {line} Lower GRANIAN_WORKERS "
            "or CADENCE_DATABASE_POOL_SIZE / CADENCE_DATABASE_MAX_OVERFLOW, raise max_connections, "
            "or put PgBouncer in front (docs/deploy.md)."
        )


def default_workers(*, with_redis: bool) -> int:
    """Reflex's worker count: ``GRANIAN_WORKERS``, else 2 x CPUs + 1 with Redis, else 1."""
    if os.environ.get("GRANIAN_WORKERS", "").isdigit():
        return int(os.environ["GRANIAN_WORKERS"])
    if not with_redis:
        return 1
    return min((os.cpu_count() or 1) * 2 + 1, MAX_BACKEND_WORKERS)


def connection_budget(url: str, *, workers: int) -> Budget:
    settings = get_settings()
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            limit = int(conn.execute(text("SHOW max_connections")).scalar_one())
            reserved = int(conn.execute(text("SHOW superuser_reserved_connections")).scalar_one())
            in_use = int(conn.execute(text("SELECT count(*) FROM pg_stat_activity")).scalar_one())
    finally:
        engine.dispose()
    per_worker = settings.database_pool_size + settings.database_max_overflow
    return Budget(workers, per_worker, limit, reserved, max(in_use - 1, 0))


def run(*, wait_s: float) -> int:
    """Make the secret key (unless configured), wait for Redis and the database, then report
    the budget; the exit code says if ready."""
    settings = get_settings()
    secret_key()
    url = redis_url()
    if url and not wait_for(f"Redis at {_safe(url)}", _ping_redis(url), wait_s=wait_s):
        return 1
    database = settings.resolved_database_url
    if database.startswith("sqlite"):
        return 0
    if not wait_for(f"the database at {_safe(database)}", _ping_database(database), wait_s=wait_s):
        return 1
    # The web workers and, without Redis, the API's own processes (cadence.api.pool).
    workers = default_workers(with_redis=bool(url)) + settings.resolved_api_workers
    budget = connection_budget(database, workers=workers)
    print(budget.describe(), file=sys.stdout if budget.fits else sys.stderr)
    return 0


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)
