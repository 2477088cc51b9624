"""The queue's worker: inside every app process by default, or on its own
(``python -m cadence worker``), as many as you like on one shared Redis queue.

At start a worker first runs the recovery tasks (``at_worker_start``): work left running by a
process that died is retried or failed in words at once, and orphaned upload files are removed.
Then Huey's consumer threads take tasks from the queue, and its scheduler enqueues the periodic
tasks every minute.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from huey.consumer import Consumer

from cadence.config import get_settings
from cadence.queue import get_queue, start_tasks

logger = logging.getLogger(__name__)

POLL_MIN_S = 0.05  # an idle worker polls the SQLite queue between these two intervals
POLL_MAX_S = 0.5
SHUTDOWN_TIMEOUT_S = 10.0


class _EmbeddedConsumer(Consumer):
    """A consumer that lives inside a web server process: the server owns the signals."""

    def _set_signal_handlers(self) -> None:
        return


def recover() -> None:
    """Run every start-up task; a failure (database down) is logged, and the same task runs
    again every minute."""
    for task in start_tasks():
        try:
            task()
        except Exception:
            logger.exception("start-up task %s failed; it runs again within a minute", task.name)


def make_consumer(*, embedded: bool) -> Consumer:
    settings = get_settings()
    kind = _EmbeddedConsumer if embedded else Consumer
    return kind(
        get_queue().huey,
        workers=settings.worker_threads,
        worker_type="thread",
        periodic=True,
        initial_delay=POLL_MIN_S,
        backoff=1.5,
        max_delay=POLL_MAX_S,
        check_worker_health=True,
        shutdown_timeout=SHUTDOWN_TIMEOUT_S,
    )


def start_embedded() -> Consumer | None:
    """Recover, then start the consumer threads (None when ``CADENCE_WORKER=false``)."""
    if not get_settings().worker:
        return None
    recover()
    consumer = make_consumer(embedded=True)
    consumer.start()
    logger.info("task queue worker started (%s backend)", get_queue().backend)
    return consumer


def run_forever() -> None:
    """``python -m cadence worker``: recover, then consume until SIGINT/SIGTERM."""
    recover()
    make_consumer(embedded=False).run()


@asynccontextmanager
async def embedded_worker(*_app: object) -> AsyncIterator[None]:
    """App lifespan: the worker runs while the app serves, and stops with it."""
    consumer = await asyncio.to_thread(start_embedded)
    try:
        yield
    finally:
        if consumer is not None:
            await asyncio.to_thread(consumer.stop, graceful=True)
