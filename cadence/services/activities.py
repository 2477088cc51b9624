"""Activities: idempotent upserts keyed by (user, source, external id), the distinct-sessions
rule, the training timeline, one activity's detail, deletion, and the date-range read the
analytics use.

A multisport file is one parent activity (``sport="multisport"``) with its legs
(``parent_id``); everything that counts sessions (timeline, analytics, the coach) reads
top-level activities only, so a triathlon is one session whose legs are its parts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Protocol

from sqlalchemy import delete, func, insert, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from cadence.models.activity import (
    SPORT_FAMILY_NAMES,
    SPORT_FAMILY_WORDS,
    ActivityCopy,
    ActivityDetail,
    ActivityLap,
    ActivityStream,
    HeartRateZones,
    LapIn,
    LapPublic,
    LapValues,
    LoadDetail,
    SplitPublic,
    StreamData,
    ZoneTime,
)
from cadence.models.common import as_utc, utcnow
from cadence.models.health import Activity, ActivityIn, ActivityPage, ActivityPublic
from cadence.models.preferences import DistanceUnit, UserPreferences
from cadence.services import analytics, data_version, physiology, preferences
from cadence.services.errors import InvalidInput, NotFound
from cadence.services.units import METRES_PER_KM, METRES_PER_MILE

MAX_PER_PAGE = 100
COPY_START_S = 120
COPY_DURATION_SHARE = 0.1
COPY_DURATION_FLOOR_S = 60.0
ACTIVITY_SOURCE_PRIORITY: tuple[str, ...] = (
    "fit",
    "tcx",
    "garmin",
    "apple_health",
    "gpx",
    "strava",
    "whoop",
    "oura",
    "demo",
)
"""Which copy of one session to keep (after "has an HR histogram"): files with every sample
first, then device APIs."""
MULTISPORT = "multisport"
MIN_LAST_SPLIT_SHARE = 0.05
"""A last partial split shorter than this share of a km/mi is left out (GPS noise at the end)."""
_LOOKUP_CHUNK = 500
RECENT_LOOKUP = 200
"""Sessions searched when the coach asks for "my latest" one of a sport."""

SOURCE_LABELS = {
    "fit": "FIT file",
    "tcx": "TCX file",
    "gpx": "GPX file",
    "apple_health": "Apple Health",
    "garmin": "Garmin Connect",
    "strava": "Strava",
    "whoop": "WHOOP",
    "oura": "Oura",
    "demo": "Demo data",
}
DEVICE_LOAD_LABELS = {
    "fit": "training load written in the file (Garmin's training load, else TSS)",
    "garmin": "Garmin's training load",
    "strava": "Strava's relative effort",
    "whoop": "WHOOP strain",
}


def sport_family(sport: str) -> str:
    """The timeline family of a sport name (see ``SPORT_FAMILY_WORDS``)."""
    name = sport.lower()
    for family, words in SPORT_FAMILY_WORDS.items():
        if any(word in name for word in words):
            return family
    return "other"


# --- writing ------------------------------------------------------------------------------------


def upsert_activities(
    *, session: Session, user_id: int, activities: Iterable[ActivityIn]
) -> dict[str, int]:
    """Store new activities; refresh the fields of ones already stored under the same id.

    Returns ``{"created": n, "duplicates": n}``: an activity seen before is never added twice,
    and a duplicate never makes the stored one poorer: a field the new copy lacks (``null``:
    a re-export without heart rate) keeps its stored value, a field it has replaces it.
    """
    incoming = {(a.source, a.external_id): a for a in activities}
    existing = _rows_by_key(session=session, user_id=user_id, keys=list(incoming))
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
            if value is not None:
                setattr(row, name, value)
        row.updated_at = now
        session.add(row)
    if new_rows:  # one multi-row INSERT, no ORM objects
        session.execute(insert(Activity), new_rows)
    session.flush()
    return {"created": len(new_rows), "duplicates": len(incoming) - len(new_rows)}


def _rows_by_key(
    *, session: Session, user_id: int, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], Activity]:
    found: dict[tuple[str, str], Activity] = {}
    for offset in range(0, len(keys), _LOOKUP_CHUNK):
        chunk = keys[offset : offset + _LOOKUP_CHUNK]
        rows = session.exec(
            select(Activity).where(
                Activity.user_id == user_id,
                col(Activity.source).in_({s for s, _ in chunk}),
                col(Activity.external_id).in_({x for _, x in chunk}),
            )
        ).all()
        found.update({(row.source, row.external_id): row for row in rows})
    return found


@dataclass
class ActivityExtras:
    """What an importer stores beside an activity's totals, keyed by (source, external id)."""

    key: tuple[str, str]
    stream: StreamData | None = None
    stream_resolution_s: float | None = None
    laps: list[LapIn] = field(default_factory=list)
    parent_key: tuple[str, str] | None = None
    workout_id: int | None = None


