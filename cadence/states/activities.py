"""Activities pages: the training timeline and one activity's detail.

Reads go through ``cadence.services.activities`` as the signed-in user; the services' typed
results are turned here into display-ready strings (in the user's time zone and units), chart
points and the route drawing, so components stay presentational.
"""

from __future__ import annotations

import math
from datetime import datetime

import reflex as rx

from cadence import routes
from cadence.display import signed
from cadence.models.activity import SPORT_FAMILY_NAMES, ActivityDetail, StreamData
from cadence.models.health import ActivityPage, ActivityPublic
from cadence.models.preferences import DistanceUnit
from cadence.services import activities, preferences
from cadence.services import activity_text as text
from cadence.services.errors import DomainError
from cadence.services.units import distance_from_m
from cadence.services.userday import UserDay
from cadence.states.auth import AuthState

PER_PAGE = 20
LIST_ROUTE = routes.ACTIVITIES
DETAIL_ROUTE = routes.ACTIVITY_VIEW
WORKOUT_ROUTE = routes.WORKOUT_VIEW
ALL_SPORTS = "all"
ROUTE_BOX = 1000
"""The route drawing's longer side, in SVG units."""
SLOWEST_PACE_S = 30 * 60
"""Paces slower than this per km/mi (standing still) are left out of the pace chart."""
SPORT_ICONS = {
    "running": "footprints",
    "cycling": "bike",
    "swimming": "waves",
    "walking": "mountain",
    "strength": "dumbbell",
    "multisport": "medal",
    "other": "activity",
}


def _source_names(sources: list[str]) -> str:
    return " + ".join(activities.SOURCE_LABELS.get(s, s) for s in sources)


def _when(day: UserDay, start: datetime) -> str:
    return day.local(start).strftime("%a %-d %b %Y · %H:%M")


def timeline_item(item: ActivityPublic, *, day: UserDay, unit: DistanceUnit) -> dict[str, str]:
    """One timeline card: sport, local date, duration, distance, HR, load, sources."""
    family = activities.sport_family(item.sport)
    facts = [text.clock(item.duration_s)]
    if item.distance_m:
        facts.append(text.distance_text(item.distance_m, unit))
    if item.avg_hr:
        facts.append(f"{item.avg_hr:.0f} bpm")
    if item.leg_count:
        facts.append(f"{item.leg_count} legs")
    return {
        "id": str(item.id),
        "href": f"{DETAIL_ROUTE}?id={item.id}",
        "icon": SPORT_ICONS[family],
        "title": text.sport_label(item.sport),
        "when": _when(day, item.start_time),
        "facts": " · ".join(facts),
        "load": f"load {item.load:.0f}" if item.load is not None else "no HR",
        "sources": _source_names(item.sources),
    }


def route_points(stream: StreamData | None) -> tuple[str, str]:
    """The track as SVG polyline points in a box whose longer side is ``ROUTE_BOX`` (an
    equirectangular projection, x scaled by cos(latitude)), and the viewBox; empty without
    positions."""
    if stream is None or not stream.lat or not stream.lon:
        return "", ""
    pairs = [(la, lo) for la, lo in zip(stream.lat, stream.lon, strict=True) if la and lo]
    if len(pairs) < 2:
        return "", ""
    scale_x = math.cos(math.radians(sum(la for la, _ in pairs) / len(pairs)))
    xs = [lo * scale_x for _, lo in pairs]
    ys = [-la for la, _ in pairs]
    width, height = max(xs) - min(xs), max(ys) - min(ys)
    span = max(width, height) or 1e-9
    factor = ROUTE_BOX / span
    points = " ".join(
        f"{(x - min(xs)) * factor:.1f},{(y - min(ys)) * factor:.1f}"
        for x, y in zip(xs, ys, strict=True)
    )
    pad = ROUTE_BOX * 0.04
    box = f"{-pad:.0f} {-pad:.0f} {width * factor + 2 * pad:.0f} {height * factor + 2 * pad:.0f}"
    return points, box


def chart_points(detail: ActivityDetail, *, unit: DistanceUnit) -> list[dict]:
    """One point per stored bucket: minutes and distance (for the x axis) and each channel."""
    stream = detail.streams
    if stream is None:
        return []
    pace = text.uses_pace(detail.sport)
    length = text.unit_metres(unit)
    start_distance = next((d for d in stream.distance_m or [] if d is not None), 0.0)
    rows = []
    for i, seconds in enumerate(stream.t):
        speed = _at(stream.speed_mps, i)
        distance = _at(stream.distance_m, i)
        row = {
            "minutes": round(seconds / 60, 2),
            "distance": round(distance_from_m(distance - start_distance, unit), 3)
            if distance is not None
            else None,
            "hr": _at(stream.heart_rate, i),
            "altitude": _at(stream.altitude_m, i),
            "power": _at(stream.power_w, i),
            "cadence": _at(stream.cadence, i),
        }
        if speed is not None and pace:
            per_unit = length / speed if speed > 0 else None
            row["pace"] = (
                round(per_unit / 60, 2) if per_unit and per_unit <= SLOWEST_PACE_S else None
            )
        elif speed is not None:
            row["speed"] = round(speed * 3600 / length, 1)
        rows.append(row)
    return rows


