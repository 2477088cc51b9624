"""Apple Health "Export All Health Data": ``export.xml`` (alone or inside the export zip).

Streamed with ``iterparse`` and cleared element by element, so memory stays flat however large the
export is: only quarter-hour aggregates and the workout list are kept. Each sample is kept by its
UTC instant (``services.metric_buckets``) and its day is derived in the user's time zone, like an
activity's, so changing the zone re-buckets it; sleep belongs to the night it is part of, counted
on the morning it ends (a stage segment ending before midnight, after 18:00, is part of the next
morning's night: ``userday.night_day``). Several devices (iPhone + Watch) often record the same
steps or sleep; summing them would double count, so per day the source (``sourceName``) with the
largest total wins.

Mapped: resting HR (daily mean), HRV SDNN (daily mean, kept in ``hrv_sdnn_ms``, never as rMSSD),
steps, sleep analysis (asleep/core/deep/REM/awake; in-bed time only when no asleep sample exists),
body mass, respiratory rate, SpO2, and workouts. A workout's HR histogram is built from the
``HeartRate`` samples inside its time window in a second streamed pass, run only when the file has
both workouts and heart-rate samples. A record or workout dated after tomorrow in the user's
time zone (a device clock set years ahead) is refused and reported, never stored as a future
day.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError

from sqlmodel import Session

from cadence.models.health import ActivityIn
from cadence.services import metric_buckets, preferences
from cadence.services.importers.base import ImportResult
from cadence.services.importers.common import (
    HrTimeline,
    activity_external_id,
    normalize_sport,
    parse_float,
    sparse_hr,
    store_activities,
    store_daily_metrics,
    valid_time,
)
from cadence.services.importers.xml_stream import xml_events
from cadence.services.userday import night_day

SOURCE = "apple_health"
_Q = "HKQuantityTypeIdentifier"
_SLEEP = "HKCategoryTypeIdentifierSleepAnalysis"
_MEAN_FIELDS = {
    f"{_Q}RestingHeartRate": "resting_hr",
    f"{_Q}HeartRateVariabilitySDNN": "hrv_sdnn_ms",
    f"{_Q}RespiratoryRate": "respiratory_rate",
    f"{_Q}OxygenSaturation": "spo2_pct",
}
_SLEEP_STAGES = {
    "HKCategoryValueSleepAnalysisAsleep": None,
    "HKCategoryValueSleepAnalysisAsleepUnspecified": None,
    "HKCategoryValueSleepAnalysisAsleepCore": "sleep_light_seconds",
    "HKCategoryValueSleepAnalysisAsleepDeep": "sleep_deep_seconds",
    "HKCategoryValueSleepAnalysisAsleepREM": "sleep_rem_seconds",
}
_DISTANCE_M = {"m": 1.0, "km": 1000.0, "mi": 1609.344, "yd": 0.9144, "ft": 0.3048}
_DURATION_S = {"min": 60.0, "s": 1.0, "sec": 1.0, "hr": 3600.0, "h": 3600.0}
_MASS_KG = {"kg": 1.0, "lb": 0.45359237, "g": 0.001, "st": 6.35029318}


@dataclass
class _Workout:
    start: datetime
    end: datetime
    item: dict
    local_hours: set[str]
    """``YYYY-MM-DD HH`` prefixes (in the workout's own UTC offset) its window touches."""


@dataclass
class _Export:
    latest_day: date = date.max
    """Records dated after this local day (tomorrow in the user's zone) are refused."""
    buckets: metric_buckets.Buckets = field(default_factory=metric_buckets.Buckets)
    workouts: list[_Workout] = field(default_factory=list)
    heart_rate_samples: int = 0
    records: int = 0
    refused: int = 0
    refused_example: str = ""

    def accepts(self, day: date, elem: Element) -> bool:
        """False (and counted) for a record dated after ``latest_day``."""
        if day <= self.latest_day:
            return True
        self.refused += 1
        if not self.refused_example:
            kind = (elem.get("type") or elem.get("workoutActivityType") or elem.tag).replace(_Q, "")
            self.refused_example = f"{kind} dated {day.isoformat()}"
        return False


class AppleHealthImporter:
    kind = "apple_health"

    def matches(self, *, filename: str, head: bytes) -> bool:
        return b"<HealthData" in head or filename.lower().rsplit("/", 1)[-1] == "export.xml"

    def run(
        self, *, session: Session, user_id: int, filename: str, stream: BinaryIO, dry_run: bool
    ) -> ImportResult:
        result = ImportResult()
        calendar = preferences.user_day(session=session, user_id=user_id)
        export = _Export(latest_day=calendar.today() + timedelta(days=1))
        try:
            _first_pass(stream, export)
            if export.workouts and export.heart_rate_samples:
                stream.seek(0)
                _attach_heart_rate(stream, export.workouts)
        except ParseError as exc:
            result.errors.append(
                f"{filename}: the XML breaks off or is malformed ({exc}); "
                "kept what was read before that point."
            )
        days = metric_buckets.daily_rows(
            export.buckets.values.items(), source=SOURCE, calendar=calendar
        )
        if not dry_run:
            metric_buckets.store(
                session=session, user_id=user_id, source=SOURCE, buckets=export.buckets
            )
        store_daily_metrics(
            session=session, user_id=user_id, days=days, result=result, dry_run=dry_run
        )
        store_activities(
            session=session,
            user_id=user_id,
            items=[_to_activity(w) for w in export.workouts],
            result=result,
            dry_run=dry_run,
        )
        if export.refused:
            result.errors.append(
                f"{filename}: {export.refused} record(s) dated after "
                f"{export.latest_day.isoformat()} (tomorrow in {calendar.timezone}) were refused, "
                f"e.g. {export.refused_example}: a device clock set in the future."
            )
        if not export.buckets.values and not export.workouts and not result.errors:
            result.errors.append(
                f"{filename}: no supported Apple Health data (resting HR, HRV, steps, sleep, "
                f"weight, workouts) among its {export.records} records."
            )
        return result


def _top_level_elements(stream: BinaryIO, names: frozenset[str]):
    """Yield each wanted direct child of ``<HealthData>`` when complete, then free it."""
    depth = 0
    root: Element | None = None
    for event, elem in xml_events(stream):
        if event == "start":
            depth += 1
            root = root if root is not None else elem
            continue
        depth -= 1
        if depth == 1:
            if elem.tag in names:
                yield elem
            if root is not None:
                root.clear()


def _first_pass(stream: BinaryIO, export: _Export) -> None:
    for elem in _top_level_elements(stream, frozenset({"Record", "Workout"})):
        if elem.tag == "Workout":
            workout = _workout(elem)
            if workout is not None and export.accepts(_local_day(elem.get("startDate")), elem):
                export.workouts.append(workout)
        else:
            export.records += 1
            _take_record(elem, export)


def _take_record(elem: Element, export: _Export) -> None:
    kind = elem.get("type", "")
    if kind == f"{_Q}HeartRate":
        export.heart_rate_samples += 1
        return
    start, end = elem.get("startDate", ""), elem.get("endDate", "")
    source = elem.get("sourceName", "")
    if kind == _SLEEP:
        _take_sleep(elem, export, start, end, source)
        return
    value = parse_float(elem.get("value"))
    day, instant = _local_day(start), _timestamp(start)
    if value is None or day is None or instant is None or not export.accepts(day, elem):
        return
    if kind in _MEAN_FIELDS:
        if kind == f"{_Q}OxygenSaturation" and value <= 1.0:
            value *= 100.0
        name = metric_buckets.MEAN + _MEAN_FIELDS[kind]
        export.buckets.add(name=name, origin=source, instant=instant, value=value)
    elif kind == f"{_Q}StepCount":
        export.buckets.add(name="steps", origin=source, instant=instant, value=value)
    elif kind == f"{_Q}BodyMass":
        factor = _MASS_KG.get(elem.get("unit", "kg"))
        if factor:
            export.buckets.add(
                name="weight_kg", origin=source, instant=instant, value=value * factor
            )


def _take_sleep(elem: Element, export: _Export, start: str, end: str, source: str) -> None:
    day = _night(end)
    first, last = _timestamp(start), _timestamp(end)
    if day is None or first is None or last is None or last <= first:
        return
    if not export.accepts(day, elem):
        return
    seconds = (last - first).total_seconds()
    value = elem.get("value", "")
    parts = {
        "HKCategoryValueSleepAnalysisAwake": ["sleep_awake_seconds"],
        "HKCategoryValueSleepAnalysisInBed": ["in_bed"],
    }.get(value, [])
    if value in _SLEEP_STAGES:
        parts = ["asleep", *([_SLEEP_STAGES[value]] if _SLEEP_STAGES[value] else [])]
    for part in parts:
        name = metric_buckets.SLEEP + part
        export.buckets.add(name=name, origin=source, instant=last, value=seconds)


def _workout(elem: Element) -> _Workout | None:
    start, end = _timestamp(elem.get("startDate")), _timestamp(elem.get("endDate"))
    if start is None or end is None:
        return None
    duration = parse_float(elem.get("duration"))
    duration_factor = _DURATION_S.get(elem.get("durationUnit", "min"), 60.0)
    distance = parse_float(elem.get("totalDistance"))
    distance_factor = _DISTANCE_M.get(elem.get("totalDistanceUnit", "km"))
    energy = parse_float(elem.get("totalEnergyBurned"))
    if energy is not None and elem.get("totalEnergyBurnedUnit") == "kJ":
        energy /= 4.184
    item: dict = {
        "sport": normalize_sport(elem.get("workoutActivityType")),
        "duration_s": round(duration * duration_factor, 3)
        if duration is not None
        else (end - start).total_seconds(),
        "elapsed_s": (end - start).total_seconds(),
        "distance_m": round(distance * distance_factor, 2)
        if distance is not None and distance_factor
        else None,
        "calories": round(energy, 1) if energy is not None else None,
    }
    for child in elem:
        _take_workout_child(child, item)
    return _Workout(start=start, end=end, item=item, local_hours=_local_hours(elem, end - start))


def _local_hours(elem: Element, span: timedelta) -> set[str]:
    local = datetime.fromisoformat(elem.get("startDate", "")[:19]).replace(minute=0, second=0)
    hours = int(span.total_seconds() // 3600) + 2
    return {f"{local + timedelta(hours=h):%Y-%m-%d %H}" for h in range(hours)}


def _take_workout_child(child: Element, item: dict) -> None:
    """Newer exports put totals in ``WorkoutStatistics`` and elevation in metadata."""
    kind = child.get("type", "")
    if child.tag == "WorkoutStatistics" and kind == f"{_Q}HeartRate":
        item["avg_hr"] = parse_float(child.get("average"))
        item["max_hr"] = parse_float(child.get("maximum"))
    elif child.tag == "WorkoutStatistics" and kind == f"{_Q}ActiveEnergyBurned":
        item["calories"] = item.get("calories") or parse_float(child.get("sum"))
    elif child.tag == "MetadataEntry" and child.get("key") == "HKElevationAscended":
        amount, _, unit = (child.get("value") or "").partition(" ")
        meters = parse_float(amount)
        if meters is not None:
            item["elevation_gain_m"] = round(meters / 100 if unit == "cm" else meters, 1)


def _attach_heart_rate(stream: BinaryIO, workouts: list[_Workout]) -> None:
    """Second pass: collect the HR samples inside each workout's window.

    A sample is only parsed when its local hour prefix is one a workout touches (string test,
    no date parsing for the other ~95 %); a sample written in another UTC offset than its
    workout (a DST change or a flight mid-workout) can be missed.
    """
    ordered = sorted(workouts, key=lambda w: w.start)
    hours = set().union(*(w.local_hours for w in ordered))
    starts = [w.start.timestamp() for w in ordered]
    samples: list[list[tuple[float, float]]] = [[] for _ in ordered]
    for elem in _top_level_elements(stream, frozenset({"Record"})):
        start = elem.get("startDate") or ""
        if start[:13] not in hours or elem.get("type") != f"{_Q}HeartRate":
            continue
        when = _timestamp(start)
        bpm = parse_float(elem.get("value"))
        if when is None or bpm is None:
            continue
        index = bisect_right(starts, when.timestamp()) - 1
        if index >= 0 and when <= ordered[index].end:
            samples[index].append((when.timestamp(), bpm))
    for workout, points in zip(ordered, samples, strict=True):
        timeline = HrTimeline()
        for stamp, bpm in sorted(points):
            timeline.add(datetime.fromtimestamp(stamp, workout.start.tzinfo), bpm)
        histogram, avg, peak = sparse_hr(
            timeline,
            start=workout.start,
            end=workout.end,
            moving_s=float(workout.item.get("duration_s") or 0.0),
        )
        workout.item["hr_histogram"] = histogram
        workout.item["avg_hr"] = workout.item.get("avg_hr") or avg
        workout.item["max_hr"] = workout.item.get("max_hr") or peak


def _to_activity(workout: _Workout) -> ActivityIn:
    return ActivityIn(
        source=SOURCE,
        external_id=activity_external_id(workout.start, workout.item["sport"]),
        start_time=workout.start,
        **workout.item,
    )


def _timestamp(text: str | None) -> datetime | None:
    """Apple's ``2019-06-11 15:00:09 -0700`` → an aware UTC datetime."""
    if not text or len(text) < 25:
        return None
    try:
        return valid_time(datetime.fromisoformat(f"{text[:19]}{text[20:]}"))
    except ValueError:
        return None


def _night(text: str) -> date | None:
    """The night a sleep segment ending at ``text`` (its own local time) belongs to: the stage
    segments of one night before and after midnight are one night (``userday.night_day``)."""
    try:
        return night_day(datetime.fromisoformat(text[:19]))
    except ValueError:
        return None


def _local_day(text: str | None) -> date | None:
    """The calendar day as written (the sample's own local day)."""
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None
