"""Second recordings of one session, for the tests of "the same session from two sources"."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import fitdecode

DEGREES_PER_SEMICIRCLE = 180 / 2**31


def gpx_copy_of(path: Path, target: Path) -> Path:
    """The same run as a GPX file (its records' time, position, elevation and HR), as Strava
    or Garmin Connect would export it: a second source of one session."""
    points = []
    with fitdecode.FitReader(path) as reader:
        for frame in reader:
            if isinstance(frame, fitdecode.FitDataMessage) and frame.name == "record":
                lat, lon = frame.get_value("position_lat"), frame.get_value("position_long")
                if lat is None or lon is None:
                    continue
                when = frame.get_value("timestamp").astimezone(UTC)
                points.append(
                    f'<trkpt lat="{lat * DEGREES_PER_SEMICIRCLE:.7f}" '
                    f'lon="{lon * DEGREES_PER_SEMICIRCLE:.7f}">'
                    f"<ele>{frame.get_value('enhanced_altitude'):.1f}</ele>"
                    f"<time>{when:%Y-%m-%dT%H:%M:%SZ}</time>"
                    "<extensions><gpxtpx:TrackPointExtension>"
                    f"<gpxtpx:hr>{frame.get_value('heart_rate')}</gpxtpx:hr>"
                    "</gpxtpx:TrackPointExtension></extensions></trkpt>"
                )
    target.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
        f"<trk><type>running</type><trkseg>{''.join(points)}</trkseg></trk></gpx>"
    )
    return target
