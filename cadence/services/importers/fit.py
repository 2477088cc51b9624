"""Garmin/ANT FIT activity files, decoded with ``fitdecode`` in one streamed pass.

What is read:

- ``record`` messages: heart rate, distance, speed, altitude, power, cadence and position go
  into a bounded, time-bucketed stream (``StreamBuilder``) and an HR timeline; a record dated
  before the previous one (a clock jump) is left out of both.
- ``session`` messages: one activity each. A file with several sessions (a triathlon, a
  duathlon) is one ``multisport`` activity with one leg per session (transitions included);
  the parent's totals are the legs' sums.
- ``lap`` messages: the laps of the session they start in. ``hr`` messages: swim HR.
- ``set`` messages (Garmin strength training): a workout linked to the activity
  (``fit_strength``).

Rules for the files people really have:

- A file with records always gives an activity. A session whose start is missing or broken
  (before 1980) or whose ``total_timer_time`` is missing takes them from its records: the
  first record for the start, the time between records (gaps over 30 s are pauses) for the
  moving time, the record span for the elapsed time. A file without a usable session (or
  without any) is rebuilt from its records. When nothing can be kept the message says why.
- Moving time never exceeds elapsed time: a session whose timer runs past its wall clock (an
  inverted pair) takes the larger of its elapsed time and its record span as elapsed, and the
  moving time is capped there.
- ``total_calories: 0`` is "not recorded".
- Garmin's load of a multisport leg (``training_load_peak``) is a running total across the legs
  on the devices that write it, so legs and parent keep no device load; their Cadence load
  (TRIMP from heart rate) is computed per leg as for any session.

Chained files (several FIT headers) are read to the end. A file that breaks off keeps what was
decoded before the break; the error names the file, the byte offset and what was kept.
"""

from __future__ import annotations

import warnings
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import BinaryIO

import fitdecode
from sqlmodel import Session

from cadence.models.activity import MAX_LAPS, LapIn
from cadence.models.health import ActivityIn
from cadence.services import preferences
from cadence.services.importers.base import ImportResult
from cadence.services.importers.common import (
    MAX_SAMPLE_GAP_S,
    ElevationGain,
    HrTimeline,
    ParsedActivity,
    StreamBuilder,
    activity_external_id,
    histogram_avg_max,
    store_parsed_activities,
    valid_time,
)
from cadence.services.importers.fit_strength import WatchSet, watch_set, workout_from_sets

SOURCE = "fit"
MULTISPORT = "multisport"
SEMICIRCLE_DEGREES = 180 / 2**31
_GENERIC_SPORTS = {"generic", "training", "fitness_equipment", None}
_STRENGTH_NAME = "Strength training"


@dataclass
class _Decoded:
    sessions: list[dict] = field(default_factory=list)
    laps: list[dict] = field(default_factory=list)
    sets: list[tuple[datetime | None, WatchSet]] = field(default_factory=list)
    record_hr: HrTimeline = field(default_factory=HrTimeline)
    beat_hr: HrTimeline = field(default_factory=HrTimeline)
    stream: StreamBuilder = field(default_factory=StreamBuilder)
    record_times: array = field(default_factory=lambda: array("d"))
    record_distance: array = field(default_factory=lambda: array("d"))
    file_type: str | None = None
    sport: str | None = None
    sport_name: str | None = None
    records: int = 0
    undated_records: int = 0
    error: str | None = None


@dataclass(frozen=True)
class _Window:
    """The time span of one session, and what its records say about it."""

    start: datetime
    end: datetime
    moving_s: float
    span_s: float
    distance_m: float | None


