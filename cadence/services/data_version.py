"""Each user's data version: a number every committed write to the user's rows moves on.

Caches of things computed from a user's rows (``PerUserCache``) key their entries by it, so a
write shows at once in every process: a reader takes the version first, then computes, so a value
is never stored under a version newer than the rows it read.

What counts as a write, found by SQLAlchemy session events (``track``): every ORM object with a
``user_id`` added, changed or deleted in a flush, and every multi-row ``INSERT`` whose rows carry
a ``user_id``. A Core ``UPDATE``/``DELETE`` names its rows by a WHERE clause instead: the service
that issues one calls ``mark_changed``. Right before the commit, one ``UPDATE`` bumps the versions
of the users seen, in the same transaction as their rows (a rollback forgets them).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, update
from sqlalchemy.orm import ORMExecuteState, Session
from sqlmodel import col, select

from cadence.models.user import User

_CHANGED = "cadence.changed_users"


def mark_changed(session: Session, user_id: int) -> None:
    """Record that ``user_id``'s rows change in this transaction (for Core UPDATE/DELETE)."""
    session.info.setdefault(_CHANGED, set()).add(user_id)


def current(*, session: Session, user_id: int) -> tuple[int, str] | None:
    """The user's version as a cache key: ``(data_version, created_at)``, so an account that
    reuses a deleted account's id never matches its entries; None when there is no such user."""
    row = session.execute(
        select(User.data_version, User.created_at).where(User.id == user_id)
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
    _add(session, (getattr(obj, "user_id", None) for obj in _flushed(session)))


def _flushed(session: Session) -> Iterable[object]:
    yield from session.new
    yield from session.dirty
    yield from session.deleted


def _on_execute(state: ORMExecuteState) -> None:
    if not state.is_insert:
        return
    params = state.parameters
    rows = params if isinstance(params, list) else [params] if params else []
    _add(state.session, (row.get("user_id") for row in rows if isinstance(row, dict)))


def _add(session: Session, user_ids: Iterable[object]) -> None:
    seen = {uid for uid in user_ids if isinstance(uid, int)}
    if seen:
        session.info.setdefault(_CHANGED, set()).update(seen)


def _before_commit(session: Session) -> None:
    if session.in_transaction():
        session.flush()
    changed = session.info.pop(_CHANGED, None)
    if changed:
        session.execute(
            update(User)
            .where(col(User.id).in_(sorted(changed)))
            .values(data_version=col(User.data_version) + 1)
            .execution_options(synchronize_session=False)
        )


def _forget(session: Session) -> None:
    session.info.pop(_CHANGED, None)
