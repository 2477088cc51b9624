"""Recomputations on the task queue: work that follows a change of a user's data.

The generic way (docs/architecture.md, "Background work"): declare a task that takes the user
id, computes from the database, and is safe to run twice; enqueue it after the change commits.

The example here, ``refresh_dashboard``, runs after an import or a device sync stored new rows:
it computes the user's dashboard once in the worker, which fills that process's dashboard and
TRIMP caches (``dashboard.dashboard_for``, ``dashboard._activity_loads``), so the next dashboard
visit served by the same process does not pay for the new activities' heart-rate histograms. After
a preferences change (time zone, week start, sleep need, sex, resting or maximum HR) the same
task runs: the change moves the user's data version, and every TRIMP is cached under the heart
rates and curve it was computed with, so nothing stale is ever read; the task only pays the
recomputation before the user's next visit.
"""

from __future__ import annotations

from cadence.db import session_scope
from cadence.queue import background_task
from cadence.services import dashboard


@background_task(name="recompute.dashboard", retries=2, retry_delay_s=30)
def refresh_dashboard(*, user_id: int) -> None:
    """Compute the user's dashboard once (idempotent: it only reads and caches)."""
    with session_scope() as session:
        dashboard.dashboard_for(session=session, user_id=user_id)


def after_new_data(*, user_id: int) -> None:
    """Enqueue the recomputations that follow new rows for ``user_id``."""
    refresh_dashboard.enqueue(user_id=user_id)


def after_preferences_changed(*, user_id: int) -> None:
    """Enqueue the recomputation that follows a change of the user's day or body."""
    refresh_dashboard.enqueue(user_id=user_id)
