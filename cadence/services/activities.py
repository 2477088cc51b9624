"""Activities: idempotent upserts keyed by (user, source, external id), paginated listing, and
the date-range read the analytics use."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, insert
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from cadence.models.common import as_utc, utcnow
from cadence.models.health import Activity, ActivityIn, ActivityPublic
from cadence.services.errors import InvalidInput

MAX_PER_PAGE = 100
_LOOKUP_CHUNK = 500


def upsert_activities(
    *, session: Session, user_id: int, activities: Iterable[ActivityIn]
) -> dict[str, int]:
    """Store new activities; refresh the fields of ones already stored under the same id.

    Returns ``{"created": n, "duplicates": n}``: an activity seen before is never added twice.
    """
    incoming = {(a.source, a.external_id): a for a in activities}
    existing: dict[tuple[str, str], Activity] = {}
    keys = list(incoming)
    for offset in range(0, len(keys), _LOOKUP_CHUNK):
        chunk = keys[offset : offset + _LOOKUP_CHUNK]
        rows = session.exec(
            select(Activity).where(
                Activity.user_id == user_id,
                col(Activity.source).in_({s for s, _ in chunk}),
                col(Activity.external_id).in_({x for _, x in chunk}),
            )
        ).all()
        existing.update({(row.source, row.external_id): row for row in rows})
    now = utcnow()
    new_rows: list[dict] = []
    for key, item in incoming.items():
        row = existing.get(key)
        if row is None:
            new_rows.append(
                item.model_dump() | {"user_id": user_id, "created_at": now, "updated_at": now}
            )
            continue
        for name, value in item.model_dump(exclude={"source", "external_id"}).items():
            setattr(row, name, value)
        row.updated_at = now
        session.add(row)
    if new_rows:  # one multi-row INSERT, no ORM objects
        session.execute(insert(Activity), new_rows)
    session.flush()
    return {"created": len(new_rows), "duplicates": len(incoming) - len(new_rows)}


def list_activities(
    *, session: Session, user_id: int, page: int = 1, per_page: int = 20
) -> tuple[list[Activity], int]:
    """One page of the user's activities, newest first, and the total count."""
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput(f"page must be ≥ 1 and per_page 1-{MAX_PER_PAGE}.", field="per_page")
    total = session.exec(
        select(func.count()).select_from(Activity).where(Activity.user_id == user_id)
    ).one()
    rows = session.exec(
        select(Activity)
        .where(Activity.user_id == user_id)
        .order_by(col(Activity.start_time).desc(), col(Activity.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return _aware(rows), int(total)


def activities_between(*, session: Session, user_id: int, start: date, end: date) -> list[Activity]:
    """Activities starting on UTC days ``start`` .. ``end`` (inclusive), oldest first."""
    lower = datetime.combine(start, time.min, tzinfo=UTC)
    upper = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
    return _aware(
        session.exec(
            select(Activity)
            .where(
                Activity.user_id == user_id,
                Activity.start_time >= lower,
                Activity.start_time < upper,
            )
            .order_by(col(Activity.start_time), col(Activity.id))
        ).all()
    )


def _aware(rows: Iterable[Activity]) -> list[Activity]:
    """Give ``start_time`` its UTC zone back (SQLite returns naive values), without marking the
    rows as changed."""
    rows = list(rows)
    for row in rows:
        set_committed_value(row, "start_time", as_utc(row.start_time))
    return rows


def to_public(activity: Activity) -> ActivityPublic:
    return ActivityPublic.model_validate(activity, from_attributes=True)