def _at(values: list[float | None] | None, index: int) -> float | None:
    return values[index] if values and index < len(values) else None


def _zone_rows(detail: ActivityDetail) -> list[dict[str, str]]:
    if detail.hr_zones is None:
        return []
    rows = []
    for zone in detail.hr_zones.zones:
        if zone.zone == 0 and not zone.seconds:
            continue
        if zone.low_bpm is None:
            bounds = f"< {zone.high_bpm} bpm"
        elif zone.high_bpm is None:
            bounds = f"≥ {zone.low_bpm} bpm"
        else:
            bounds = f"{zone.low_bpm}-{zone.high_bpm - 1} bpm"
        rows.append(
            {
                "label": "Below Z1" if zone.zone == 0 else f"Z{zone.zone}",
                "bounds": bounds,
                "time": text.clock(zone.seconds),
                "share": f"{zone.share:.0%}",
                "width": f"{max(zone.share * 100, 0.5):.1f}%",
            }
        )
    return rows


def _lap_rows(detail: ActivityDetail, unit: DistanceUnit) -> list[dict[str, str]]:
    return [
        {
            "number": str(lap.number),
            "time": text.clock(lap.duration_s),
            "distance": text.distance_text(lap.distance_m, unit),
            "pace": text.pace_or_speed(
                sport=detail.sport, distance_m=lap.distance_m, seconds=lap.duration_s, unit=unit
            ),
            "hr": f"{lap.avg_hr:.0f}" if lap.avg_hr else "—",
        }
        for lap in detail.laps
    ]


def _split_rows(detail: ActivityDetail, unit: DistanceUnit) -> list[dict[str, str]]:
    return [
        {
            "number": str(split.number),
            "distance": text.distance_text(split.distance_m, unit),
            "time": text.clock(split.duration_s),
            "pace": text.pace_or_speed(
                sport=detail.sport,
                distance_m=split.distance_m,
                seconds=split.duration_s,
                unit=unit,
            ),
            "hr": f"{split.avg_hr:.0f}" if split.avg_hr else "—",
            "elevation": f"{signed(split.elevation_change_m)} m"
            if split.elevation_change_m is not None
            else "—",
        }
        for split in detail.splits
    ]


class ActivityListState(AuthState):
    """The timeline: ``?page=N&sport=family``."""

    items: list[dict[str, str]] = []
    page: int = 1
    total: int = 0
    sport: str = ALL_SPORTS
    loaded: bool = False
    error: str = ""

    @rx.var
    def pages(self) -> int:
        return max(1, math.ceil(self.total / PER_PAGE))

    @rx.var
    def page_label(self) -> str:
        noun = "session" if self.total == 1 else "sessions"
        return f"Page {self.page} of {self.pages} · {self.total} {noun}"

    @rx.var
    def sport_options(self) -> list[str]:
        return [ALL_SPORTS, *SPORT_FAMILY_NAMES]

    @rx.event
    async def load(self):
        params = self.router.url.query_parameters
        raw = str(params.get("page", "1"))
        self.page = int(raw) if raw.isdigit() and int(raw) > 0 else 1
        sport = str(params.get("sport", ALL_SPORTS))
        self.sport = sport if sport in SPORT_FAMILY_NAMES else ALL_SPORTS
        await self._fetch()

    async def _fetch(self) -> None:
        page, sport = self.page, None if self.sport == ALL_SPORTS else self.sport

        def read(session, user) -> tuple[ActivityPage, UserDay, DistanceUnit]:
            found = activities.timeline(
                session=session, user_id=user.id, page=page, per_page=PER_PAGE, sport=sport
            )
            row = preferences.stored(session=session, user_id=user.id)
            day = preferences.user_day(session=session, user_id=user.id)
            return found, day, "mi" if row.distance_unit == "mi" else "km"

        try:
            found, day, unit = await self.as_user(read)
        except DomainError as exc:
            self.error = exc.message
            self.loaded = True
            return
        self.error = ""
        self.total = found.total
        self.items = [timeline_item(item, day=day, unit=unit) for item in found.activities]
        self.loaded = True

    @rx.event
    async def go_to(self, page: int):
        self.page = max(1, min(page, self.pages))
        await self._fetch()

    @rx.event
    async def set_sport(self, sport: str):
        self.sport = sport if sport in SPORT_FAMILY_NAMES else ALL_SPORTS
        self.page = 1
        await self._fetch()


