"""GPX and TCX as Strava, Sports Tracker, Garmin and indoor trainers write them: sports named
by words or Strava's numbers, elevation smoothed as gpxpy smooths it, clocks that jump back,
and the streams and laps stored for the detail page."""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from sqlmodel import Session, select

from cadence.models.activity import ActivityLap, ActivityStream
from cadence.models.user import User
from cadence.services import activities
from cadence.services.importers.common import ElevationGain, normalize_sport
from cadence.services.importers.gpx import GpxImporter
from cadence.services.importers.tcx import TcxImporter

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
START = datetime(2026, 6, 14, 7, 0, tzinfo=UTC)


@pytest.fixture
def user_id(session: Session) -> int:
    user = User(email="tracks2@example.com", display_name="T", password_hash="x")
    session.add(user)
    session.commit()
    return user.id


def _run(importer, session, user_id, name: str, data: bytes):
    result = importer.run(
        session=session, user_id=user_id, filename=name, stream=io.BytesIO(data), dry_run=False
    )
    session.commit()
    return result


def _only(session, user_id):
    rows, total = activities.list_activities(session=session, user_id=user_id)
    assert total == 1
    return rows[0]


def _gpx(points: list[tuple[datetime, float, float, float | None]], kind: str = "") -> bytes:
    body = "".join(
        f'<trkpt lat="{lat:.6f}" lon="{lon:.6f}">'
        + (f"<ele>{ele:.1f}</ele>" if ele is not None else "")
        + f"<time>{when:%Y-%m-%dT%H:%M:%SZ}</time></trkpt>"
        for when, lat, lon, ele in points
    )
    kind_tag = f"<type>{kind}</type>" if kind else ""
    return (
        '<?xml version="1.0"?><gpx version="1.1" creator="test" '
        'xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk>{kind_tag}<trkseg>{body}</trkseg></trk></gpx>"
    ).encode()


def _line(count: int, *, step_s: int = 1, ele=lambda i: 100.0):
    return [
        (START + timedelta(seconds=i * step_s), 46.0 + i * 2e-5, 7.0, ele(i)) for i in range(count)
    ]


@pytest.mark.parametrize(
    ("written", "sport"),
    [
        ("road_biking", "road_biking"),
        ("Road Biking", "road_biking"),
        ("1", "cycling"),
        ("9", "running"),
        ("10", "walking"),
        ("16", "swimming"),
        ("17", "virtual_ride"),
        ("mountain_biking", "mountain_biking"),
        ("Biking", "cycling"),
        ("HKWorkoutActivityTypeRunning", "running"),
        ("jkljkl", "other"),
    ],
)
def test_sport_words_and_strava_numbers(written, sport) -> None:
    assert normalize_sport(written) == sport


def test_a_strava_gpx_with_a_numeric_type_is_a_ride(session, user_id) -> None:
    _run(GpxImporter(), session, user_id, "strava.gpx", _gpx(_line(300), kind="1"))
    ride = _only(session, user_id)
    assert ride.sport == "cycling"
    assert activities.sport_family(ride.sport) == "cycling"


def test_elevation_gain_is_smoothed_as_gpxpy_does(session, user_id) -> None:
    """korita-zbevnica.gpx: gpxpy 1.6.2's get_uphill_downhill() gives 703.83 m up (computed
    with gpxpy outside the project); a raw sum of every rise counts the noise as climbing."""
    path = FIXTURES / "gpx" / "korita-zbevnica.gpx"
    _run(GpxImporter(), session, user_id, path.name, path.read_bytes())
    hike = _only(session, user_id)
    assert hike.elevation_gain_m == pytest.approx(703.8, abs=0.05)


