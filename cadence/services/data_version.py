"""Each user's data version: a number every committed write to the user's rows moves on.

Caches of things computed from a user's rows (``PerUserCache``) key their entries by it, so a
write shows at once in every process: a reader takes the version first, then computes, so a value
is never stored under a version newer than the rows it read.

What counts as a write, found by SQLAlchemy session events (``track``): every ORM object with a
``user_id`` added, changed or deleted in a flush, and every multi-row ``INSERT`` whose rows carry
a ``user_id``, except in ``UNTRACKED_TABLES``. A Core ``UPDATE``/``DELETE`` names its rows by a
WHERE clause instead: the service that issues one calls ``mark_changed``. Right before the
outermost commit (not a savepoint's release: that would lock the user's row for the rest of the
transaction), one ``UPDATE`` bumps the versions of the users seen, in the same transaction as
their rows (a rollback forgets them; a savepoint's rollback does not, since moving a version on
without a change only costs a recompute).

Each user has a second number, the health version (``health_current``): moved on by the same
writes except those that touch only the training log (``LOG_TABLES``: workouts, their exercise
rows and idempotency keys). What is computed from everything else (metrics, activities, devices,
preferences) is keyed by it, so logging a workout does not recompute it. ``mark_changed`` moves
both: a Core statement is not classified.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, update
from sqlalchemy.orm import ORMExecuteState, Session
from sqlmodel import col, select

from cadence.models.gym import IdempotencyKey
from cadence.models.imports import ImportJob
from cadence.models.user import User
from cadence.models.workout import Workout, WorkoutExercise

_CHANGED = "cadence.changed_users"
_CHANGED_HEALTH = "cadence.changed_users_health"
LOG_TABLES = frozenset(model.__tablename__ for model in (Workout, WorkoutExercise, IdempotencyKey))
"""The training log: a write to these tables alone leaves the health version where it was."""
UNTRACKED_TABLES = frozenset({ImportJob.__tablename__})
"""Job bookkeeping no cached value is computed from. A job's progress and heartbeat are written
by sessions of their own while the job's transaction may hold the user's row (an import that
restores a profile): were they to bump the user's version, they would wait on that transaction
for as long as it runs, and the job thread that writes its own progress would wait on itself."""


def mark_changed(session: Session, user_id: int) -> None:
    """Record that ``user_id``'s rows change in this transaction (for Core UPDATE/DELETE)."""
    _add(session, (user_id,), health=True)


def current(*, session: Session, user_id: int) -> tuple[int, str] | None:
    """The user's version as a cache key: ``(data_version, created_at)``, so an account that
    reuses a deleted account's id never matches its entries; None when there is no such user."""
    row = session.execute(
        select(User.data_version, User.created_at).where(User.id == user_id)
    ).first()
    return None if row is None else (row[0], row[1].isoformat())


def health_current(*, session: Session, user_id: int) -> tuple[int, str] | None:
    """Like ``current``, by the health version: unchanged by writes to ``LOG_TABLES`` alone."""
    row = session.execute(
        select(User.health_version, User.created_at).where(User.id == user_id)
    ).first()
    return None if row is None else (row[0], row[1].isoformat())


def track(session_class: type[Session] = Session) -> None:
    """Listen to every session of ``session_class`` (idempotent)."""
    if event.contains(session_class, "after_flush", _after_flush):
        return
    event.listen(session_class, "after_flush", _after_flush)
    event.listen(session_class, "do_orm_execute", _on_execute)
    event.listen(session_class, "before_commit", _before_commit)
    event.listen(session_class, "after_rollback", _forget)


def _after_flush(session: Session, _context: Any) -> None:
    for obj in _flushed(session):
        table = getattr(obj, "__tablename__", None)
        if table not in UNTRACKED_TABLES:
            _add(session, (getattr(obj, "user_id", None),), health=table not in LOG_TABLES)


def _flushed(session: Session) -> Iterable[object]:
    yield from session.new
    yield from session.dirty
    yield from session.deleted


def _on_execute(state: ORMExecuteState) -> None:
    if not state.is_insert:
        return
    params = state.parameters
    rows = params if isinstance(params, list) else [params] if params else []
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if table in UNTRACKED_TABLES:
        return
    _add(
        state.session,
        (row.get("user_id") for row in rows if isinstance(row, dict)),
        health=table not in LOG_TABLES,
    )


def _add(session: Session, user_ids: Iterable[object], *, health: bool) -> None:
    seen = {uid for uid in user_ids if isinstance(uid, int)}
    if seen:
        session.info.setdefault(_CHANGED, set()).update(seen)
        if health:
            session.info.setdefault(_CHANGED_HEALTH, set()).update(seen)


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint's release: the outer commit bumps
        return
    if session.in_transaction():
        session.flush()
    changed = session.info.pop(_CHANGED, set())
    health = session.info.pop(_CHANGED_HEALTH, set())
    both = {
        "data_version": col(User.data_version) + 1,
        "health_version": col(User.health_version) + 1,
    }
    for users, values in (
        (health, both),
        (changed - health, {"data_version": col(User.data_version) + 1}),
    ):
        if users:
            session.execute(
                update(User)
                .where(col(User.id).in_(sorted(users)))
                .values(values)
                .execution_options(synchronize_session=False)
            )


def _forget(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint's rollback: keep what came before it
        return
    session.info.pop(_CHANGED, None)
    session.info.pop(_CHANGED_HEALTH, None)
