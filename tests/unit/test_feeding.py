"""What is fed to the formulas (issue 12, defects 2-3), from files whose truth is known: heart
rate sampled once a minute, a re-export without heart rate, and two copies of one session."""

from __future__ import annotations

import io
import math
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from cadence.models.health import ActivityIn
from cadence.models.user import User
from cadence.services import activities, analytics
from cadence.services.importers.common import HR_CARRY_FORWARD_S, HrTimeline
from cadence.services.importers.gpx import GpxImporter

START = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)


@pytest.fixture
def user_id(session: Session) -> int:
    user = User(email="feed@example.com", display_name="F", password_hash="x")
    session.add(user)
    session.commit()
    return user.id


def gpx(*, minutes: int, every_s: int, bpm: int | None) -> bytes:
    """A run with a point every ``every_s`` seconds (and its HR when ``bpm`` is given)."""
    points = []
    for i in range(minutes * 60 // every_s + 1):
        when = (START + timedelta(seconds=i * every_s)).strftime("%Y-%m-%dT%H:%M:%SZ")
        hr = (
            f"<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{bpm}</gpxtpx:hr>"
            "</gpxtpx:TrackPointExtension></extensions>"
            if bpm
            else ""
        )
        lat = 46.0 + i * 0.00005 * every_s / 10
        points.append(f'<trkpt lat="{lat:.6f}" lon="14.5"><time>{when}</time>{hr}</trkpt>')
    return (
        '<?xml version="1.0"?><gpx version="1.1" creator="test" '
        'xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
        f"<trk><type>running</type><trkseg>{''.join(points)}</trkseg></trk></gpx>"
    ).encode()


def upload(session: Session, user_id: int, data: bytes, name: str = "run.gpx"):
    return GpxImporter().run(
        session=session, user_id=user_id, filename=name, stream=io.BytesIO(data), dry_run=False
    )


def stored(session: Session, user_id: int):
    rows = activities.activities_between(
        session=session, user_id=user_id, start=START.date(), end=START.date(), merge_copies=False
    )
    assert len(rows) == 1
    return rows[0]


def test_hr_carried_forward_over_gaps_up_to_the_limit() -> None:
    timeline = HrTimeline()
    for i in range(61):  # once a minute for an hour
        timeline.add(START + timedelta(minutes=i), 150)
    assert timeline.histogram() == [[150, 3600.0]]
    dropout = HrTimeline()
    dropout.add(START, 150)
    dropout.add(START + timedelta(seconds=HR_CARRY_FORWARD_S + 1), 150)  # longer: no data
    dropout.add(START + timedelta(seconds=HR_CARRY_FORWARD_S + 61), 150)
    assert dropout.histogram() == [[150, 60.0]]


def test_a_file_sampled_once_a_minute_gets_its_whole_trimp(session, user_id) -> None:
    """Defect 2: 60 min sampled every 60 s read 57 instead of 114 (gaps capped at 30 s)."""
    upload(session, user_id, gpx(minutes=60, every_s=60, bpm=150))
    run = stored(session, user_id)
    assert sum(s for _, s in run.hr_histogram) == pytest.approx(run.duration_s)
    from_samples = analytics.activity_trimp(
        duration_s=run.duration_s, avg_hr=run.avg_hr, hr_histogram=run.hr_histogram
    )
    from_average = analytics.banister_trimp(duration_min=60, avg_hr=150)
    assert from_samples == pytest.approx(from_average, rel=1e-3)
    hrr = (150 - 60) / (190 - 60)
    assert from_samples == pytest.approx(60 * hrr * 0.64 * math.exp(1.92 * hrr), rel=1e-3)
    detail = activities.get_activity(session=session, user_id=user_id, activity_id=run.id)
    assert detail.load_detail.hr_coverage == 1.0
    assert "(100% of the moving time)" in detail.load_detail.explanation


def test_a_re_export_without_heart_rate_keeps_the_stored_heart_rate(session, user_id) -> None:
    """Defect 3: the same file again without HR is a duplicate and erases nothing."""
    upload(session, user_id, gpx(minutes=30, every_s=5, bpm=150))
    before = stored(session, user_id)
    avg, histogram = before.avg_hr, list(before.hr_histogram)
    result = upload(session, user_id, gpx(minutes=30, every_s=5, bpm=None))
    assert result.counts["duplicates"] == 1 and result.counts["activities"] == 0
    session.expire_all()
    after = stored(session, user_id)
    assert after.avg_hr == avg == 150 and after.hr_histogram == histogram


def test_the_copy_with_heart_rate_is_the_one_kept(session, user_id) -> None:
    """Of two sources, a copy without HR (ranked first by source) never hides one with HR."""
    base = {"sport": "running", "start_time": START, "duration_s": 3600.0}
    activities.upsert_activities(
        session=session,
        user_id=user_id,
        activities=[
            ActivityIn(source="tcx", external_id="t", **base),
            ActivityIn(source="strava", external_id="s", avg_hr=150, **base),
        ],
    )
    session.commit()
    (kept,) = activities.activities_between(
        session=session, user_id=user_id, start=START.date(), end=START.date()
    )
    assert kept.source == "strava" and kept.avg_hr == 150
    (group,) = activities.session_index(session=session, user_id=user_id)
    assert group.kept.source == "strava"
