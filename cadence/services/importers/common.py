"""Helpers shared by the file importers: HR sample timelines, histograms, downsampled streams,
elevation smoothing, and storing parsed rows (with their streams, laps and legs)."""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from xml.etree.ElementTree import Element

from sqlmodel import Session

from cadence.models.activity import MAX_STREAM_POINTS, LapIn, StreamData
from cadence.models.health import ActivityIn, DailyMetricIn
from cadence.models.workout import WorkoutCreate
from cadence.services import activities as activities_service
from cadence.services import metrics as metrics_service
from cadence.services import workouts as workouts_service
from cadence.services.importers.base import PREVIEW_ROWS, ImportResult

MAX_SAMPLE_GAP_S = 30.0
"""A gap between two track points longer than this is a pause (moving time and distance)."""
HR_CARRY_FORWARD_S = 120.0
"""Heart rate between two samples: the earlier sample's value is carried forward over a gap of
up to this long (devices that sample every 1 s, every 5-10 s "smart recording", or once a minute
are all fully covered). A longer gap is a dropout or a pause: it adds no heart-rate time at all,
and the session's load covers only the time with heart rate (``LoadDetail.hr_coverage``)."""
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
            gap = self.times[i + 1] - self.times[i]
            if gap <= HR_CARRY_FORWARD_S:
                seconds[self.bpms[i]] = seconds.get(self.bpms[i], 0.0) + gap
        if not seconds:
            return None
        return [[bpm, round(secs, 1)] for bpm, secs in sorted(seconds.items()) if secs > 0] or None


MIN_HR_COVERAGE = 0.5
"""Samples that cover less of a session than this (Apple Health's older exports: one reading
every few minutes) give no histogram: the session's load is then its average HR over its whole
moving time, rather than a histogram of the few minutes around the samples."""


def sparse_hr(
    timeline: HrTimeline, *, start: datetime, end: datetime, moving_s: float
) -> tuple[list[list[float]] | None, float | None, float | None]:
    """(histogram, avg, max) of the samples in ``[start, end]``: the histogram when it covers at
    least ``MIN_HR_COVERAGE`` of ``moving_s``, else none and the plain mean of the samples."""
    histogram = timeline.histogram(start, end)
    covered = sum(secs for _, secs in histogram) if histogram else 0.0
    if histogram and moving_s > 0 and covered >= MIN_HR_COVERAGE * moving_s:
        return (histogram, *histogram_avg_max(histogram))
    lo = bisect_left(timeline.times, start.timestamp())
    hi = bisect_right(timeline.times, end.timestamp())
    values = timeline.bpms[lo:hi]
    if not values:
        return None, None, None
    return None, round(sum(values) / len(values), 1), float(max(values))


def histogram_avg_max(histogram: list[list[float]] | None) -> tuple[float | None, float | None]:
    """Time-weighted mean and the maximum bpm of a histogram."""
    if not histogram:
        return None, None
    total = sum(secs for _, secs in histogram)
    mean = sum(bpm * secs for bpm, secs in histogram) / total if total else None
    return (round(mean, 1) if mean is not None else None), max(bpm for bpm, _ in histogram)


def valid_time(value: object) -> datetime | None:
    """``value`` in UTC, or ``None`` when it is missing, not a date (FIT decoders hand out
    dates below 0x10000000, "seconds since the device powered on", as plain numbers) or
    implausibly old."""
    if not isinstance(value, datetime) or value.year < MIN_VALID_YEAR:
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


@dataclass
class ParsedActivity:
    """One activity as an importer read it: its totals, its downsampled stream and laps, its
    legs (a multisport file) and the strength workout made from the sets a watch recorded."""

    activity: ActivityIn
    stream: StreamData | None = None
    stream_resolution_s: float | None = None
    laps: list[LapIn] = field(default_factory=list)
    legs: list[ParsedActivity] = field(default_factory=list)
    workout: WorkoutCreate | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.activity.source, self.activity.external_id)