def attach_extras(*, session: Session, user_id: int, extras: Sequence[ActivityExtras]) -> None:
    """Save streams, laps, the parent link and the workout link of stored activities.

    A re-import without streams or laps keeps the stored ones (a poorer copy never replaces a
    richer one); with them, they are replaced.
    """
    keys = [e.key for e in extras] + [e.parent_key for e in extras if e.parent_key]
    rows = _rows_by_key(session=session, user_id=user_id, keys=keys)
    for item in extras:
        row = rows.get(item.key)
        if row is None or row.id is None:
            continue
        parent = rows.get(item.parent_key) if item.parent_key else None
        changes: dict = {}
        if parent is not None and row.parent_id != parent.id:
            changes["parent_id"] = parent.id
        if item.workout_id is not None and row.workout_id != item.workout_id:
            changes["workout_id"] = item.workout_id
        if changes:
            session.execute(update(Activity).where(col(Activity.id) == row.id).values(**changes))
            data_version.mark_changed(session, user_id)
        if item.stream is not None:
            _save_stream(session, row, item.stream, item.stream_resolution_s or 1.0)
        if item.laps:
            _save_laps(session, row, item.laps)
    session.flush()


def _save_stream(session: Session, row: Activity, stream: StreamData, resolution: float) -> None:
    session.execute(delete(ActivityStream).where(col(ActivityStream.activity_id) == row.id))
    session.execute(
        insert(ActivityStream),
        [
            {
                "activity_id": row.id,
                "user_id": row.user_id,
                "points": len(stream.t),
                "resolution_s": resolution,
                "data": stream.model_dump(exclude_none=True),
            }
        ],
    )


def _save_laps(session: Session, row: Activity, laps: Sequence[LapIn]) -> None:
    session.execute(delete(ActivityLap).where(col(ActivityLap.activity_id) == row.id))
    session.execute(
        insert(ActivityLap),
        [
            lap.model_dump() | {"activity_id": row.id, "user_id": row.user_id, "position": i}
            for i, lap in enumerate(laps)
        ],
    )


def workout_ids_linked(*, session: Session, user_id: int) -> set[int]:
    """Workouts made from a watch's strength sets (their load is the activity's, counted once)."""
    return {
        workout_id
        for workout_id in session.exec(
            select(Activity.workout_id).where(
                Activity.user_id == user_id, col(Activity.workout_id).is_not(None)
            )
        ).all()
        if workout_id is not None
    }


# --- distinct sessions ----------------------------------------------------------------------------


class SessionLike(Protocol):
    """What deciding "the same session" needs of an activity."""

    source: str
    start_time: datetime
    duration_s: float


@dataclass
class DistinctSession:
    """One real session: the copy Cadence keeps and the other sources' copies of it."""

    kept: Activity
    copies: list[Activity] = field(default_factory=list)

    @property
    def sources(self) -> list[str]:
        return list(dict.fromkeys([self.kept.source, *(c.source for c in self.copies)]))


