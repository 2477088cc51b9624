"""Device syncs on the task queue.

- ``sync_round`` runs every minute on every worker and syncs the connections that are due
  (``sync.run_due_syncs``). Several workers may run a round at the same moment: the
  per-connection lease lets exactly one of them sync a given connection.
- ``enqueue_sync(user_id=..., provider=...)`` asks for one connection to be synced soon (e.g.
  right after it was connected); a sync already running is not started twice.
- ``recover_syncs`` runs when a worker starts and every minute: leases left by a process that
  died are released at once and their connections synced again.

A provider error is retried with backoff through ``next_sync_at`` (``sync._backoff``).
"""

from __future__ import annotations

import logging

from cadence.config import get_settings
from cadence.db import session_scope
from cadence.queue import background_task
from cadence.services.devices import sync
from cadence.services.errors import Conflict

logger = logging.getLogger(__name__)


@background_task(name="devices.sync_round", every_minutes=1)
def sync_round() -> None:
    """Sync every due connection this worker manages to lease."""
    if not get_settings().device_sync_scheduler:
        return
    with session_scope() as session:
        for result in sync.run_due_syncs(session=session):
            logger.info("background sync: %s", sync.describe(result))


@background_task(name="devices.sync_connection")
def sync_connection(*, user_id: int, provider: str) -> None:
    """Sync one of a user's connections now, unless a sync of it is already running."""
    try:
        with session_scope() as session:
            result = sync.sync_now(session=session, user_id=user_id, provider=provider)
    except Conflict:
        return  # someone else is syncing it right now: that sync covers this request
    logger.info("sync: %s", sync.describe(result))


def enqueue_sync(*, user_id: int, provider: str) -> None:
    """Queue a sync of the user's ``provider`` connection (``ServiceUnavailable`` if the queue
    is down)."""
    sync_connection.enqueue(user_id=user_id, provider=provider)


@background_task(name="devices.recover", every_minutes=1, at_worker_start=True)
def recover_syncs() -> None:
    """Release the leases of dead processes; their connections are due again at once."""
    with session_scope() as session:
        released = sync.release_dead_leases(session=session)
    if released:
        logger.warning("released %d sync lease(s) left by a stopped process", released)
        sync_round.enqueue()
