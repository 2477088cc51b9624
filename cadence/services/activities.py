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
COPY_START_S = 120
ACTIVITY_SOURCE_PRIORITY: tuple[str, ...] = (
    "fit",
    "tcx",
    "garmin",
    "apple_health",
    "gpx",
    "strava",
    "whoop",
    "demo",
)
"""Which copy of one session to keep (after "has an HR histogram"): files with every sample
first, then device APIs."""
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


def activities_between(
    *, session: Session, user_id: int, start: date, end: date, merge_copies: bool = True
) -> list[Activity]:
    """Activities starting on UTC days ``start`` .. ``end`` (inclusive), oldest first.

    With ``merge_copies`` (the default, what training-load analytics want) the same session
    recorded by two sources (a Garmin sync and the FIT file uploaded by hand) counts once: see
    ``merge_copies_of``.
    """
    lower = datetime.combine(start, time.min, tzinfo=UTC)
    upper = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
    rows = _aware(
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
    return merge_copies_of(rows) if merge_copies else rows


def merge_copies_of(rows: list[Activity]) -> list[Activity]:
    """Keep one row per real session among ``rows`` (sorted by start time).

    Two rows from different sources are copies when they start within ``COPY_START_S`` seconds
    of each other and their timer durations differ by at most 10 % (or a minute). Of copies, the
    one with an HR histogram wins (exact TRIMP), then the source listed first in
    ``ACTIVITY_SOURCE_PRIORITY`` (files with full samples before API summaries).
    """
    kept: list[Activity] = []
    for row in rows:
        twin = _recent_copy(kept, row)
        if twin is None:
            kept.append(row)
        elif _preference(row) < _preference(kept[twin]):
            kept[twin] = row
    return kept


def _recent_copy(kept: list[Activity], row: Activity) -> int | None:
    """Index of a kept copy of ``row``, looking back only as far as a copy could start."""
    for index in range(len(kept) - 1, -1, -1):
        if (row.start_time - kept[index].start_time).total_seconds() > 2 * COPY_START_S:
            return None
        if _is_copy(kept[index], row):
            return index
    return None


def _is_copy(a: Activity, b: Activity) -> bool:
    close = abs((b.start_time - a.start_time).total_seconds()) <= COPY_START_S
    tolerance = max(60.0, 0.1 * max(a.duration_s, b.duration_s))
    return a.source != b.source and close and abs(a.duration_s - b.duration_s) <= tolerance


def _preference(row: Activity) -> tuple[int, int]:
    rank = (
        ACTIVITY_SOURCE_PRIORITY.index(row.source)
        if row.source in ACTIVITY_SOURCE_PRIORITY
        else len(ACTIVITY_SOURCE_PRIORITY)
    )
    return (0 if row.hr_histogram else 1, rank)


def _aware(rows: Iterable[Activity]) -> list[Activity]:
    """Give ``start_time`` its UTC zone back (SQLite returns naive values), without marking the
    rows as changed."""
    rows = list(rows)
    for row in rows:
        set_committed_value(row, "start_time", as_utc(row.start_time))
    return rows


def to_public(activity: Activity) -> ActivityPublic:
    return ActivityPublic.model_validate(activity, from_attributes=True)