def store_activities(
    *,
    session: Session,
    user_id: int,
    items: Iterable[ActivityIn],
    result: ImportResult,
    dry_run: bool,
) -> None:
    """``store_parsed_activities`` for activities that come with totals only."""
    store_parsed_activities(
        session=session,
        user_id=user_id,
        items=(ParsedActivity(activity=item) for item in items),
        result=result,
        dry_run=dry_run,
    )


def store_parsed_activities(
    *,
    session: Session,
    user_id: int,
    items: Iterable[ParsedActivity],
    result: ImportResult,
    dry_run: bool,
) -> None:
    """Upsert the activities and their legs (unless ``dry_run``), then their streams, laps,
    parent links and workouts; count them (``activities``, ``legs``, ``workouts``,
    ``duplicates``) and list the first ``PREVIEW_ROWS`` in ``result.preview``."""
    for batch in _batches(items, result, lambda parsed: _activity_preview(parsed.activity)):
        legs = [leg for parsed in batch for leg in parsed.legs]
        if dry_run:
            result.add("activities", len(batch))
            _count(result, "legs", len(legs))
            _count(result, "workouts", sum(1 for parsed in batch if parsed.workout))
            continue
        counts = activities_service.upsert_activities(
            session=session, user_id=user_id, activities=[parsed.activity for parsed in batch]
        )
        result.add("activities", counts["created"])
        result.add("duplicates", counts["duplicates"])
        if legs:
            leg_counts = activities_service.upsert_activities(
                session=session, user_id=user_id, activities=[leg.activity for leg in legs]
            )
            _count(result, "legs", leg_counts["created"])
        extras = []
        for parsed in batch:
            workout_id = _store_workout(session, user_id, parsed, result)
            extras.append(_extras(parsed, workout_id=workout_id))
            extras.extend(_extras(leg, parent_key=parsed.key) for leg in parsed.legs)
        activities_service.attach_extras(session=session, user_id=user_id, extras=extras)
        session.expunge_all()


def _count(result: ImportResult, kind: str, amount: int) -> None:
    if amount:
        result.add(kind, amount)


def _extras(
    parsed: ParsedActivity,
    *,
    parent_key: tuple[str, str] | None = None,
    workout_id: int | None = None,
) -> activities_service.ActivityExtras:
    return activities_service.ActivityExtras(
        key=parsed.key,
        stream=parsed.stream,
        stream_resolution_s=parsed.stream_resolution_s,
        laps=parsed.laps,
        parent_key=parent_key,
        workout_id=workout_id,
    )


def _store_workout(
    session: Session, user_id: int, parsed: ParsedActivity, result: ImportResult
) -> int | None:
    """Create the workout of a watch's strength sets once (a stable id per activity)."""
    if parsed.workout is None:
        return None
    external_id = f"sets:{parsed.activity.source}:{parsed.activity.external_id}"[:100]
    known = workouts_service.workout_id_for(
        session=session, user_id=user_id, external_id=external_id
    )
    if known is not None:
        return known
    created = workouts_service.create_workout(
        session=session,
        user_id=user_id,
        data=parsed.workout,
        source=parsed.activity.source,
        external_id=external_id,
    )
    result.add("workouts")
    return created.id


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