def is_copy(a: SessionLike, b: SessionLike) -> bool:
    """The same session from two sources: starts within ``COPY_START_S`` seconds and timer
    durations within 10 % (or a minute, for short sessions)."""
    close = abs((as_utc(b.start_time) - as_utc(a.start_time)).total_seconds()) <= COPY_START_S
    tolerance = max(COPY_DURATION_FLOOR_S, COPY_DURATION_SHARE * max(a.duration_s, b.duration_s))
    return a.source != b.source and close and abs(a.duration_s - b.duration_s) <= tolerance


def distinct_sessions(rows: Sequence[Activity]) -> list[DistinctSession]:
    """Group ``rows`` (sorted by start time) into real sessions, oldest first.

    Of copies, the one with an HR histogram is kept (exact TRIMP), then one with an average HR
    (a load at all), then the source listed first in ``ACTIVITY_SOURCE_PRIORITY`` (files with
    full samples before API summaries): a copy without heart rate never hides one with it.
    """
    groups: list[DistinctSession] = []
    for row in rows:
        group = _recent_group(groups, row)
        if group is None:
            groups.append(DistinctSession(kept=row))
        elif _preference(row) < _preference(group.kept):
            group.copies.append(group.kept)
            group.kept = row
        else:
            group.copies.append(row)
    return groups


def merge_copies_of(rows: list[Activity]) -> list[Activity]:
    """The kept copy of each distinct session among ``rows`` (sorted by start time)."""
    return [group.kept for group in distinct_sessions(rows)]


def _recent_group(groups: list[DistinctSession], row: Activity) -> DistinctSession | None:
    """A group ``row`` is a copy in, looking back only as far as a copy could start."""
    for group in reversed(groups):
        members = [group.kept, *group.copies]
        earliest = min(as_utc(m.start_time) for m in members)
        if (as_utc(row.start_time) - earliest).total_seconds() > 2 * COPY_START_S:
            return None
        if all(m.source != row.source for m in members) and any(is_copy(m, row) for m in members):
            return group
    return None


def _preference(row: Activity) -> tuple[int, int, int]:
    rank = (
        ACTIVITY_SOURCE_PRIORITY.index(row.source)
        if row.source in ACTIVITY_SOURCE_PRIORITY
        else len(ACTIVITY_SOURCE_PRIORITY)
    )
    return (0 if row.hr_histogram else 1, 0 if row.avg_hr is not None else 1, rank)


# --- reading --------------------------------------------------------------------------------------


