"""Garmin Training Center (TCX) activities, streamed with ``iterparse``; one activity per
``<Activity>``.

Totals come from the file's own lap summaries: ``duration_s`` = Σ ``TotalTimeSeconds``,
``distance_m`` = Σ lap ``DistanceMeters``, calories = Σ ``Calories``, ``avg_hr`` = the lap
averages weighted by lap time, ``max_hr`` = the highest lap maximum. Trackpoints give the HR
histogram, the elevation gain (smoothed as for GPX), ``elapsed_s`` (activity start to last
trackpoint) and the downsampled stream (the trackpoints' own ``DistanceMeters`` when written,
speed, watts and cadence from Garmin's ``TPX`` extension); each ``<Lap>`` is stored as a lap.
Trackpoints dated before the one before them are left out and reported, as in GPX.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError

from sqlmodel import Session

from cadence.models.activity import MAX_LAPS, LapIn
from cadence.models.health import ActivityIn
from cadence.services.importers.base import ImportResult
from cadence.services.importers.common import (
    ParsedActivity,
    TrackTotals,
    activity_external_id,
    backwards_message,
    forget,
    histogram_avg_max,
    local_name,
    normalize_sport,
    parse_float,
    parse_iso_time,
    store_parsed_activities,
)
from cadence.services.importers.xml_stream import xml_events

SOURCE = "tcx"


@dataclass
class _Lap:
    start_text: str | None = None
    seconds: float = 0.0
    distance: float | None = None
    calories: float | None = None
    avg_hr: float | None = None
    max_hr: float | None = None
    cadence: float | None = None
    avg_speed: float | None = None
    avg_watts: float | None = None


@dataclass
class _Activity:
    sport: str
    start_text: str | None = None
    laps: list[_Lap] = field(default_factory=list)
    track: TrackTotals = field(default_factory=TrackTotals)


class TcxImporter:
    kind = "tcx"

    def matches(self, *, filename: str, head: bytes) -> bool:
        return filename.lower().endswith(".tcx") or b"<TrainingCenterDatabase" in head[:2048]

    def run(
        self, *, session: Session, user_id: int, filename: str, stream: BinaryIO, dry_run: bool
    ) -> ImportResult:
        result = ImportResult()
        items: list[ParsedActivity] = []
        try:
            for parsed in _read(stream):
                item = _to_activity(parsed)
                if item is None:
                    result.errors.append(f"{filename}: an activity has no start time; skipped.")
                    continue
                items.append(item)
                if parsed.track.backwards:
                    result.errors.append(backwards_message(filename, parsed.track))
        except ParseError as exc:
            result.errors.append(f"{filename}: not valid TCX/XML ({exc}).")
        if not items and not result.errors:
            result.errors.append(f"{filename}: no <Activity> in this TCX file.")
        store_parsed_activities(
            session=session, user_id=user_id, items=items, result=result, dry_run=dry_run
        )
        return result


def _read(stream: BinaryIO):
    """Yield each ``_Activity`` as soon as its closing tag is read."""
    stack: list[str] = []
    current: _Activity | None = None
    point: dict[str, str | None] = {}
    track: Element | None = None
    for event, elem in xml_events(stream):
        name = local_name(elem.tag)
        if event == "start":
            stack.append(name)
            if name == "Track":
                track = elem
            if name == "Activity":
                current = _Activity(sport=normalize_sport(elem.get("Sport")))
            elif name == "Lap" and current is not None:
                current.laps.append(_Lap(start_text=elem.get("StartTime")))
                current.track.new_segment()
            elif name == "Trackpoint":
                point = {}
            continue
        stack.pop()
        parent = stack[-1] if stack else ""
        if current is None:
            continue
        if name == "Activity":
            yield current
            current = None
            elem.clear()
        elif name == "Id" and parent == "Activity":
            current.start_text = elem.text
        elif parent == "Lap" and current.laps:
            _take_lap_field(current.laps[-1], name, elem)
        elif name == "Value" and parent in ("AverageHeartRateBpm", "MaximumHeartRateBpm"):
            _take_lap_hr(current, stack, parent, elem.text)
        elif name in ("AvgSpeed", "AvgWatts") and "Lap" in stack and current.laps:
            _take_lap_extension(current.laps[-1], name, elem.text)
        elif "Trackpoint" in stack:
            key = "Value" if name == "Value" else name
            point[key] = elem.text
        elif name == "Trackpoint":
            _add_point(current.track, point)
            forget(elem, track)


def _take_lap_field(lap: _Lap, name: str, elem: Element) -> None:
    if name == "TotalTimeSeconds":
        lap.seconds = parse_float(elem.text) or 0.0
    elif name == "DistanceMeters":
        lap.distance = parse_float(elem.text)
    elif name == "Calories":
        lap.calories = parse_float(elem.text)
    elif name == "Cadence":
        lap.cadence = parse_float(elem.text)


def _take_lap_extension(lap: _Lap, name: str, text: str | None) -> None:
    if name == "AvgSpeed":
        lap.avg_speed = parse_float(text)
    else:
        lap.avg_watts = parse_float(text)


def _take_lap_hr(current: _Activity, stack: list[str], parent: str, text: str | None) -> None:
    if len(stack) >= 2 and stack[-2] == "Lap" and current.laps:
        lap = current.laps[-1]
        if parent == "AverageHeartRateBpm":
            lap.avg_hr = parse_float(text)
        else:
            lap.max_hr = parse_float(text)


def _add_point(track: TrackTotals, point: dict[str, str | None]) -> None:
    track.add(
        when=parse_iso_time(point.get("Time")),
        lat=parse_float(point.get("LatitudeDegrees")),
        lon=parse_float(point.get("LongitudeDegrees")),
        ele=parse_float(point.get("AltitudeMeters")),
        hr=parse_float(point.get("Value")),
        extra={
            "speed_mps": parse_float(point.get("Speed")),
            "power_w": parse_float(point.get("Watts")),
            "cadence": parse_float(point.get("Cadence") or point.get("RunCadence")),
        }
        | _device_distance(point),
    )


def _device_distance(point: dict[str, str | None]) -> dict[str, float | None]:
    """The trackpoint's own cumulative distance, when the device wrote one."""
    distance = parse_float(point.get("DistanceMeters"))
    return {"distance_m": distance} if distance is not None else {}