class FitImporter:
    kind = "fit"

    def matches(self, *, filename: str, head: bytes) -> bool:
        return filename.lower().endswith(".fit") or head[8:12] == b".FIT"

    def run(
        self, *, session: Session, user_id: int, filename: str, stream: BinaryIO, dry_run: bool
    ) -> ImportResult:
        result = ImportResult()
        decoded = decode(stream)
        if decoded.file_type not in (None, "activity"):
            result.errors.append(
                f"{filename}: a FIT '{decoded.file_type}' file, not a recorded activity; "
                "export the activity file from the device or Garmin Connect."
            )
            return result
        parsed = build_activity(decoded)
        if parsed is not None and decoded.sets:
            _attach_workout(parsed, decoded, session=session, user_id=user_id)
        items = [parsed] if parsed is not None else []
        if decoded.error:
            kept = "kept the 1 activity decoded before it" if items else "nothing kept"
            result.errors.append(f"{filename}: {decoded.error}; {kept}.")
        elif not items:
            result.errors.append(f"{filename}: {_why_empty(decoded)}")
        store_parsed_activities(
            session=session, user_id=user_id, items=items, result=result, dry_run=dry_run
        )
        return result


def _why_empty(decoded: _Decoded) -> str:
    if decoded.records and decoded.undated_records == decoded.records:
        return (
            f"none of its {decoded.records} records has a usable date (all before "
            "1980 or missing), so there is no activity to import."
        )
    if decoded.sessions:
        return (
            f"its {len(decoded.sessions)} session(s) have no usable start time and the file "
            "has no dated records to take it from, so there is no activity to import."
        )
    return "no activity in this FIT file (no session and no records)."


# --- decoding -------------------------------------------------------------------------------------


def decode(stream: BinaryIO) -> _Decoded:
    """Read every message we use; a decoding error stops the read and is described in ``error``."""
    decoded = _Decoded()
    previous_beat: datetime | None = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # lenient mode reports recoverable oddities as warnings
            reader = fitdecode.FitReader(
                stream,
                check_crc=fitdecode.CrcCheck.WARN,
                error_handling=fitdecode.ErrorHandling.WARN,
            )
            for frame in reader:
                if isinstance(frame, fitdecode.FitDataMessage):
                    previous_beat = _take(frame, decoded, previous_beat)
    except fitdecode.FitHeaderError as exc:
        decoded.error = f"not a readable FIT file ({exc})"
    except fitdecode.FitEOFError as exc:
        decoded.error = f"the file is cut off ({exc})"
    except (fitdecode.FitError, ValueError, KeyError, TypeError, IndexError) as exc:
        decoded.error = f"the file is corrupt ({exc.__class__.__name__}: {exc})"
    return decoded


def _take(frame: fitdecode.FitDataMessage, decoded: _Decoded, previous_beat):
    name = frame.name
    if name == "record":
        _take_record(frame, decoded)
    elif name == "session":
        decoded.sessions.append(_fields(frame))
    elif name == "lap" and len(decoded.laps) < MAX_LAPS * 4:
        decoded.laps.append(_fields(frame))
    elif name == "set":
        values = _fields(frame)
        found = watch_set(values)
        if found is not None:
            decoded.sets.append((valid_time(values.get("start_time")), found))
    elif name == "file_id" and decoded.file_type is None:
        file_type = _value(frame, "type")
        decoded.file_type = file_type if isinstance(file_type, str) else None
    elif name == "sport" and decoded.sport is None:
        decoded.sport = _value(frame, "sport")
        label = _value(frame, "name")
        decoded.sport_name = label.strip() if isinstance(label, str) and label.strip() else None
    elif name == "hr":
        return _take_beats(frame, decoded, previous_beat)
    return previous_beat


def _fields(frame: fitdecode.FitDataMessage) -> dict:
    return {f.name: f.value for f in frame.fields}


def _take_record(frame: fitdecode.FitDataMessage, decoded: _Decoded) -> None:
    decoded.records += 1
    when = valid_time(_value(frame, "timestamp"))
    if when is None:
        decoded.undated_records += 1
        return
    stamp = when.timestamp()
    if decoded.record_times and stamp < decoded.record_times[-1]:
        return  # a clock jump backwards: the stream and HR timeline stay in time order
    distance = _number(_value(frame, "distance"))
    decoded.record_times.append(stamp)
    decoded.record_distance.append(distance if distance is not None else float("nan"))
    heart_rate = _number(_value(frame, "heart_rate"))
    decoded.record_hr.add(when, heart_rate)
    decoded.stream.add(
        when,
        {
            "distance_m": distance,
            "heart_rate": heart_rate if heart_rate and 20 <= heart_rate <= 250 else None,
            "speed_mps": _first_number(frame, "enhanced_speed", "speed"),
            "altitude_m": _first_number(frame, "enhanced_altitude", "altitude"),
            "power_w": _number(_value(frame, "power")),
            "cadence": _number(_value(frame, "cadence")),
            "lat": _degrees(_value(frame, "position_lat")),
            "lon": _degrees(_value(frame, "position_long")),
        },
    )


