"""Helpers shared by the file importers: HR sample timelines, histograms, storing parsed rows."""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from itertools import islice

from sqlmodel import Session

from cadence.models.health import ActivityIn, DailyMetricIn
from cadence.services import activities as activities_service
from cadence.services import metrics as metrics_service
from cadence.services.importers.base import ImportResult

MAX_SAMPLE_GAP_S = 30.0
"""A gap between two HR samples longer than this is a pause: it adds at most this much time."""
PREVIEW_ROWS = 20
STORE_BATCH = 500
MIN_VALID_YEAR = 1980
"""Timestamps before this (e.g. GPX's 1901-12-13 "minimum epoch") are treated as missing."""


class HrTimeline:
    """(time, bpm) samples kept in compact arrays; times must be appended in ascending order."""

    def __init__(self) -> None:
        self.times = array("d")
        self.bpms = array("H")

    def add(self, when: datetime, bpm: float | None) -> None:
        if bpm is None or not 20 <= bpm <= 250:
            return
        stamp = when.timestamp()
        if self.times and stamp < self.times[-1]:
            return
        self.times.append(stamp)
        self.bpms.append(round(bpm))

    def __len__(self) -> int:
        return len(self.times)

    def histogram(
        self, start: datetime | None = None, end: datetime | None = None
    ) -> list[list[float]] | None:
        """``[[bpm, seconds], ...]`` for the samples in ``[start, end]`` (see models.health)."""
        lo = 0 if start is None else bisect_left(self.times, start.timestamp())
        hi = len(self.times) if end is None else bisect_right(self.times, end.timestamp())
        seconds: dict[int, float] = {}
        for i in range(lo, hi - 1):
            gap = min(self.times[i + 1] - self.times[i], MAX_SAMPLE_GAP_S)
            seconds[self.bpms[i]] = seconds.get(self.bpms[i], 0.0) + gap
        if not seconds:
            return None
        return [[bpm, round(secs, 1)] for bpm, secs in sorted(seconds.items()) if secs > 0] or None


def histogram_avg_max(histogram: list[list[float]] | None) -> tuple[float | None, float | None]:
    """Time-weighted mean and the maximum bpm of a histogram."""
    if not histogram:
        return None, None
    total = sum(secs for _, secs in histogram)
    mean = sum(bpm * secs for bpm, secs in histogram) / total if total else None
    return (round(mean, 1) if mean is not None else None), max(bpm for bpm, _ in histogram)


def valid_time(value: datetime | None) -> datetime | None:
    """``value`` in UTC, or ``None`` when it is missing or implausibly old."""
    if value is None or value.year < MIN_VALID_YEAR:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two WGS84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(a)))


def activity_external_id(start: datetime, sport: str) -> str:
    """A stable id for a file activity: its UTC start second and sport."""
    return f"{start.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}/{sport}"


def store_activities(
    *,
    session: Session,
    user_id: int,
    items: Iterable[ActivityIn],
    result: ImportResult,
    dry_run: bool,
) -> None:
    """Upsert ``items`` (unless ``dry_run``), count them, and list the first ``PREVIEW_ROWS``
    in ``result.preview`` (what a dry run would add, or what was imported)."""
    for batch in _batches(items, result, _activity_preview):
        if dry_run:
            result.add("activities", len(batch))
            continue
        counts = activities_service.upsert_activities(
            session=session, user_id=user_id, activities=batch
        )
        result.add("activities", counts["created"])
        result.add("duplicates", counts["duplicates"])
        session.expunge_all()


def store_daily_metrics(
    *,
    session: Session,
    user_id: int,
    days: Iterable[DailyMetricIn],
    result: ImportResult,
    dry_run: bool,
) -> None:
    """Like ``store_activities`` for days; a day already stored is counted in ``duplicates``."""
    for batch in _batches(days, result, _day_preview):
        if dry_run:
            result.add("daily_metrics", len(batch))
            continue
        counts = metrics_service.upsert_daily_metrics(session=session, user_id=user_id, days=batch)
        result.add("daily_metrics", counts["created"])
        result.add("duplicates", counts["updated"])
        session.expunge_all()