class ActivityDetailState(AuthState):
    """``/activities/view?id=N``."""

    activity_id: int = 0
    title: str = ""
    when: str = ""
    sources: str = ""
    totals: list[dict[str, str]] = []
    route: str = ""
    route_box: str = ""
    points: list[dict] = []
    x_axis: str = "minutes"
    distance_label: str = "km"
    has_hr: bool = False
    has_pace: bool = False
    has_speed: bool = False
    has_altitude: bool = False
    has_power: bool = False
    has_cadence: bool = False
    zones: list[dict[str, str]] = []
    zones_note: str = ""
    laps: list[dict[str, str]] = []
    splits: list[dict[str, str]] = []
    split_unit: str = "km"
    load_text: str = ""
    load_explanation: str = ""
    device_load: str = ""
    legs: list[dict[str, str]] = []
    parent_href: str = ""
    copies_note: str = ""
    workout_href: str = ""
    error: str = ""
    loaded: bool = False

    pace_label: str = "Pace"
    pace_title: str = ""
    speed_title: str = ""

    @rx.var
    def x_label(self) -> str:
        return "minutes" if self.x_axis == "minutes" else self.distance_label

    @rx.event
    async def load(self):
        raw = str(self.router.url.query_parameters.get("id", ""))
        self.loaded, self.error = False, ""
        if not raw.isdigit() or not 0 < int(raw) < 2**31:
            self.error = "No activity was chosen."
            self.loaded = True
            return
        activity_id = int(raw)

        def read(session, user) -> tuple[ActivityDetail, UserDay]:
            detail = activities.get_activity(
                session=session, user_id=user.id, activity_id=activity_id
            )
            return detail, preferences.user_day(session=session, user_id=user.id)

        try:
            detail, day = await self.as_user(read)
        except DomainError as exc:
            self.error = exc.message
            self.loaded = True
            return
        self._apply(detail, day)
        self.loaded = True

    def _apply(self, detail: ActivityDetail, day: UserDay) -> None:
        unit = detail.split_unit
        self.activity_id = detail.id
        self.title = text.sport_label(detail.sport)
        self.when = _when(day, detail.start_time)
        self.sources = _source_names(detail.sources)
        self.totals = [{"label": k, "value": v} for k, v in text.totals(detail, unit)]
        self.route, self.route_box = route_points(detail.streams)
        self.points = chart_points(detail, unit=unit)
        self.distance_label = unit
        self.pace_label = "Pace" if text.uses_pace(detail.sport) else "Speed"
        self.pace_title = f"Pace (min/{unit})"
        self.speed_title = f"Speed ({text.SPEED_UNITS[unit]})"
        self.x_axis = "minutes"
        present = {key for row in self.points for key, value in row.items() if value is not None}
        self.has_hr, self.has_pace = "hr" in present, "pace" in present
        self.has_speed, self.has_altitude = "speed" in present, "altitude" in present
        self.has_power, self.has_cadence = "power" in present, "cadence" in present
        self.zones = _zone_rows(detail)
        if detail.hr_zones is not None:
            origin = (
                "your zones from Settings"
                if detail.hr_zones.origin == "user"
                else f"default zones: 50/60/70/80/90 % of max HR {detail.hr_zones.max_hr} bpm"
            )
            self.zones_note = f"Time in each heart-rate zone ({origin})."
        self.laps = _lap_rows(detail, unit)
        self.splits = _split_rows(detail, unit)
        self.split_unit = unit
        load = detail.load_detail
        self.load_text = f"{load.value:.0f}" if load.value is not None else "—"
        self.load_explanation = load.explanation
        self.device_load = (
            f"The {load.device_load_label}: {load.device_load:.1f}"
            if load.device_load is not None
            else ""
        )
        self.legs = [timeline_item(leg, day=day, unit=unit) for leg in detail.legs]
        self.parent_href = f"{DETAIL_ROUTE}?id={detail.parent_id}" if detail.parent_id else ""
        self.copies_note = (
            f"Recorded by {self.sources}: shown once, from the {_source_names([detail.source])}."
            if detail.copies
            else ""
        )
        self.workout_href = f"{WORKOUT_ROUTE}?id={detail.workout_id}" if detail.workout_id else ""

    @rx.event
    def set_x_axis(self, value: str | list[str]):
        self.x_axis = "distance" if value == "distance" else "minutes"

    @rx.event
    async def delete(self):
        activity_id = self.activity_id
        try:
            await self.as_user(
                lambda session, user: activities.delete_activity(
                    session=session, user_id=user.id, activity_id=activity_id
                )
            )
        except DomainError as exc:
            self.error = exc.message
            return
        yield rx.redirect(LIST_ROUTE)