def _take_beats(frame: fitdecode.FitDataMessage, decoded: _Decoded, previous: datetime | None):
    """``hr`` messages carry up to 8 filtered bpm values ending at ``event_timestamp``."""
    stamp = _value(frame, "event_timestamp")
    bpms = _value(frame, "filtered_bpm")
    if not isinstance(stamp, datetime):
        return valid_time(_value(frame, "timestamp")) or previous
    stamp = valid_time(stamp)
    values = bpms if isinstance(bpms, tuple) else (bpms,)
    if stamp is not None and previous is not None and stamp > previous:
        step = (stamp - previous) / len(values)
        for i, bpm in enumerate(values, start=1):
            decoded.beat_hr.add(previous + step * i, bpm)
    return stamp or previous


def _value(frame: fitdecode.FitDataMessage, name: str):
    return frame.get_value(name, fallback=None) if frame.has_field(name) else None


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _first_number(frame: fitdecode.FitDataMessage, *names: str) -> float | None:
    for name in names:
        value = _number(_value(frame, name))
        if value is not None:
            return value
    return None


def _degrees(semicircles: object) -> float | None:
    value = _number(semicircles)
    if value is None:
        return None
    degrees = value * SEMICIRCLE_DEGREES
    return degrees if -180 <= degrees <= 180 and value != 0 else None


# --- building activities --------------------------------------------------------------------------


def build_activity(decoded: _Decoded) -> ParsedActivity | None:
    """One activity (a multisport parent with legs when the file has several sessions)."""
    windows = _session_windows(decoded)
    legs = [
        _session_activity(data, window, decoded)
        for data, window in zip(decoded.sessions, windows, strict=True)
        if window is not None
    ]
    if not legs:
        whole = _records_window(decoded, None, None)
        return _records_activity(decoded, whole) if whole is not None else None
    if len(legs) == 1:
        return legs[0]
    return _multisport(legs, decoded)


def _session_windows(decoded: _Decoded) -> list[_Window | None]:
    """Each session's time span: its own start and elapsed time when usable, else what its
    records say (the records after the previous session, up to this session's end)."""
    windows: list[_Window | None] = []
    previous_end: datetime | None = None
    single = len(decoded.sessions) == 1
    for data in decoded.sessions:
        start = valid_time(data.get("start_time"))
        times = (_number(data.get(k)) for k in ("total_elapsed_time", "total_timer_time"))
        length = max((t for t in times if t), default=None)
        end_stamp = valid_time(data.get("timestamp"))
        ends = [
            e
            for e in (end_stamp, start + timedelta(seconds=length) if start and length else None)
            if e is not None and (start is None or e > start)
        ]
        end = max(ends, default=None)
        lower = start or (None if single else previous_end)
        window = _records_window(decoded, lower, None if single else end)
        if window is not None and start is not None and end is not None:
            window = _Window(
                start, max(end, window.end), window.moving_s, window.span_s, window.distance_m
            )
        elif window is None and start is not None and end is not None and end > start:
            window = _Window(start, end, 0.0, 0.0, None)
        windows.append(window)
        if window is not None:
            previous_end = window.end
    return windows


