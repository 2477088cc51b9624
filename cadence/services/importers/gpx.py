"""GPX 1.0/1.1 tracks (one activity per file), streamed with the standard library's ``iterparse``.

Heart rate, cadence and power are read from a point's ``<extensions>`` (Garmin's
``TrackPointExtension`` and its look-alikes: any ``hr``, ``cad``/``cadence``, ``power``/``watts``
and ``speed`` element). Distance is the sum of great-circle steps inside each segment,
``duration_s`` the time spent inside segments (gaps between segments are pauses), ``elapsed_s``
first to last timestamp. Elevation gain is smoothed as gpxpy smooths it (``ElevationGain``);
a track without movement (an indoor trainer) has none. Points dated before the point before
them are left out and reported. The sport comes from the track's ``<type>`` (words such as
``road_biking``, or the numbers Strava writes). Points with no usable time still count for
distance; a file with no timed track point is rejected with a clear error. A downsampled
stream (distance, HR, speed, elevation, cadence, power, position) is stored for the charts.
"""

from __future__ import annotations

from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError

from sqlmodel import Session

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

SOURCE = "gpx"
_POINT_FIELDS = {
    "time": "time",
    "ele": "ele",
    "hr": "hr",
    "cad": "cadence",
    "cadence": "cadence",
    "power": "power",
    "watts": "power",
    "speed": "speed",
}


class GpxImporter:
    kind = "gpx"

    def matches(self, *, filename: str, head: bytes) -> bool:
        return filename.lower().endswith(".gpx") or b"<gpx" in head[:1024]

    def run(
        self, *, session: Session, user_id: int, filename: str, stream: BinaryIO, dry_run: bool
    ) -> ImportResult:
        result = ImportResult()
        try:
            totals, sport = _read(stream)
        except ParseError as exc:
            result.errors.append(f"{filename}: not valid GPX/XML ({exc}).")
            return result
        if totals.first_time is None:
            result.errors.append(
                f"{filename}: no track point with a usable timestamp "
                f"({totals.points} point(s) read), so there is no activity to import."
            )
            return result
        if totals.backwards:
            result.errors.append(backwards_message(filename, totals))
        store_parsed_activities(
            session=session,
            user_id=user_id,
            items=[_activity(totals, sport)],
            result=result,
            dry_run=dry_run,
        )
        return result


def _read(stream: BinaryIO) -> tuple[TrackTotals, str]:
    totals = TrackTotals()
    sport = "other"
    point: dict[str, str | None] = {}
    in_point = False
    segment: Element | None = None
    for event, elem in xml_events(stream):
        name = local_name(elem.tag)
        if event == "start":
            if name in ("trkpt", "rtept"):
                in_point = True
                point = {"lat": elem.get("lat"), "lon": elem.get("lon")}
            elif name in ("trkseg", "rte"):
                totals.new_segment()
                segment = elem
            continue
        if in_point and name in _POINT_FIELDS:
            point[_POINT_FIELDS[name]] = elem.text
        elif name == "type" and not in_point and sport == "other":
            sport = normalize_sport(elem.text)
        elif name in ("trkpt", "rtept"):
            in_point = False
            totals.add(
                when=parse_iso_time(point.get("time")),
                lat=parse_float(point.get("lat")),
                lon=parse_float(point.get("lon")),
                ele=parse_float(point.get("ele")),
                hr=parse_float(point.get("hr")),
                extra={
                    "cadence": parse_float(point.get("cadence")),
                    "power_w": parse_float(point.get("power")),
                    "speed_mps": parse_float(point.get("speed")),
                },
            )
            forget(elem, segment)
        elif name in ("trkseg", "wpt"):
            elem.clear()
    return totals, sport


def _activity(totals: TrackTotals, sport: str) -> ParsedActivity:
    assert totals.first_time is not None and totals.last_time is not None
    histogram = totals.hr.histogram()
    avg_hr, max_hr = histogram_avg_max(histogram)
    window = totals.stream_window()
    activity = ActivityIn(
        source=SOURCE,
        external_id=activity_external_id(totals.first_time, sport),
        sport=sport,
        start_time=totals.first_time,
        duration_s=round(totals.moving_s, 3),
        elapsed_s=(totals.last_time - totals.first_time).total_seconds(),
        distance_m=round(totals.distance_m, 2),
        avg_hr=avg_hr,
        max_hr=max_hr,
        elevation_gain_m=totals.elevation_gain(),
        hr_histogram=histogram,
    )
    return ParsedActivity(
        activity=activity,
        stream=window[0] if window else None,
        stream_resolution_s=window[1] if window else None,
    )