def test_smoothing_is_the_three_point_weighted_mean(session) -> None:
    rng = random.Random(4)
    elevations = [200 + 15 * ((i // 80) % 2) + rng.uniform(-1.5, 1.5) for i in range(2000)]
    gain = ElevationGain()
    for value in elevations:
        gain.add(value)
    n = len(elevations)
    smoothed = [
        0.3 * elevations[i - 1] + 0.4 * elevations[i] + 0.3 * elevations[i + 1]
        if 0 < i < n - 1
        else elevations[i]
        for i in range(n)
    ]
    expected = sum(max(0.0, b - a) for a, b in pairwise(smoothed))
    raw = sum(max(0.0, b - a) for a, b in pairwise(elevations))
    assert gain.total() == pytest.approx(expected, abs=1e-9)
    assert gain.total() < 0.7 * raw  # the noise no longer counts as climbing


def test_an_indoor_trainer_track_that_never_moves_has_no_climb(session, user_id) -> None:
    rng = random.Random(9)
    points = [
        (START + timedelta(seconds=i), 46.0, 7.0, 400 + rng.uniform(-3, 3)) for i in range(3600)
    ]
    _run(GpxImporter(), session, user_id, "trainer.gpx", _gpx(points))
    ride = _only(session, user_id)
    assert ride.elevation_gain_m is None and ride.distance_m == 0


def test_points_dated_backwards_are_left_out_and_reported(session, user_id) -> None:
    """Sports Tracker files repeat stretches of the track with earlier timestamps: summed as
    they came, moving time was three times the elapsed time."""
    track = _line(3600)
    replayed = track[:1200] + track[600:1199] * 3 + track[1200:]  # 1 797 points go back
    result = _run(GpxImporter(), session, user_id, "sportstracker.gpx", _gpx(replayed))
    assert result.errors == [
        "sportstracker.gpx: 1797 of 5397 points are dated before the point preceding them (the "
        "recording's clock jumped back); they were left out so moving time stays within the "
        "elapsed time."
    ]
    run = _only(session, user_id)
    assert run.elapsed_s == 3599 and run.duration_s == 3599
    assert run.distance_m == pytest.approx(3599 * 2e-5 * 111_195, rel=0.01)


def test_a_gpx_stores_a_stream_with_speed_from_its_positions(session, user_id) -> None:
    data = _gpx(_line(1800, ele=lambda i: 100 + i / 60))
    _run(GpxImporter(), session, user_id, "run.gpx", data)
    run = _only(session, user_id)
    stream = session.get(ActivityStream, run.id).data
    assert len(stream["t"]) <= 500 and stream["t"][-1] <= run.elapsed_s
    speeds = [s for s in stream["speed_mps"] if s is not None]
    assert statistics_mean(speeds) == pytest.approx(2e-5 * 111_195, rel=0.02)
    assert stream["lat"][0] == pytest.approx(46.0, abs=1e-3)


def statistics_mean(values: list[float]) -> float:
    return sum(values) / len(values)


def test_tcx_laps_are_stored_with_the_files_own_totals(session, user_id) -> None:
    path = FIXTURES / "tcx" / "stravalib_sample_edge705_ride.tcx"
    _run(TcxImporter(), session, user_id, path.name, path.read_bytes())
    ride = _only(session, user_id)
    laps = session.exec(
        select(ActivityLap).where(ActivityLap.activity_id == ride.id).order_by(ActivityLap.position)
    ).all()
    assert len(laps) == 2
    assert sum(lap.duration_s for lap in laps) == pytest.approx(ride.duration_s)
    assert sum(lap.distance_m for lap in laps) == pytest.approx(ride.distance_m)
    stream = session.get(ActivityStream, ride.id).data
    # the trackpoints' own DistanceMeters: the stream ends at the file's distance
    assert max(d for d in stream["distance_m"] if d) == pytest.approx(ride.distance_m, rel=0.01)


def test_memory_does_not_follow_the_length_of_the_track() -> None:
    """Each parsed point leaves the tree at once: a track ten times longer needs about the
    same memory (before, every point stayed in its segment, emptied, until the segment closed)."""
    import tracemalloc

    from cadence.services.importers.gpx import _read

    def peak(points: int) -> int:
        data = _gpx(_line(points))
        tracemalloc.start()
        _read(io.BytesIO(data))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak

    peak(100)  # warm up imports and caches
    short, long = peak(8_000), peak(40_000)  # both past the stream builder's bucket cap
    assert long < 1.5 * short, (short, long)