def _records_window(
    decoded: _Decoded, start: datetime | None, end: datetime | None
) -> _Window | None:
    """The records between ``start`` and ``end`` (either open): first and last time, moving
    time (gaps over ``MAX_SAMPLE_GAP_S`` are pauses) and distance covered."""
    times = decoded.record_times
    lo = 0 if start is None else bisect_left(times, start.timestamp())
    hi = len(times) if end is None else bisect_right(times, end.timestamp())
    if hi - lo < 1:
        return None
    moving = sum(
        gap for i in range(lo, hi - 1) if (gap := times[i + 1] - times[i]) <= MAX_SAMPLE_GAP_S
    )
    distances = [d for d in decoded.record_distance[lo:hi] if d == d]  # NaN = no distance
    first = datetime.fromtimestamp(times[lo], UTC)
    last = datetime.fromtimestamp(times[hi - 1], UTC)
    return _Window(
        start=first,
        end=last,
        moving_s=round(moving, 3),
        span_s=(last - first).total_seconds(),
        distance_m=round(max(distances) - min(distances), 2) if distances else None,
    )


def _sport(sport: object, sub_sport: object) -> str:
    sport = sport if isinstance(sport, str) else None
    sub = sub_sport if isinstance(sub_sport, str) and sub_sport != "generic" else None
    if sport in _GENERIC_SPORTS and sub:
        return sub
    return sport or sub or "other"


def _session_activity(data: dict, window: _Window, decoded: _Decoded) -> ParsedActivity:
    start = valid_time(data.get("start_time")) or window.start
    end = window.end
    histogram = _histogram(decoded, start, end)
    sample_avg, sample_max = histogram_avg_max(histogram)
    sport = _sport(data.get("sport"), data.get("sub_sport"))
    timer = _number(data.get("total_timer_time"))
    elapsed = _number(data.get("total_elapsed_time"))
    if timer is None:
        timer = window.moving_s
    if elapsed is None or timer > elapsed:  # missing, or inverted: the wall clock decides
        elapsed = max(elapsed or 0.0, window.span_s, timer if elapsed is None else 0.0)
    activity = ActivityIn(
        source=SOURCE,
        external_id=activity_external_id(start, sport),
        sport=sport,
        start_time=start,
        duration_s=timer,
        elapsed_s=elapsed,
        distance_m=_number(data.get("total_distance")) or window.distance_m,
        avg_hr=_number(data.get("avg_heart_rate")) or sample_avg,
        max_hr=_number(data.get("max_heart_rate")) or sample_max,
        calories=_number(data.get("total_calories")),
        elevation_gain_m=_number(data.get("total_ascent")),
        load=_number(data.get("training_load_peak")) or _number(data.get("training_stress_score")),
        hr_histogram=histogram,
    )
    return _with_details(activity, decoded, start, end)


def _records_activity(decoded: _Decoded, window: _Window) -> ParsedActivity:
    """An activity rebuilt from records alone (no usable session summary)."""
    histogram = _histogram(decoded, window.start, window.end)
    avg_hr, max_hr = histogram_avg_max(histogram)
    sport = _sport(decoded.sport, None)
    activity = ActivityIn(
        source=SOURCE,
        external_id=activity_external_id(window.start, sport),
        sport=sport,
        start_time=window.start,
        duration_s=window.moving_s,
        elapsed_s=window.span_s,
        distance_m=window.distance_m,
        avg_hr=avg_hr,
        max_hr=max_hr,
        hr_histogram=histogram,
    )
    parsed = _with_details(activity, decoded, window.start, window.end)
    if parsed.stream and parsed.stream.altitude_m:
        parsed.activity.elevation_gain_m = _stream_gain(parsed.stream.altitude_m)
    return parsed


def _stream_gain(altitudes: list[float | None]) -> float:
    gain = ElevationGain()
    for value in altitudes:
        gain.add(value)
    return round(gain.total(), 1)


def _histogram(decoded: _Decoded, start: datetime, end: datetime) -> list[list[float]] | None:
    return max(
        (decoded.record_hr.histogram(start, end), decoded.beat_hr.histogram(start, end)),
        key=lambda h: sum(secs for _, secs in h or ()),
    )


