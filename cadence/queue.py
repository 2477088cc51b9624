"""The task queue: Huey, on an embedded SQLite file (``<data>/queue.db``) by default and on Redis
when ``CADENCE_REDIS_URL`` is set, so any number of worker processes share one queue.

Background work is declared where it belongs, with ``@background_task`` (see docs/architecture.md,
"Background work"):

    @background_task(name="imports.run", retries=0)
    def run_import(*, job_id: int) -> None: ...

    run_import.enqueue(job_id=7)              # returns at once; a worker runs it
    run_import.enqueue(job_id=7, delay_s=30)  # not before 30 s from now

A task with ``every_minutes`` also runs periodically on every worker. Arguments must be plain
values (ids, strings): the task reads everything else from the database, which stays the single
source of truth (a job row says what is queued, running or finished; the queue only carries the
wake-up call). ``enqueue`` raises ``ServiceUnavailable`` when the queue cannot be reached.
"""

from __future__ import annotations

import importlib
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import redis
from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.api import TaskWrapper

from cadence.config import get_settings
from cadence.services.errors import ServiceUnavailable

logger = logging.getLogger(__name__)

QUEUE_NAME = "cadence"
QUEUE_FILENAME = "queue.db"
QUEUE_UNAVAILABLE = (
    "Cadence can't reach its task queue right now, so nothing was started; try again in a moment."
)
# Modules that declare tasks: imported before a worker starts, so every task is registered.
TASK_MODULES = (
    "cadence.services.imports",
    "cadence.services.devices.jobs",
    "cadence.services.recompute",
)


@dataclass(frozen=True)
class BackgroundTask:
    """A function the queue runs in a worker; ``enqueue`` schedules one run."""

    name: str
    function: Callable[..., None]
    retries: int
    retry_delay_s: int
    every_minutes: int | None
    at_worker_start: bool

    def __call__(self, **kwargs: object) -> None:
        """Run now, in this thread (the worker calls this; tests may too)."""
        self.function(**kwargs)

    def enqueue(self, *, delay_s: float = 0, **kwargs: object) -> None:
        try:
            wrapper = get_queue().wrapper(self.name)
            if delay_s > 0:
                wrapper.schedule(kwargs=kwargs, delay=delay_s)
            else:
                wrapper(**kwargs)
        except (redis.RedisError, sqlite3.Error, OSError) as exc:  # Redis gone, disk full...
            logger.error("could not enqueue %s: %s", self.name, exc)
            raise ServiceUnavailable(QUEUE_UNAVAILABLE) from exc


_TASKS: dict[str, BackgroundTask] = {}


def background_task(
    *,
    name: str,
    retries: int = 0,
    retry_delay_s: int = 0,
    every_minutes: int | None = None,
    at_worker_start: bool = False,
) -> Callable[[Callable[..., None]], BackgroundTask]:
    """Declare a task (see the module docstring); ``name`` must be unique and stable, since
    queued messages name it across restarts and versions. ``at_worker_start`` tasks also run
    once, synchronously, when a worker starts (recovery after a crash)."""

    def register(function: Callable[..., None]) -> BackgroundTask:
        if name in _TASKS:
            raise ValueError(f"two background tasks are named {name!r}")
        task = BackgroundTask(
            name, function, retries, retry_delay_s, every_minutes, at_worker_start
        )
        _TASKS[name] = task
        return task

    return register


@dataclass
class Queue:
    """The configured Huey instance with every declared task registered on it."""

    huey: Huey
    wrappers: dict[str, TaskWrapper]
    backend: str

    def wrapper(self, name: str) -> TaskWrapper:
        return self.wrappers[name]


@lru_cache
def get_queue() -> Queue:
    """The process-wide queue for the current settings (tests clear the cache)."""
    for module in TASK_MODULES:
        importlib.import_module(module)
    settings = get_settings()
    if settings.redis_url:
        pool = redis.ConnectionPool.from_url(
            settings.redis_url,
            socket_timeout=settings.redis_timeout_seconds,
            socket_connect_timeout=settings.redis_timeout_seconds,
            health_check_interval=30,
        )
        huey: Huey = RedisHuey(
            QUEUE_NAME, results=False, connection_pool=pool, blocking=True, read_timeout=1
        )
        backend = "redis"
    else:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        filename = str((settings.data_dir / QUEUE_FILENAME).resolve())
        huey = SqliteHuey(QUEUE_NAME, results=False, filename=filename, timeout=5)
        backend = "sqlite"
    wrappers = {name: _register(huey, task) for name, task in _TASKS.items()}
    return Queue(huey=huey, wrappers=wrappers, backend=backend)


def _register(huey: Huey, task: BackgroundTask) -> TaskWrapper:
    def run(**kwargs: object) -> None:
        task.function(**kwargs)

    options = {"name": task.name, "retries": task.retries, "retry_delay": task.retry_delay_s}
    if task.every_minutes is not None:
        schedule = crontab(minute=f"*/{task.every_minutes}")
        return huey.periodic_task(schedule, **options)(run)
    return huey.task(**options)(run)


def start_tasks() -> list[BackgroundTask]:
    """The tasks a worker runs once when it starts, in declaration order."""
    get_queue()
    return [task for task in _TASKS.values() if task.at_worker_start]