def _batches(rows: Iterable, result: ImportResult, preview: Callable[..., dict]):
    """Yield lists of ``STORE_BATCH`` rows, previewing the first ones on the way. Each batch is
    flushed and then released from the session, so a long history never piles up in memory."""
    iterator = iter(rows)
    while batch := list(islice(iterator, STORE_BATCH)):
        room = PREVIEW_ROWS - len(result.preview)
        result.preview.extend(preview(row) for row in batch[: max(room, 0)])
        yield batch


def _day_preview(day: DailyMetricIn) -> dict:
    return {"kind": "daily_metric", **day.model_dump(mode="json", exclude_none=True)}


def _activity_preview(item: ActivityIn) -> dict:
    return {
        "kind": "activity",
        **item.model_dump(
            mode="json",
            include={"source", "sport", "start_time", "duration_s", "distance_m", "avg_hr"},
        ),
    }


def local_name(tag: str) -> str:
    """``{namespace}name`` → ``name`` (GPX/TCX/Apple files mix namespaces and versions)."""
    return tag.rsplit("}", 1)[-1]


def parse_iso_time(text: str | None) -> datetime | None:
    """An ISO 8601 timestamp (``Z`` or offset, optional fraction) in UTC, or ``None``."""
    if not text:
        return None
    try:
        return valid_time(datetime.fromisoformat(text.strip().replace("Z", "+00:00")))
    except ValueError:
        return None


def parse_float(text: str | None) -> float | None:
    try:
        value = float(text) if text is not None else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


class TrackTotals:
    """Distance, moving time, elevation gain and HR accumulated point by point.

    ``new_segment()`` marks a pause (a GPX ``trkseg`` or TCX ``Lap`` boundary): no distance or time
    is added across it.
    """

    def __init__(self) -> None:
        self.hr = HrTimeline()
        self.first_time: datetime | None = None
        self.last_time: datetime | None = None
        self.distance_m = 0.0
        self.moving_s = 0.0
        self.gain_m = 0.0
        self.points = 0
        self._prev_pos: tuple[float, float] | None = None
        self._prev_time: datetime | None = None
        self._prev_ele: float | None = None

    def new_segment(self) -> None:
        self._prev_pos = self._prev_time = None

    def add(
        self,
        *,
        when: datetime | None,
        lat: float | None = None,
        lon: float | None = None,
        ele: float | None = None,
        hr: float | None = None,
    ) -> None:
        self.points += 1
        if lat is not None and lon is not None:
            if self._prev_pos is not None:
                self.distance_m += haversine_m(*self._prev_pos, lat, lon)
            self._prev_pos = (lat, lon)
        if ele is not None:
            if self._prev_ele is not None and ele > self._prev_ele:
                self.gain_m += ele - self._prev_ele
            self._prev_ele = ele
        if when is None:
            return
        if self._prev_time is not None and when > self._prev_time:
            self.moving_s += (when - self._prev_time).total_seconds()
        self._prev_time = when
        self.first_time = self.first_time or when
        self.last_time = max(self.last_time or when, when)
        self.hr.add(when, hr)


_SPORT_WORDS = {
    "run": "running",
    "running": "running",
    "trail_running": "running",
    "bike": "cycling",
    "biking": "cycling",
    "cycling": "cycling",
    "ride": "cycling",
    "hike": "hiking",
    "hiking": "hiking",
    "walk": "walking",
    "walking": "walking",
    "swim": "swimming",
    "swimming": "swimming",
    "rowing": "rowing",
    "yoga": "yoga",
    "strength": "strength_training",
    "traditionalstrengthtraining": "strength_training",
    "functionalstrengthtraining": "strength_training",
}


def normalize_sport(text: str | None) -> str:
    """Map a file's free-text sport (``Biking``, ``run``, ``HKWorkoutActivityTypeRunning``) to
    Cadence's sport names; anything unrecognised is ``other``."""
    if not text:
        return "other"
    word = text.strip().lower().removeprefix("hkworkoutactivitytype").replace(" ", "_")
    return _SPORT_WORDS.get(word, "other")
