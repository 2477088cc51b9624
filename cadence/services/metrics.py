"""Daily metrics: idempotent upserts from providers/importers, and the merged per-day view.

Merging (``get_daily_metrics``): a day may have rows from several sources. For every field the
value of the highest-priority source that reported it wins; ``SOURCE_PRIORITY`` lists sources from
most to least trusted (devices measured overnight first, files next, generated demo data last),
and ``FIELD_PRIORITY`` overrides it for the fields one source measures better (the sleep fields:
Oura's ring first). Unknown sources rank after the listed ones, alphabetically. Days without any
row are absent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from sqlalchemy import insert
from sqlmodel import Session, col, select

from cadence.models.common import utcnow
from cadence.models.health import (
    METRIC_FIELDS,
    STORED_FIELDS,
    DailyMetric,
    DailyMetricIn,
    MetricDay,
)
from cadence.services.errors import InvalidInput

SOURCE_PRIORITY: tuple[str, ...] = ("garmin", "whoop", "oura", "apple_health", "strava", "demo")
SLEEP_FIELDS: tuple[str, ...] = tuple(name for name in METRIC_FIELDS if name.startswith("sleep_"))
SLEEP_PRIORITY: tuple[str, ...] = ("oura", *(s for s in SOURCE_PRIORITY if s != "oura"))
"""Sleep is what a ring measures best (worn all night, finger pulse): Oura's stages, score and
efficiency win over a watch's on a day both report them."""
FIELD_PRIORITY: dict[str, tuple[str, ...]] = dict.fromkeys(SLEEP_FIELDS, SLEEP_PRIORITY)
DEFAULT_RANGE_DAYS = 30
MAX_RANGE_DAYS = 3660


def source_rank(source: str, field: str | None = None) -> tuple[int, str]:
    """Sort key for ``field``'s values (or a day's sources as a whole when ``None``): listed
    sources by their position, then unknown ones alphabetically."""
    order = FIELD_PRIORITY.get(field, SOURCE_PRIORITY) if field else SOURCE_PRIORITY
    try:
        return (order.index(source), "")
    except ValueError:
        return (len(order), source)


def upsert_daily_metrics(
    *, session: Session, user_id: int, days: Iterable[DailyMetricIn]
) -> dict[str, int]:
    """Insert or update one row per (date, source); ``null`` values never erase stored ones.

    Returns ``{"created": n, "updated": n}`` (an unchanged existing day counts as updated).
    """
    incoming: dict[tuple[date, str], DailyMetricIn] = {}
    for day in days:
        key = (day.date, day.source)
        if key in incoming:
            merged = incoming[key].model_dump(exclude_none=True) | day.model_dump(exclude_none=True)
            day = DailyMetricIn(**merged)
        incoming[key] = day
    if not incoming:
        return {"created": 0, "updated": 0}
    existing = _existing_rows(session=session, user_id=user_id, keys=list(incoming))
    now = utcnow()
    new_rows: list[dict] = []
    for key, day in incoming.items():
        row = existing.get(key)
        if row is None:
            stamps = {"user_id": user_id, "created_at": now, "updated_at": now}
            new_rows.append(day.model_dump(include={"date", "source", *STORED_FIELDS}) | stamps)
            continue
        for name, value in day.model_dump(include=set(STORED_FIELDS), exclude_none=True).items():
            setattr(row, name, value)
        row.updated_at = now
        session.add(row)
    if new_rows:  # one multi-row INSERT, no ORM objects (a long sync or import stays cheap)
        session.execute(insert(DailyMetric), new_rows)
    session.flush()
    return {"created": len(new_rows), "updated": len(incoming) - len(new_rows)}


def _existing_rows(
    *, session: Session, user_id: int, keys: Sequence[tuple[date, str]]
) -> dict[tuple[date, str], DailyMetric]:
    dates = [d for d, _ in keys]
    sources = sorted({s for _, s in keys})
    rows = session.exec(
        select(DailyMetric).where(
            DailyMetric.user_id == user_id,
            col(DailyMetric.source).in_(sources),
            DailyMetric.date >= min(dates),
            DailyMetric.date <= max(dates),
        )
    ).all()
    return {(row.date, row.source): row for row in rows}


def resolve_range(*, start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """Apply defaults (the 30 days ending ``end``, ``end`` = today) and check the range."""
    end = end or (start + timedelta(days=DEFAULT_RANGE_DAYS - 1) if start else today)
    start = start or end - timedelta(days=DEFAULT_RANGE_DAYS - 1)
    if start > end:
        raise InvalidInput("start must be on or before end.", field="start")
    if (end - start).days >= MAX_RANGE_DAYS:
        raise InvalidInput(f"The range is limited to {MAX_RANGE_DAYS} days.", field="end")
    return start, end


def parse_fields(raw: str | None) -> tuple[str, ...]:
    """``"hrv_rmssd_ms,resting_hr"`` → those names; ``None``/empty → every field."""
    if not raw:
        return METRIC_FIELDS
    names = tuple(dict.fromkeys(name.strip() for name in raw.split(",") if name.strip()))
    unknown = [name for name in names if name not in METRIC_FIELDS]
    if unknown:
        raise InvalidInput(
            f"Unknown field(s): {', '.join(unknown)}. Known: {', '.join(METRIC_FIELDS)}.",
            field="fields",
        )
    return names or METRIC_FIELDS


def get_daily_metrics(
    *,
    session: Session,
    user_id: int,
    start: date,
    end: date,
    fields: Sequence[str] = METRIC_FIELDS,
) -> list[MetricDay]:
    """The user's days in ``[start, end]``, one merged row per day, oldest first.

    Each field comes from the highest-priority source that reported it (``source_rank``);
    fields not asked for are left unset (so the API omits them); missing values are ``None``.
    """
    rows = session.exec(
        select(DailyMetric)
        .where(DailyMetric.user_id == user_id, DailyMetric.date >= start, DailyMetric.date <= end)
        .order_by(col(DailyMetric.date))
    ).all()
    by_day: dict[date, list[DailyMetric]] = {}
    for row in rows:
        by_day.setdefault(row.date, []).append(row)
    return [_merge(day, day_rows, fields) for day, day_rows in by_day.items()]


def _merge(day: date, rows: list[DailyMetric], fields: Sequence[str]) -> MetricDay:
    ranked = sorted(rows, key=lambda row: source_rank(row.source))
    values = {name: _winning(rows, name) for name in fields}
    contributing = [r.source for r in ranked if any(getattr(r, n) is not None for n in fields)]
    return MetricDay(
        date=day, source=(contributing or [ranked[0].source])[0], sources=contributing, **values
    )


def winning_row(rows: Iterable[DailyMetric], field: str) -> DailyMetric | None:
    """The row whose ``field`` wins among one day's ``rows`` (``None`` when none reports it)."""
    reporting = [r for r in rows if getattr(r, field) is not None]
    return min(reporting, key=lambda r: source_rank(r.source, field), default=None)


def _winning(rows: list[DailyMetric], field: str) -> float | int | None:
    row = winning_row(rows, field)
    return getattr(row, field) if row is not None else None
