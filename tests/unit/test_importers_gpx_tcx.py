"""GPX and TCX importers against real files; TCX totals checked against the file's own laps."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sqlmodel import Session

from cadence.models.user import User
from cadence.services import activities
from cadence.services.importers.gpx import GpxImporter
from cadence.services.importers.tcx import TcxImporter

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
TCX_NS = {"t": "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"}


@pytest.fixture
def user_id(session: Session) -> int:
    user = User(email="tracks@example.com", display_name="T", password_hash="x")
    session.add(user)
    session.commit()
    return user.id


def _run(importer, session, user_id, name: str, data: bytes):
    return importer.run(
        session=session, user_id=user_id, filename=name, stream=io.BytesIO(data), dry_run=False
    )


def _only_activity(session, user_id):
    rows, total = activities.list_activities(session=session, user_id=user_id)
    assert total == 1
    return rows[0]


def _lap_totals(path: Path) -> dict:
    """The oracle: the file's own lap summaries, read with a plain (non-streaming) parse."""
    laps = ET.parse(path).getroot().findall(".//t:Lap", TCX_NS)

    def values(tag):
        return [
            float(lap.find(tag, TCX_NS).text) for lap in laps if lap.find(tag, TCX_NS) is not None
        ]

    seconds = values("t:TotalTimeSeconds")
    avgs = values("t:AverageHeartRateBpm/t:Value")
    return {
        "duration": sum(seconds),
        "distance": sum(values("t:DistanceMeters")),
        "calories": sum(values("t:Calories")),
        "max_hr": max(values("t:MaximumHeartRateBpm/t:Value"), default=None),
        "avg_hr": sum(a * s for a, s in zip(avgs, seconds, strict=True)) / sum(seconds)
        if avgs
        else None,
    }


@pytest.mark.parametrize(
    ("name", "sport"),
    [
        ("test.tcx", "running"),
        ("no_hr.tcx", "running"),
        ("sup_activity_1.tcx", "other"),
        ("stravalib_sample_edge705_ride.tcx", "cycling"),
    ],
)
def test_tcx_totals_equal_the_lap_summaries(session, user_id, name, sport) -> None:
    path = FIXTURES / "tcx" / name
    result = _run(TcxImporter(), session, user_id, name, path.read_bytes())
    assert result.errors == [] and result.counts["activities"] == 1
    row, want = _only_activity(session, user_id), _lap_totals(path)
    assert row.sport == sport
    assert row.duration_s == pytest.approx(want["duration"], abs=0.001)
    assert row.distance_m == pytest.approx(want["distance"], abs=0.01)
    assert row.calories == want["calories"]
    assert row.max_hr == want["max_hr"]
    if want["avg_hr"] is None:
        assert row.avg_hr is None and row.hr_histogram is None
    else:
        assert row.avg_hr == pytest.approx(want["avg_hr"], abs=0.05)
        assert row.hr_histogram


def test_tcx_forerunner_run_known_values(session, user_id) -> None:
    _run(TcxImporter(), session, user_id, "test.tcx", (FIXTURES / "tcx" / "test.tcx").read_bytes())
    run = _only_activity(session, user_id)
    assert run.start_time.isoformat() == "2012-12-26T21:29:53+00:00"
    assert (round(run.duration_s, 1), round(run.distance_m)) == (1992.8, 4689)


def test_gpx_track_with_an_empty_segment(session, user_id) -> None:
    data = (FIXTURES / "gpx" / "track-with-empty-segment.gpx").read_bytes()
    result = _run(GpxImporter(), session, user_id, "t.gpx", data)
    assert result.errors == []
    row = _only_activity(session, user_id)
    assert row.start_time.isoformat() == "2013-07-06T17:26:26+00:00"
    assert row.elapsed_s == 76 and row.duration_s == 76
    assert 80 < row.distance_m < 95 and row.avg_hr is None


def test_gpx_with_untimed_points_and_several_tracks(session, user_id) -> None:
    data = (FIXTURES / "gpx" / "korita-zbevnica.gpx").read_bytes()
    _run(GpxImporter(), session, user_id, "korita.gpx", data)
    hike = _only_activity(session, user_id)
    assert hike.start_time.isoformat() == "2010-10-03T09:36:30+00:00"
    assert hike.elapsed_s == 3 * 3600 + 43 * 60 + 1  # 09:36:30 -> 13:19:31
    assert hike.distance_m > 10_000 and hike.elevation_gain_m > 500
    assert hike.sport == "other"  # the file's <type> values are junk ("jkljkl", "...")


def test_gpx_garmin_heart_rate_extension(session, user_id) -> None:
    # The real Runkeeper file puts gpxtpx:hr on a single waypoint; the same extension on a
    # two-point track (generated here) must give the activity its heart rate.
    real = (FIXTURES / "gpx" / "gpx_with_garmin_extension.gpx").read_text()
    point = real[real.index("<wpt") : real.index("</wpt>") + len("</wpt>")]
    second = point.replace("23:41:03", "23:41:13").replace(">171<", ">181<")
    track = f"<trk><type>running</type><trkseg>{point}{second}</trkseg></trk>"
    track = track.replace("<wpt", "<trkpt").replace("</wpt>", "</trkpt>")
    data = real.replace(real[real.index("<wpt") : real.index("</gpx>")], track).encode()
    _run(GpxImporter(), session, user_id, "hr.gpx", data)
    run = _only_activity(session, user_id)
    assert run.sport == "running" and run.hr_histogram == [[171, 10.0]] and run.avg_hr == 171


def test_malformed_xml_is_a_clear_error(session, user_id) -> None:
    data = (FIXTURES / "tcx" / "test.tcx").read_bytes()[:5000]
    tcx = _run(TcxImporter(), session, user_id, "cut.tcx", data)
    gpx = _run(GpxImporter(), session, user_id, "cut.gpx", b"<gpx><trk><trkseg><trkpt")
    assert tcx.errors[0].startswith("cut.tcx: not valid TCX/XML")
    assert gpx.errors[0].startswith("cut.gpx: not valid GPX/XML")
    assert activities.list_activities(session=session, user_id=user_id)[1] == 0


def test_an_entity_expansion_bomb_is_refused(session, user_id) -> None:
    levels = ['<!ENTITY l0 "lol">'] + [
        f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    ]
    bomb = f'<?xml version="1.0"?><!DOCTYPE g [{"".join(levels)}]><gpx><trk><type>&l9;</type>'
    result = _run(GpxImporter(), session, user_id, "bomb.gpx", (bomb + "</trk></gpx>").encode())
    assert result.errors[0].startswith("bomb.gpx: not valid GPX/XML (limit on input amplification")