def forget(elem: Element, parent: Element | None) -> None:
    """Free a parsed point: clear it and take it out of its parent, so a long track does not
    keep one empty element per point until the parent closes (memory stays flat). Points are
    handled in order and each is taken out when done, so it is the parent's first child (the
    parser may already have appended the next ones)."""
    elem.clear()
    if parent is not None and len(parent) and parent[0] is elem:
        del parent[0]


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
    """Distance, moving time, elevation gain, HR and a downsampled stream, point by point.

    ``new_segment()`` marks a pause (a GPX ``trkseg`` or TCX ``Lap`` boundary): no distance or
    time is added across it. A point dated before the last accepted one (a clock jump, a file
    written out of order) is discarded whole and counted in ``backwards``: moving time then
    never exceeds the first-to-last span. Elevation gain is smoothed (``ElevationGain``); a
    track that never moves (an indoor trainer's file) has none.
    """

    def __init__(self) -> None:
        self.hr = HrTimeline()
        self.stream = StreamBuilder()
        self.elevation = ElevationGain()
        self.first_time: datetime | None = None
        self.last_time: datetime | None = None
        self.distance_m = 0.0
        self.moving_s = 0.0
        self.points = 0
        self.backwards = 0
        self._prev_pos: tuple[float, float] | None = None
        self._prev_time: datetime | None = None

    def new_segment(self) -> None:
        self._prev_pos = self._prev_time = None
        self.elevation.new_segment()

    def add(
        self,
        *,
        when: datetime | None,
        lat: float | None = None,
        lon: float | None = None,
        ele: float | None = None,
        hr: float | None = None,
        extra: dict[str, float | None] | None = None,
    ) -> None:
        self.points += 1
        if when is not None and self.last_time is not None and when < self.last_time:
            self.backwards += 1
            return
        if lat is not None and lon is not None:
            if self._prev_pos is not None:
                self.distance_m += haversine_m(*self._prev_pos, lat, lon)
            self._prev_pos = (lat, lon)
        self.elevation.add(ele)
        if when is None:
            return
        if self._prev_time is not None:
            self.moving_s += (when - self._prev_time).total_seconds()
        self._prev_time = when
        self.first_time = self.first_time or when
        self.last_time = when
        self.hr.add(when, hr)
        values = {"distance_m": self.distance_m if self._prev_pos else None, "heart_rate": hr}
        self.stream.add(when, values | {"altitude_m": ele, "lat": lat, "lon": lon} | (extra or {}))

    def elevation_gain(self) -> float | None:
        """The smoothed climb, or ``None`` without elevations or without movement."""
        if not self.elevation.points or self.distance_m <= 0:
            return None
        return round(self.elevation.total(), 1)

    def stream_window(self) -> tuple[StreamData, float] | None:
        if self.first_time is None or self.last_time is None:
            return None
        return self.stream.window(self.first_time, self.last_time)


def backwards_message(filename: str, totals: TrackTotals) -> str:
    """What a file whose clock jumps back lost (the activity itself is still imported)."""
    return (
        f"{filename}: {totals.backwards} of {totals.points} points are dated before the point "
        "preceding them (the recording's clock jumped back); they were left out so moving "
        "time stays within the elapsed time."
    )


_SPORT_WORDS = {
    "run": "running",
    "running": "running",
    "trail_running": "trail_running",
    "treadmill_running": "treadmill_running",
    "bike": "cycling",
    "biking": "cycling",
    "cycling": "cycling",
    "ride": "cycling",
    "road_biking": "road_biking",
    "road_cycling": "road_biking",
    "mountain_biking": "mountain_biking",
    "gravel_cycling": "gravel_cycling",
    "indoor_cycling": "indoor_cycling",
    "virtual_ride": "virtual_ride",
    "virtualride": "virtual_ride",
    "e_bike_ride": "e_biking",
    "hike": "hiking",
    "hiking": "hiking",
    "walk": "walking",
    "walking": "walking",
    "swim": "swimming",
    "swimming": "swimming",
    "open_water_swimming": "open_water_swimming",
    "rowing": "rowing",
    "yoga": "yoga",
    "strength": "strength_training",
    "strength_training": "strength_training",
    "weight_training": "strength_training",
    "traditionalstrengthtraining": "strength_training",
    "functionalstrengthtraining": "strength_training",
}
STRAVA_TYPE_NUMBERS = {
    "1": "cycling",
    "2": "alpine_skiing",
    "4": "hiking",
    "9": "running",
    "10": "walking",
    "16": "swimming",
    "17": "virtual_ride",
    "23": "rowing",
}
"""The numbers Strava writes in a GPX export's ``<type>`` (Ride, AlpineSki, Hike, Run, Walk,
Swim, VirtualRide, Rowing), as read by open-source Strava-export converters."""


