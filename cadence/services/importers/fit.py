"""Garmin/ANT FIT activity files, decoded with ``fitdecode``.

One activity per ``session`` message (a triathlon gives one per leg and transition). HR comes from
``record.heart_rate`` samples inside each session's time window, or, for swims that store it in
``hr`` messages, from those beats. Chained files (several FIT headers) are read to the end. A file
that breaks off (truncated, corrupt) keeps what was decoded before the break: the sessions already
read, or, when the device never wrote a session summary, one activity rebuilt from the records; the
error names the file, the byte offset and what was kept.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise
from typing import BinaryIO

import fitdecode
from sqlmodel import Session

from cadence.models.health import ActivityIn
from cadence.services.importers.base import ImportResult
from cadence.services.importers.common import (
    MAX_SAMPLE_GAP_S,
    HrTimeline,
    activity_external_id,
    histogram_avg_max,
    store_activities,
    valid_time,
)

SOURCE = "fit"
_GENERIC_SPORTS = {"generic", "training", "fitness_equipment", None}


@dataclass
class _Decoded:
    sessions: list[dict] = field(default_factory=list)
    record_hr: HrTimeline = field(default_factory=HrTimeline)
    beat_hr: HrTimeline = field(default_factory=HrTimeline)
    record_times: list[datetime] = field(default_factory=list)
    last_distance: float | None = None
    sport: str | None = None
    records: int = 0
    error: str | None = None


class FitImporter:
    kind = "fit"

    def matches(self, *, filename: str, head: bytes) -> bool:
        return filename.lower().endswith(".fit") or head[8:12] == b".FIT"

    def run(
        self, *, session: Session, user_id: int, filename: str, stream: BinaryIO, dry_run: bool
    ) -> ImportResult:
        result = ImportResult()
        decoded = decode(stream)
        items = [_session_activity(s, decoded) for s in decoded.sessions]
        items = [item for item in items if item is not None]
        if not decoded.sessions and decoded.records:
            recovered = _activity_from_records(decoded)
            items += [recovered] if recovered else []
        if decoded.error:
            plural = "activity" if len(items) == 1 else "activities"
            kept = f"kept the {len(items)} {plural} decoded before it" if items else "nothing kept"
            result.errors.append(f"{filename}: {decoded.error}; {kept}.")
        elif not items:
            result.errors.append(f"{filename}: no activity (session or records) in this FIT file.")
        store_activities(
            session=session, user_id=user_id, items=items, result=result, dry_run=dry_run
        )
        return result


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
        decoded.records += 1
        when = valid_time(_value(frame, "timestamp"))
        if when is not None:
            if not decoded.record_times or when >= decoded.record_times[-1]:
                decoded.record_times.append(when)
            decoded.record_hr.add(when, _value(frame, "heart_rate"))
        distance = _value(frame, "distance")
        if isinstance(distance, int | float):
            decoded.last_distance = max(decoded.last_distance or 0.0, float(distance))
    elif name == "session":
        decoded.sessions.append({f.name: f.value for f in frame.fields})
    elif name == "sport" and decoded.sport is None:
        decoded.sport = _value(frame, "sport")
    elif name == "hr":
        return _take_beats(frame, decoded, previous_beat)
    return previous_beat


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


def _sport(sport: object, sub_sport: object) -> str:
    sport = sport if isinstance(sport, str) else None
    sub = sub_sport if isinstance(sub_sport, str) and sub_sport != "generic" else None
    if sport in _GENERIC_SPORTS and sub:
        return sub
    return sport or sub or "other"


def _session_activity(data: dict, decoded: _Decoded) -> ActivityIn | None:
    start = valid_time(data.get("start_time"))
    timer = data.get("total_timer_time")
    if start is None or not isinstance(timer, int | float):
        return None
    elapsed = data.get("total_elapsed_time")
    end = start + timedelta(seconds=float(elapsed or timer))
    histogram = max(
        (decoded.record_hr.histogram(start, end), decoded.beat_hr.histogram(start, end)),
        key=lambda h: sum(secs for _, secs in h or ()),
    )
    sample_avg, sample_max = histogram_avg_max(histogram)
    sport = _sport(data.get("sport"), data.get("sub_sport"))
    return ActivityIn(
        source=SOURCE,
        external_id=activity_external_id(start, sport),
        sport=sport,
        start_time=start,
        duration_s=float(timer),
        elapsed_s=_number(elapsed),
        distance_m=_number(data.get("total_distance")),
        avg_hr=_number(data.get("avg_heart_rate")) or sample_avg,
        max_hr=_number(data.get("max_heart_rate")) or sample_max,
        calories=_number(data.get("total_calories")),
        elevation_gain_m=_number(data.get("total_ascent")),
        load=_number(data.get("training_load_peak")) or _number(data.get("training_stress_score")),
        hr_histogram=histogram,
    )


def _activity_from_records(decoded: _Decoded) -> ActivityIn | None:
    """Rebuild an activity from records when the session summary is missing (cut-off file)."""
    times = decoded.record_times
    if len(times) < 2:
        return None
    gaps = (b.timestamp() - a.timestamp() for a, b in pairwise(times))
    moving = sum(gap for gap in gaps if gap <= MAX_SAMPLE_GAP_S)
    histogram = decoded.record_hr.histogram()
    avg_hr, max_hr = histogram_avg_max(histogram)
    sport = _sport(decoded.sport, None)
    return ActivityIn(
        source=SOURCE,
        external_id=activity_external_id(times[0], sport),
        sport=sport,
        start_time=times[0],
        duration_s=round(moving, 3),
        elapsed_s=(times[-1] - times[0]).total_seconds(),
        distance_m=decoded.last_distance,
        avg_hr=avg_hr,
        max_hr=max_hr,
        hr_histogram=histogram,
    )


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