def _to_activity(parsed: _Activity) -> ParsedActivity | None:
    start = parse_iso_time(parsed.start_text) or parsed.track.first_time
    if start is None:
        return None
    laps = parsed.laps
    timed = [lap for lap in laps if lap.avg_hr is not None and lap.seconds > 0]
    lap_seconds = sum(lap.seconds for lap in timed)
    histogram = parsed.track.hr.histogram()
    sample_avg, sample_max = histogram_avg_max(histogram)
    last = _end(parsed, start)
    activity = ActivityIn(
        source=SOURCE,
        external_id=activity_external_id(start, parsed.sport),
        sport=parsed.sport,
        start_time=start,
        duration_s=round(sum(lap.seconds for lap in laps), 3),
        elapsed_s=(last - start).total_seconds() if last and last > start else None,
        distance_m=_total(lap.distance for lap in laps),
        avg_hr=round(sum(lap.avg_hr * lap.seconds for lap in timed) / lap_seconds, 1)
        if lap_seconds
        else sample_avg,
        max_hr=max((lap.max_hr for lap in laps if lap.max_hr is not None), default=sample_max),
        calories=_total(lap.calories for lap in laps),
        elevation_gain_m=parsed.track.elevation_gain(),
        hr_histogram=histogram,
    )
    window = parsed.track.stream.window(start, last) if last else None
    return ParsedActivity(
        activity=activity,
        stream=window[0] if window else None,
        stream_resolution_s=window[1] if window else None,
        laps=_laps(laps, start) if len(laps) > 1 else [],
    )


def _end(parsed: _Activity, start: datetime) -> datetime | None:
    """The activity's end: its last trackpoint, or later by the laps' timers when those run
    past it by no more than the rounding of whole-second timestamps (up to 1 s per lap: lap
    timers have sub-second precision, trackpoint and lap start times often not). A timer that
    runs past the wall clock by more is not believed (moving time is then capped)."""
    last = parsed.track.last_time
    timer_end = start + timedelta(seconds=sum(lap.seconds for lap in parsed.laps))
    if last is None:
        return timer_end if parsed.laps else None
    overrun = (timer_end - last).total_seconds()
    return timer_end if 0 < overrun <= len(parsed.laps) else last


def _laps(laps: list[_Lap], start: datetime) -> list[LapIn]:
    return [
        LapIn(
            start_time=parse_iso_time(lap.start_text) or start,
            duration_s=lap.seconds,
            distance_m=lap.distance,
            avg_hr=lap.avg_hr,
            max_hr=lap.max_hr,
            avg_speed_mps=lap.avg_speed,
            avg_power_w=lap.avg_watts,
            avg_cadence=lap.cadence,
            calories=lap.calories or None,
        )
        for lap in laps[:MAX_LAPS]
    ]


def _total(values) -> float | None:
    present = [v for v in values if v is not None]
    return round(sum(present), 3) if present else None