def normalize_sport(text: str | None) -> str:
    """Map a file's free-text sport (``Biking``, ``road_biking``, Strava's ``9``,
    ``HKWorkoutActivityTypeRunning``) to Cadence's sport names; anything unrecognised is
    ``other``."""
    if not text:
        return "other"
    word = text.strip().lower().removeprefix("hkworkoutactivitytype")
    word = word.replace(" ", "_").replace("-", "_")
    return STRAVA_TYPE_NUMBERS.get(word) or _SPORT_WORDS.get(word, "other")


# --- streams: samples reduced to time buckets while the file is read ---------------------------

STREAM_BUILD_BUCKETS = 4000
"""Buckets a file's samples are held in while it is read (a 10 h ride: 9-18 s per bucket); each
activity's stored stream is then reduced to ``MAX_STREAM_POINTS``. Memory is bounded by this,
whatever the file's length."""
_ROUNDING = {"lat": 5, "lon": 5, "speed_mps": 2, "distance_m": 1}


class StreamBuilder:
    """Time-bucketed means of every channel, in bounded memory.

    Samples must arrive in time order (later ones are ignored when they are earlier than the
    last). Buckets start 1 s wide; whenever there are more than ``max_buckets``, neighbours are
    merged pairwise and the width doubles, so a bucket always holds whole sums and counts.
    """

    def __init__(self, max_buckets: int = STREAM_BUILD_BUCKETS) -> None:
        self.max_buckets = max_buckets
        self.width = 1.0
        self._origin: float | None = None
        self._last = -math.inf
        self._keys: list[int] = []
        self._time = array("d")
        self._count = array("I")
        self._sums: dict[str, array] = {}
        self._hits: dict[str, array] = {}

    def add(self, when: datetime, values: dict[str, float | None]) -> None:
        stamp = when.timestamp()
        if stamp < self._last:
            return
        self._last = stamp
        if self._origin is None:
            self._origin = stamp
        key = int((stamp - self._origin) // self.width)
        if not self._keys or key != self._keys[-1]:
            self._open_bucket(key)
        self._time[-1] += stamp
        self._count[-1] += 1
        for name, value in values.items():
            if value is None or not math.isfinite(value):
                continue
            if name not in self._sums:
                self._sums[name] = array("d", bytes(8 * len(self._keys)))
                self._hits[name] = array("I", bytes(4 * len(self._keys)))
            self._sums[name][-1] += value
            self._hits[name][-1] += 1
        if len(self._keys) > self.max_buckets:
            self._halve()

    def _open_bucket(self, key: int) -> None:
        self._keys.append(key)
        self._time.append(0.0)
        self._count.append(0)
        for name in self._sums:
            self._sums[name].append(0.0)
            self._hits[name].append(0)

    def _halve(self) -> None:
        self.width *= 2
        groups = _runs([key // 2 for key in self._keys])
        self._keys = [key for key, *_ in groups]
        self._time = _merged(self._time, groups, "d")
        self._count = _merged(self._count, groups, "I")
        self._sums = {name: _merged(values, groups, "d") for name, values in self._sums.items()}
        self._hits = {name: _merged(values, groups, "I") for name, values in self._hits.items()}

    def window(
        self, start: datetime, end: datetime, *, max_points: int = MAX_STREAM_POINTS
    ) -> tuple[StreamData, float] | None:
        """The buckets whose mean time lies in ``[start, end]``, reduced to ``max_points``, with
        ``t`` counted from ``start``; and the resulting bucket width. ``None`` when empty."""
        lo, hi = start.timestamp(), end.timestamp()
        chosen = [
            i
            for i, count in enumerate(self._count)
            if count and lo <= self._time[i] / count <= hi + self.width
        ]
        if not chosen:
            return None
        step = math.ceil(len(chosen) / max_points)
        groups = [chosen[i : i + step] for i in range(0, len(chosen), step)]
        data: dict[str, list[float | None]] = {
            "t": [
                round(sum(self._time[i] for i in g) / sum(self._count[i] for i in g) - lo, 1)
                for g in groups
            ]
        }
        for name in self._sums:
            column = [self._mean(name, g) for g in groups]
            if any(value is not None for value in column):
                data[name] = column
        if "speed_mps" not in data and "distance_m" in data:
            data["speed_mps"] = _derived_speed(data["t"], data["distance_m"])
        return StreamData.model_validate(data), self.width * step

    def _mean(self, name: str, indexes: list[int]) -> float | None:
        hits = sum(self._hits[name][i] for i in indexes)
        if not hits:
            return None
        return round(sum(self._sums[name][i] for i in indexes) / hits, _ROUNDING.get(name, 1))


def _derived_speed(times: list, distances: list) -> list[float | None]:
    """Speed between consecutive buckets, for files that record positions but no speed."""
    speeds: list[float | None] = [None]
    for i in range(1, len(times)):
        d0, d1, dt = distances[i - 1], distances[i], times[i] - times[i - 1]
        ok = d0 is not None and d1 is not None and dt > 0 and d1 >= d0
        speeds.append(round((d1 - d0) / dt, 2) if ok else None)
    if len(speeds) > 1:
        speeds[0] = speeds[1]
    return speeds


def _runs(keys: list[int]) -> list[tuple[int, int, int]]:
    """``(key, first, last+1)`` of each run of equal consecutive keys."""
    runs: list[tuple[int, int, int]] = []
    for index, key in enumerate(keys):
        if runs and runs[-1][0] == key:
            runs[-1] = (key, runs[-1][1], index + 1)
        else:
            runs.append((key, index, index + 1))
    return runs


def _merged(values: array, groups: list[tuple[int, int, int]], typecode: str) -> array:
    return array(typecode, (sum(values[first:last]) for _, first, last in groups))


# --- elevation gain, smoothed as gpxpy does ----------------------------------------------------


class ElevationGain:
    """Total climb of a track, computed as gpxpy's ``get_uphill_downhill`` does.

    Per segment, each elevation is replaced by ``0.3 x previous + 0.4 x itself + 0.3 x next``
    (the first and last are kept as they are), and the gain is the sum of the rises between
    consecutive smoothed values. This removes most GPS/barometer jitter (a raw sum of rises
    counts every 1 m wobble as climbing). Points without elevation are skipped. Streaming: only
    the last three elevations are kept.
    """

    def __init__(self) -> None:
        self.gain_m = 0.0
        self.points = 0
        self._window: list[float] = []
        self._previous_smoothed: float | None = None

    def new_segment(self) -> None:
        self._flush()
        self._window = []
        self._previous_smoothed = None

    def add(self, elevation: float | None) -> None:
        if elevation is None:
            return
        self.points += 1
        self._window.append(elevation)
        if len(self._window) == 1:
            self._rise_to(elevation)  # a segment's first point is kept unsmoothed
        elif len(self._window) == 3:
            before, current, after = self._window
            self._rise_to(0.3 * before + 0.4 * current + 0.3 * after)
            self._window.pop(0)

    def total(self) -> float:
        """The gain including the pending last point of the current segment."""
        self._flush()
        return self.gain_m

    def _flush(self) -> None:
        if len(self._window) >= 2:
            self._rise_to(self._window[-1])  # the last point is kept unsmoothed
        self._window = []

    def _rise_to(self, smoothed: float) -> None:
        if self._previous_smoothed is not None and smoothed > self._previous_smoothed:
            self.gain_m += smoothed - self._previous_smoothed
        self._previous_smoothed = smoothed