def list_activities(
    *, session: Session, user_id: int, page: int = 1, per_page: int = 20
) -> tuple[list[Activity], int]:
    """One page of the user's stored sessions (legs excluded, copies not merged), newest first,
    and the total count."""
    _check_page(page, per_page)
    top = (Activity.user_id == user_id, col(Activity.parent_id).is_(None))
    total = session.exec(select(func.count()).select_from(Activity).where(*top)).one()
    rows = session.exec(
        select(Activity)
        .where(*top)
        .order_by(col(Activity.start_time).desc(), col(Activity.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return _aware(rows), int(total)


def _check_page(page: int, per_page: int) -> None:
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput(f"page must be ≥ 1 and per_page 1-{MAX_PER_PAGE}.", field="per_page")


def timeline(
    *, session: Session, user_id: int, page: int = 1, per_page: int = 20, sport: str | None = None
) -> ActivityPage:
    """The training timeline: distinct sessions newest first (one entry per session, with every
    source that recorded it), optionally one sport family (``SPORT_FAMILY_NAMES``)."""
    _check_page(page, per_page)
    if sport is not None and sport not in SPORT_FAMILY_NAMES:
        raise InvalidInput(f"sport must be one of {', '.join(SPORT_FAMILY_NAMES)}.", field="sport")
    groups = session_index(session=session, user_id=user_id)
    if sport is not None:
        groups = [g for g in groups if sport_family(g.kept.sport) == sport]
    groups.reverse()
    chosen = groups[(page - 1) * per_page : page * per_page]
    full = _full_rows(session=session, user_id=user_id, ids=[g.kept.id for g in chosen])
    legs = _leg_counts(session=session, ids=list(full))
    rates = _physiology(session=session, user_id=user_id)
    items = [
        _public(full[g.kept.id], sources=g.sources, legs=legs.get(g.kept.id, 0), hr=rates)
        for g in chosen
        if g.kept.id in full
    ]
    return ActivityPage(activities=items, page=page, per_page=per_page, total=len(groups))


def session_index(
    *, session: Session, user_id: int, between: tuple[datetime, datetime] | None = None
) -> list[DistinctSession]:
    """Every top-level activity (starting ``between`` two UTC instants, when given) grouped
    into sessions, read without its heavy columns."""
    query = (
        select(
            Activity.id,
            Activity.source,
            Activity.sport,
            Activity.start_time,
            Activity.duration_s,
            Activity.avg_hr,
            col(Activity.hr_histogram).is_not(None),
        )
        .where(Activity.user_id == user_id, col(Activity.parent_id).is_(None))
        .order_by(col(Activity.start_time), col(Activity.id))
    )
    if between is not None:
        query = query.where(Activity.start_time >= between[0], Activity.start_time < between[1])
    rows = session.exec(query).all()
    light = [
        Activity(
            id=row_id,
            user_id=user_id,
            source=source,
            external_id="",
            sport=sport,
            start_time=as_utc(start),
            duration_s=duration,
            avg_hr=avg_hr,
            hr_histogram=[[0, 0]] if has_hr else None,
        )
        for row_id, source, sport, start, duration, avg_hr, has_hr in rows
    ]
    return distinct_sessions(light)


def _full_rows(*, session: Session, user_id: int, ids: Sequence[int | None]) -> dict[int, Activity]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    rows = session.exec(
        select(Activity).where(Activity.user_id == user_id, col(Activity.id).in_(wanted))
    ).all()
    return {row.id: row for row in _aware(rows) if row.id is not None}


def _leg_counts(*, session: Session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = session.exec(
        select(Activity.parent_id, func.count())
        .where(col(Activity.parent_id).in_(ids))
        .group_by(col(Activity.parent_id))
    ).all()
    return {parent: int(count) for parent, count in rows if parent is not None}


def activities_between(
    *, session: Session, user_id: int, start: date, end: date, merge_copies: bool = True
) -> list[Activity]:
    """Top-level activities starting on the user's local days ``start`` .. ``end``
    (inclusive), oldest first.

    With ``merge_copies`` (the default, what training-load analytics want) the same session
    recorded by two sources (a Garmin sync and the FIT file uploaded by hand) counts once: see
    ``distinct_sessions``.
    """
    lower, upper = preferences.user_day(session=session, user_id=user_id).span(start, end)
    rows = _aware(
        session.exec(
            select(Activity)
            .where(
                Activity.user_id == user_id,
                col(Activity.parent_id).is_(None),
                Activity.start_time >= lower,
                Activity.start_time < upper,
            )
            .order_by(col(Activity.start_time), col(Activity.id))
        ).all()
    )
    return merge_copies_of(rows) if merge_copies else rows


def legs_of(*, session: Session, user_id: int, parent_id: int) -> list[Activity]:
    """The legs of a multisport session, in order."""
    return _aware(
        session.exec(
            select(Activity)
            .where(Activity.user_id == user_id, Activity.parent_id == parent_id)
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


# --- load ---------------------------------------------------------------------------------------


def _physiology(*, session: Session, user_id: int) -> physiology.Physiology:
    today = preferences.user_day(session=session, user_id=user_id).today()
    return physiology.of_user(session=session, user_id=user_id, on=today)


def _trimp(activity: Activity, hr: physiology.Physiology) -> float | None:
    value = analytics.activity_trimp(
        duration_s=activity.duration_s,
        avg_hr=activity.avg_hr,
        hr_histogram=activity.hr_histogram,
        resting_hr=hr.resting.bpm,
        max_hr=hr.maximum.bpm,
        curve=hr.curve,
    )
    return round(value, 1) if value is not None else None


def _load_detail(activity: Activity, hr: physiology.Physiology) -> LoadDetail:
    value = _trimp(activity, hr)
    rates = hr.describe()
    coverage = None
    if activity.hr_histogram:
        method = "trimp_histogram"
        seconds = sum(s for _, s in activity.hr_histogram)
        coverage = (
            round(min(1.0, seconds / activity.duration_s), 3) if activity.duration_s else None
        )
        share = f" ({coverage:.0%} of the moving time)" if coverage is not None else ""
        text = (
            f"Banister TRIMP summed over {seconds / 60:.0f} minutes of heart-rate samples{share}: "
            f"each minute adds HRr x {hr.curve.a} x e^({hr.curve.b} x HRr), "
            f"HRr = (HR - rest) / (max - rest), with {rates}."
        )
    elif activity.avg_hr is not None:
        method = "trimp_average"
        text = (
            f"Banister TRIMP from the average heart rate ({activity.avg_hr:.0f} bpm) over the "
            f"{activity.duration_s / 60:.0f} minutes of moving time, with {rates} (no samples)."
        )
    else:
        method = "none"
        text = "No heart rate was recorded, so this session has no training load."
    label = DEVICE_LOAD_LABELS.get(activity.source) if activity.load is not None else None
    return LoadDetail(
        value=value,
        method=method,
        resting_hr=hr.resting.bpm,
        resting_hr_origin=hr.resting.origin,
        max_hr=hr.maximum.bpm,
        max_hr_origin=hr.maximum.origin,
        hr_coverage=coverage,
        explanation=text,
        device_load=activity.load,
        device_load_label=label or ("the source's own load figure" if activity.load else None),
    )


def _public(
    activity: Activity, *, sources: list[str], legs: int, hr: physiology.Physiology
) -> ActivityPublic:
    return ActivityPublic(
        id=activity.id or 0,
        source=activity.source,
        sources=sources,
        sport=activity.sport,
        start_time=activity.start_time,
        duration_s=activity.duration_s,
        elapsed_s=activity.elapsed_s,
        distance_m=activity.distance_m,
        avg_hr=activity.avg_hr,
        max_hr=activity.max_hr,
        calories=activity.calories,
        elevation_gain_m=activity.elevation_gain_m,
        load=_trimp(activity, hr),
        device_load=activity.load,
        leg_count=legs,
        workout_id=activity.workout_id,
    )


# --- one activity -------------------------------------------------------------------------------


def _owned(*, session: Session, user_id: int, activity_id: int) -> Activity:
    row = session.exec(
        select(Activity).where(Activity.id == activity_id, Activity.user_id == user_id)
    ).first()
    if row is None:
        raise NotFound("Activity not found.")
    return _aware([row])[0]


def copies_of(*, session: Session, user_id: int, activity: Activity) -> list[Activity]:
    """Other sources' stored recordings of the same session."""
    if activity.parent_id is not None:
        return []
    start = as_utc(activity.start_time)
    nearby = _aware(
        session.exec(
            select(Activity).where(
                Activity.user_id == user_id,
                col(Activity.parent_id).is_(None),
                Activity.id != activity.id,
                Activity.start_time >= start - timedelta(seconds=COPY_START_S),
                Activity.start_time <= start + timedelta(seconds=COPY_START_S),
            )
        ).all()
    )
    return [row for row in nearby if is_copy(activity, row)]


def get_activity(*, session: Session, user_id: int, activity_id: int) -> ActivityDetail:
    """One activity with its streams, laps, auto-splits in the user's unit, HR zone time in the
    user's zones, its load and how it was computed, its copies and (multisport) its legs."""
    activity = _owned(session=session, user_id=user_id, activity_id=activity_id)
    row = preferences.stored(session=session, user_id=user_id)
    hr = _physiology(session=session, user_id=user_id)
    day = preferences.user_day(session=session, user_id=user_id)
    copies = copies_of(session=session, user_id=user_id, activity=activity)
    legs = legs_of(session=session, user_id=user_id, parent_id=activity.id or 0)
    stream_row = session.get(ActivityStream, activity.id)
    stream = StreamData.model_validate(stream_row.data) if stream_row else None
    laps = session.exec(
        select(ActivityLap)
        .where(ActivityLap.activity_id == activity.id, ActivityLap.user_id == user_id)
        .order_by(col(ActivityLap.position))
    ).all()
    unit: DistanceUnit = "mi" if row.distance_unit == "mi" else "km"
    sources = list(dict.fromkeys([activity.source, *(c.source for c in copies)]))
    base = _public(activity, sources=sources, legs=len(legs), hr=hr)
    return ActivityDetail(
        **base.model_dump(),
        timezone=day.timezone,
        local_start=day.local(activity.start_time).isoformat(),
        parent_id=activity.parent_id,
        copies=[ActivityCopy(id=c.id or 0, source=c.source) for c in copies],
        legs=[_public(leg, sources=[leg.source], legs=0, hr=hr) for leg in legs],
        streams=stream,
        stream_resolution_s=stream_row.resolution_s if stream_row else None,
        laps=[_lap_public(i, lap) for i, lap in enumerate(laps, start=1)],
        split_unit=unit,
        splits=auto_splits(stream, unit=unit) if stream and activity.sport != MULTISPORT else [],
        hr_zones=_zones(activity, row),
        load_detail=_load_detail(activity, hr),
    )


def _lap_public(number: int, lap: ActivityLap) -> LapPublic:
    return LapPublic(
        number=number,
        **lap.model_dump(include=set(LapValues.model_fields)),
        start_time=as_utc(lap.start_time),
    )


def _zones(activity: Activity, row: UserPreferences) -> HeartRateZones | None:
    if not activity.hr_histogram:
        return None
    today = preferences.user_today(row)
    bounds, own = preferences.heart_rate_zones(row, today=today)
    return HeartRateZones(
        origin="user" if own else "default",
        max_hr=preferences.max_heart_rate(row, today=today).bpm,
        zones=zone_times(activity.hr_histogram, bounds),
    )


def zone_times(histogram: Sequence[Sequence[float]], bounds: Sequence[int]) -> list[ZoneTime]:
    """Seconds spent in each zone (``bounds`` are the zone 1-5 lower bounds in bpm); zone 0 is
    the time below zone 1. Exact: the histogram holds the time at each bpm."""
    edges = [None, *bounds]
    seconds = [0.0] * len(edges)
    for bpm, secs in histogram:
        zone = sum(1 for low in bounds if bpm >= low)
        seconds[zone] += secs
    total = sum(seconds) or 1.0
    return [
        ZoneTime(
            zone=zone,
            low_bpm=edges[zone],
            high_bpm=bounds[zone] if zone < len(bounds) else None,
            seconds=round(seconds[zone], 1),
            share=round(seconds[zone] / total, 4),
        )
        for zone in range(len(edges))
    ]


def auto_splits(stream: StreamData, *, unit: DistanceUnit) -> list[SplitPublic]:
    """Whole km (or mile) splits from the stream's distance and time, each boundary
    interpolated between the two buckets around it; a last partial split is kept when it is at
    least ``MIN_LAST_SPLIT_SHARE`` of the unit."""
    if not stream.distance_m:
        return []
    length = METRES_PER_MILE if unit == "mi" else METRES_PER_KM
    hr = stream.heart_rate or [None] * len(stream.t)
    altitude = stream.altitude_m or [None] * len(stream.t)
    points = [
        (t, d, h, a)
        for t, d, h, a in zip(stream.t, stream.distance_m, hr, altitude, strict=True)
        if d is not None
    ]
    if len(points) < 2:
        return []
    origin_t, origin_d = points[0][0], points[0][1]
    splits: list[SplitPublic] = []
    start_t, start_alt, members = origin_t, points[0][3], []
    for (t0, d0, _, a0), (t1, d1, h1, a1) in pairwise(points):
        members.append(h1)
        while d1 - origin_d >= (len(splits) + 1) * length and d1 > d0:
            target = origin_d + (len(splits) + 1) * length
            share = (target - d0) / (d1 - d0)
            at = t0 + share * (t1 - t0)
            alt = _between(a0, a1, share)
            splits.append(_split(len(splits) + 1, length, at - start_t, members, start_alt, alt))
            start_t, start_alt, members = at, alt, []
    rest = points[-1][1] - origin_d - len(splits) * length
    if rest >= MIN_LAST_SPLIT_SHARE * length and points[-1][0] > start_t:
        duration = points[-1][0] - start_t
        splits.append(
            _split(len(splits) + 1, rest, duration, members, start_alt, points[-1][3], per=length)
        )
    return splits


def _between(a: float | None, b: float | None, share: float) -> float | None:
    if a is None or b is None:
        return b if a is None else a
    return a + share * (b - a)


def _split(
    number: int,
    distance: float,
    duration: float,
    heart_rates: list[float | None],
    start_alt: float | None,
    end_alt: float | None,
    *,
    per: float | None = None,
) -> SplitPublic:
    rates = [h for h in heart_rates if h is not None]
    unit_length = per or distance
    return SplitPublic(
        number=number,
        distance_m=round(distance, 1),
        duration_s=round(duration, 1),
        pace_s_per_unit=round(duration / distance * unit_length, 1) if distance else None,
        avg_hr=round(sum(rates) / len(rates), 1) if rates else None,
        elevation_change_m=round(end_alt - start_alt, 1)
        if start_alt is not None and end_alt is not None
        else None,
    )


def delete_activity(*, session: Session, user_id: int, activity_id: int) -> int:
    """Delete the session: this recording, the other sources' copies of it, and (multisport)
    its legs, with their streams and laps. A workout made from its sets stays in the log.
    Returns how many activities were deleted."""
    activity = _owned(session=session, user_id=user_id, activity_id=activity_id)
    ids = [
        activity.id,
        *(c.id for c in copies_of(session=session, user_id=user_id, activity=activity)),
    ]
    legs = session.exec(
        select(Activity.id).where(Activity.user_id == user_id, col(Activity.parent_id).in_(ids))
    ).all()
    every = [i for i in [*ids, *legs] if i is not None]
    data_version.mark_changed(session, user_id)
    session.execute(delete(ActivityStream).where(col(ActivityStream.activity_id).in_(every)))
    session.execute(delete(ActivityLap).where(col(ActivityLap.activity_id).in_(every)))
    session.execute(delete(Activity).where(col(Activity.id).in_(legs)))
    session.execute(delete(Activity).where(col(Activity.id).in_(ids), Activity.user_id == user_id))
    session.flush()
    return len(every)


def find_activity(
    *, session: Session, user_id: int, day: date | None, sport: str | None
) -> Activity | None:
    """The session the coach means: on the user's local ``day`` (the longest that day, which is
    what "my long run on Sunday" names) or, without a day, the latest; optionally one sport
    family or sport name."""
    user_day = preferences.user_day(session=session, user_id=user_id)
    query = select(Activity).where(Activity.user_id == user_id, col(Activity.parent_id).is_(None))
    if day is not None:
        lower, upper = user_day.bounds(day)
        query = query.where(Activity.start_time >= lower, Activity.start_time < upper)
    else:
        query = query.order_by(col(Activity.start_time).desc()).limit(RECENT_LOOKUP)
    found = sorted(session.exec(query).all(), key=lambda r: (as_utc(r.start_time), r.id or 0))
    rows = merge_copies_of(_aware(found))
    if sport:
        wanted = sport.strip().lower()
        rows = [r for r in rows if wanted in r.sport.lower() or sport_family(r.sport) == wanted]
    if not rows:
        return None
    if day is not None:
        return max(rows, key=lambda r: r.duration_s)
    return rows[-1]
