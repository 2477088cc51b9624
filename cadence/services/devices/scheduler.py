"""The background device sync: a daemon thread that syncs due connections every minute.

Every app process may run one; the per-connection lease (``sync.acquire_lease``) makes sure a
connection is synced by one of them at a time. The thread opens its own sessions through the
``session_factory`` it is given (``cadence.db.session_scope``).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractContextManager, asynccontextmanager

from sqlmodel import Session

from cadence.services.devices.sync import new_owner, run_due_syncs

logger = logging.getLogger(__name__)

TICK_SECONDS = 60.0


class SyncScheduler:
    """Start with ``start()``, stop with ``stop()``; ``tick()`` runs one round (for the CLI)."""

    def __init__(
        self,
        session_factory: Callable[[], AbstractContextManager[Session]],
        *,
        tick_seconds: float = TICK_SECONDS,
    ) -> None:
        self._session_factory = session_factory
        self._tick_seconds = tick_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.owner = new_owner()

    def tick(self) -> int:
        """Sync every due connection once; returns how many were synced. Never raises."""
        try:
            with self._session_factory() as session:
                return len(run_due_syncs(session=session, owner=self.owner))
        except Exception:  # e.g. the database is down: try again next tick
            logger.exception("device sync round failed")
            return 0

    def _run(self) -> None:
        while not self._stop.wait(self._tick_seconds):
            self.tick()

    def start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._run, name="cadence-device-sync", daemon=True
            )
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None


@asynccontextmanager
async def background_sync(
    session_factory: Callable[[], AbstractContextManager[Session]],
) -> AsyncIterator[SyncScheduler]:
    """An app lifespan task: the scheduler runs while the app serves, and stops with it."""
    scheduler = SyncScheduler(session_factory)
    scheduler.start()
    try:
        yield scheduler
    finally:
        await asyncio.to_thread(scheduler.stop)
