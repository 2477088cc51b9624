"""Per-sample daily metrics kept by instant (DESIGN: "records keep their UTC instant; the local
day is derived, so changing the zone re-buckets them").

Apple Health writes one sample per reading. Its importer adds each to a quarter-hour bucket
(``MetricBucket``, by UTC instant and recording device) and derives the daily rows from the
buckets in the user's time zone; when the user changes zone, ``rebucket`` derives them again, so
a sample at 23:30 in one zone moves to the next day in a zone ahead of it. Quarter hours keep
every zone's midnight (UTC offsets are whole quarter hours). Per day, the device with the largest
step or sleep total wins (an iPhone and a Watch count the same steps); means are over every
sample of the day; weight is the day's latest.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from cadence.models.health import DailyMetric, DailyMetricIn, MetricBucket
from cadence.services import data_version, metrics
from cadence.services.userday import UserDay

QUARTER = timedelta(minutes=15)
MEAN = "mean:"
SLEEP = "sleep:"
SLEEP_PARTS = (
    "asleep",
    "in_bed",
    "sleep_light_seconds",
    "sleep_deep_seconds",
    "sleep_rem_seconds",
    "sleep_awake_seconds",
)
STORE_BATCH = 2000

BucketKey = tuple[str, str, datetime]
"""(name, origin, quarter-hour start in UTC)."""


@dataclass
class Buckets:
    """Quarter-hour totals and counts, as an importer collects them."""

    values: dict[BucketKey, list[float]] = field(
        default_factory=lambda: defaultdict(lambda: [0.0, 0])
    )

    def add(self, *, name: str, origin: str, instant: datetime, value: float) -> None:
        start = quarter_of(instant)
        bucket = self.values[(name, origin, start)]
        bucket[0] += value
        bucket[1] += 1


def quarter_of(instant: datetime) -> datetime:
    """The UTC quarter hour holding ``instant``."""
    utc = instant.astimezone(UTC)
    return utc.replace(minute=utc.minute - utc.minute % 15, second=0, microsecond=0)


@dataclass
class _Day:
    means: dict[str, list[float]] = field(default_factory=lambda: defaultdict(lambda: [0.0, 0]))
    steps: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    sleep: dict[str, dict[str, float]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(float))
    )
    weight: tuple[datetime, float] | None = None


def daily_rows(
    buckets: Iterable[tuple[BucketKey, list[float]]], *, source: str, calendar: UserDay
) -> list[DailyMetricIn]:
    """The daily rows of ``source`` on the user's calendar, oldest first."""
    days: dict[date, _Day] = defaultdict(_Day)
    for (name, origin, start), (total, count) in buckets:
        if name.startswith(SLEEP):  # a segment is kept at the quarter hour it ends in
            days[calendar.night_of(start)].sleep[origin][name.removeprefix(SLEEP)] += total
            continue
        day = days[calendar.day_of(start)]
        if name.startswith(MEAN):
            mean = day.means[name.removeprefix(MEAN)]
            mean[0] += total
            mean[1] += count
        elif name == "steps":
            day.steps[origin] += total
        elif name == "weight_kg" and count and (day.weight is None or start >= day.weight[0]):
            day.weight = (start, total / count)
    return [_row(day, values, source) for day, values in sorted(days.items())]


def _row(day: date, values: _Day, source: str) -> DailyMetricIn:
    fields: dict = {
        name: round(total / count, 1) for name, (total, count) in values.means.items() if count
    }
    if values.steps:
        fields["steps"] = round(max(values.steps.values()))
    if values.sleep:
        best = max(values.sleep.values(), key=lambda b: (b["asleep"], b["in_bed"]))
        fields["sleep_seconds"] = round(best["asleep"] or best["in_bed"]) or None
        for stage in ("sleep_light_seconds", "sleep_deep_seconds", "sleep_rem_seconds"):
            fields[stage] = round(best[stage]) if best[stage] else None
        fields["sleep_awake_seconds"] = round(best["sleep_awake_seconds"]) or None
    fields["weight_kg"] = round(values.weight[1], 2) if values.weight else None
    return DailyMetricIn(date=day, source=source, **fields)


def store(*, session: Session, user_id: int, source: str, buckets: Buckets) -> None:
    """Keep ``buckets``: they replace the stored ones of ``source`` in the span they cover (an
    export again is the same samples again, never added twice)."""
    if not buckets.values:
        return
    starts = [start for _, _, start in buckets.values]
    data_version.mark_changed(session, user_id)
    session.execute(
        delete(MetricBucket).where(
            col(MetricBucket.user_id) == user_id,
            col(MetricBucket.source) == source,
            col(MetricBucket.start) >= min(starts),
            col(MetricBucket.start) <= max(starts),
        )
    )
    rows = [
        {
            "user_id": user_id,
            "source": source,
            "origin": origin[:100],
            "name": name,
            "start": start,
            "total": total,
            "count": int(count),
        }
        for (name, origin, start), (total, count) in buckets.values.items()
    ]
    for offset in range(0, len(rows), STORE_BATCH):
        session.execute(insert(MetricBucket), rows[offset : offset + STORE_BATCH])


def rebucket(*, session: Session, user_id: int, calendar: UserDay) -> int:
    """Derive every bucketed source's daily rows again on ``calendar`` (after a zone change):
    the source's rows in the span its buckets cover are replaced. Returns the days written."""
    sources = session.exec(
        select(MetricBucket.source).where(MetricBucket.user_id == user_id).distinct()
    ).all()
    written = 0
    for source in sources:
        stored = session.exec(  # plain tuples: years of quarter hours, no ORM objects
            select(
                MetricBucket.name,
                MetricBucket.origin,
                MetricBucket.start,
                MetricBucket.total,
                MetricBucket.count,
            ).where(MetricBucket.user_id == user_id, MetricBucket.source == source)
        ).all()
        rows = daily_rows(
            (
                ((name, origin, start), [total, count])
                for name, origin, start, total, count in stored
            ),
            source=source,
            calendar=calendar,
        )
        days = [calendar.day_of(start) for _, _, start, _, _ in stored]
        first, last = min(days) - timedelta(days=1), max(days) + timedelta(days=1)
        data_version.mark_changed(session, user_id)
        session.execute(
            delete(DailyMetric).where(
                col(DailyMetric.user_id) == user_id,
                col(DailyMetric.source) == source,
                col(DailyMetric.date) >= first,
                col(DailyMetric.date) <= last,
            )
        )
        metrics.upsert_daily_metrics(session=session, user_id=user_id, days=rows)
        written += len(rows)
    return written