def _with_details(
    activity: ActivityIn, decoded: _Decoded, start: datetime, end: datetime
) -> ParsedActivity:
    window = decoded.stream.window(start, end)
    return ParsedActivity(
        activity=activity,
        stream=window[0] if window else None,
        stream_resolution_s=window[1] if window else None,
        laps=_laps_in(decoded, start, end),
    )


def _laps_in(decoded: _Decoded, start: datetime, end: datetime) -> list[LapIn]:
    """The laps starting inside ``[start, end]`` (none when the device wrote only one); a lap
    without heart rate takes it from the samples inside it."""
    laps = []
    for data in decoded.laps:
        lap_start = valid_time(data.get("start_time"))
        timer = _number(data.get("total_timer_time"))
        if lap_start is None or timer is None or not start - _SLACK <= lap_start <= end:
            continue
        elapsed = _number(data.get("total_elapsed_time"))
        lap_end = lap_start + timedelta(seconds=elapsed or timer)
        sample_avg, sample_max = histogram_avg_max(_histogram(decoded, lap_start, lap_end))
        laps.append(
            LapIn(
                start_time=lap_start,
                duration_s=timer,
                elapsed_s=elapsed,
                distance_m=_number(data.get("total_distance")),
                avg_hr=_number(data.get("avg_heart_rate")) or sample_avg,
                max_hr=_number(data.get("max_heart_rate")) or sample_max,
                avg_speed_mps=_number(data.get("enhanced_avg_speed"))
                or _number(data.get("avg_speed")),
                avg_power_w=_number(data.get("avg_power")),
                avg_cadence=_number(data.get("avg_cadence")),
                calories=_number(data.get("total_calories")) or None,
                elevation_gain_m=_number(data.get("total_ascent")),
            )
        )
    return laps[:MAX_LAPS] if len(laps) > 1 else []


_SLACK = timedelta(seconds=1)


def _multisport(legs: list[ParsedActivity], decoded: _Decoded) -> ParsedActivity:
    """One parent for a multisport file: the legs' sums, their merged HR histogram, the whole
    stream; no device load on the parent or the legs (see the module docstring)."""
    for leg in legs:
        leg.activity.load = None
    first, last = legs[0].activity, legs[-1].activity
    start = first.start_time
    end = last.start_time + timedelta(seconds=last.elapsed_s or last.duration_s)
    seconds: Counter[float] = Counter()
    for leg in legs:
        for bpm, secs in leg.activity.hr_histogram or ():
            seconds[bpm] += secs
    histogram = [[bpm, round(secs, 1)] for bpm, secs in sorted(seconds.items())] or None
    avg_hr, max_hr = histogram_avg_max(histogram)
    activity = ActivityIn(
        source=SOURCE,
        external_id=activity_external_id(start, MULTISPORT),
        sport=MULTISPORT,
        start_time=start,
        duration_s=round(sum(leg.activity.duration_s for leg in legs), 3),
        elapsed_s=(end - start).total_seconds(),
        distance_m=_sum(leg.activity.distance_m for leg in legs),
        avg_hr=avg_hr,
        max_hr=max_hr,
        calories=_sum(leg.activity.calories for leg in legs),
        elevation_gain_m=_sum(leg.activity.elevation_gain_m for leg in legs),
        hr_histogram=histogram,
    )
    parent = _with_details(activity, decoded, start, end)
    parent.laps = []
    parent.legs = legs
    return parent


def _sum(values) -> float | None:
    present = [v for v in values if v is not None]
    return round(sum(present), 2) if present else None


def _attach_workout(
    parsed: ParsedActivity, decoded: _Decoded, *, session: Session, user_id: int
) -> None:
    """The sets of a strength session become a workout dated on the user's local day."""
    activity = parsed.activity
    day = preferences.user_day(session=session, user_id=user_id).day_of(activity.start_time)
    name = decoded.sport_name or _STRENGTH_NAME
    sets = [found for _, found in sorted(decoded.sets, key=lambda s: s[0] or activity.start_time)]
    minutes = (activity.elapsed_s or activity.duration_s) / 60
    parsed.workout = workout_from_sets(sets, day=day, name=name, minutes=minutes)
