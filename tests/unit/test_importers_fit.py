"""FIT importer against real device files: totals equal each file's own session messages."""

from __future__ import annotations

import io
from pathlib import Path

import fitdecode
import pytest
from sqlmodel import Session

from cadence.models.user import User
from cadence.services import activities
from cadence.services.importers.fit import FitImporter

FIT = Path(__file__).resolve().parent.parent / "fixtures" / "fit"


def _sessions(path: Path) -> list[dict]:
    """The oracle: session messages read straight from fitdecode (strict mode)."""
    with fitdecode.FitReader(path) as reader:
        return [
            {f.name: f.value for f in frame.fields}
            for frame in reader
            if isinstance(frame, fitdecode.FitDataMessage) and frame.name == "session"
        ]


@pytest.fixture
def user_id(session: Session) -> int:
    user = User(email="fit@example.com", display_name="Fit", password_hash="x")
    session.add(user)
    session.commit()
    return user.id


def _run(session: Session, user_id: int, path: Path, *, dry_run: bool = False):
    with path.open("rb") as stream:
        return FitImporter().run(
            session=session, user_id=user_id, filename=path.name, stream=stream, dry_run=dry_run
        )


@pytest.mark.parametrize(
    "name",
    [
        "activity-small-fenix2-run.fit",
        "garmin-fenix-5-run.fit",
        "garmin-edge-500-activity.fit",
        "hrv-activity.fit",
        "event_timestamp.fit",
        "sample_mulitple_header.fit",
        "12129115726_ACTIVITY.fit",
    ],
)
def test_totals_match_the_session_messages(session, user_id, name) -> None:
    result = _run(session, user_id, FIT / name)
    assert result.errors == []
    expected = _sessions(FIT / name)
    rows = activities.activities_between(
        session=session,
        user_id=user_id,
        start=expected[0]["start_time"].date(),
        end=expected[-1]["start_time"].date(),
    )
    assert result.counts["activities"] == 1 == len(rows)
    if len(expected) > 1:  # a multisport file: one parent, one leg per session
        [parent] = rows
        assert parent.sport == "multisport" and result.counts["legs"] == len(expected)
        rows = activities.legs_of(session=session, user_id=user_id, parent_id=parent.id)
    assert len(rows) == len(expected)
    for row, want in zip(rows, expected, strict=True):
        assert row.start_time.replace(tzinfo=None) == want["start_time"].replace(tzinfo=None)
        assert row.duration_s == pytest.approx(want["total_timer_time"], abs=0.001)
        assert row.elapsed_s == pytest.approx(want["total_elapsed_time"], abs=0.001)
        assert row.distance_m == pytest.approx(want.get("total_distance"), abs=0.01)
        if want.get("avg_heart_rate") is not None:
            assert (row.avg_hr, row.max_hr) == (want["avg_heart_rate"], want["max_heart_rate"])
        assert row.hr_histogram, "every one of these files has heart rate"


def test_edge_500_ride_to_the_metre_and_second(session, user_id) -> None:
    _run(session, user_id, FIT / "garmin-edge-500-activity.fit")
    [ride] = activities.list_activities(session=session, user_id=user_id)[0]
    assert (round(ride.duration_s), round(ride.elapsed_s), round(ride.distance_m)) == (
        10641,
        12691,
        92622,
    )
    assert (ride.avg_hr, ride.max_hr, ride.calories, ride.elevation_gain_m) == (162, 189, 1954, 541)
    # the histogram covers the recorded time (pauses excluded) and its peak is the session max
    seconds = sum(s for _, s in ride.hr_histogram)
    assert 10_000 < seconds <= ride.elapsed_s
    assert max(b for b, _ in ride.hr_histogram) == 189


def test_fenix2_without_session_hr_gets_it_from_the_records(session, user_id) -> None:
    _run(session, user_id, FIT / "activity-small-fenix2-run.fit")
    [run] = activities.list_activities(session=session, user_id=user_id)[0]
    assert run.sport == "running" and round(run.distance_m) == 9008
    assert 120 < run.avg_hr < 180 and run.max_hr >= run.avg_hr


def test_pool_swim_heart_rate_comes_from_hr_messages(session, user_id) -> None:
    _run(session, user_id, FIT / "event_timestamp.fit")
    [swim] = activities.list_activities(session=session, user_id=user_id)[0]
    assert swim.sport == "swimming" and (swim.avg_hr, swim.max_hr) == (142, 161)
    seconds = sum(s for _, s in swim.hr_histogram)
    assert seconds > 0.8 * swim.duration_s  # the beats cover the swim, not just a few records


def test_reimport_adds_nothing(session, user_id) -> None:
    first = _run(session, user_id, FIT / "sample_mulitple_header.fit")
    second = _run(session, user_id, FIT / "sample_mulitple_header.fit")
    assert first.counts == {"activities": 1, "legs": 5, "duplicates": 0}
    assert second.counts == {"activities": 0, "duplicates": 1}


def test_truncated_file_keeps_the_records_read(session, user_id) -> None:
    result = _run(session, user_id, FIT / "corrupt" / "nick.fit")
    [error] = result.errors
    assert error == (
        "nick.fit: the file is cut off (expected 2 bytes, got 0 @ 403456); "
        "kept the 1 activity decoded before it."
    )
    [ride] = activities.list_activities(session=session, user_id=user_id)[0]
    assert ride.sport == "cycling" and ride.hr_histogram
    assert 4.5 * 3600 < ride.elapsed_s < 4.7 * 3600  # ~4 h 39 min of records


@pytest.mark.parametrize(
    ("name", "distance"),
    [
        ("coros-pace-2-cycling-misaligned-fields.fit", 32145.76),  # needs lenient decoding
        ("elemnt-bolt-no-application-id-inside-developer-data-id.fit", 963.65),
    ],
)
def test_malformed_but_decodable_files_import(session, user_id, name, distance) -> None:
    result = _run(session, user_id, FIT / "corrupt" / name)
    assert result.errors == [] and result.counts["activities"] == 1
    [ride] = activities.list_activities(session=session, user_id=user_id)[0]
    assert ride.distance_m == pytest.approx(distance, abs=0.01)


def test_not_a_fit_file_is_a_clear_error(session, user_id) -> None:
    result = FitImporter().run(
        session=session,
        user_id=user_id,
        filename="notes.fit",
        stream=io.BytesIO(b"this is not a FIT file at all"),
        dry_run=False,
    )
    assert result.counts.get("activities", 0) == 0
    [error] = result.errors
    assert error.startswith("notes.fit: not a readable FIT file") and error.endswith(
        "nothing kept."
    )


def test_dry_run_previews_without_storing(session, user_id) -> None:
    result = _run(session, user_id, FIT / "hrv-activity.fit", dry_run=True)
    assert result.counts == {"activities": 1}
    assert result.preview[0]["sport"] == "cycling" and result.preview[0]["avg_hr"] == 156
    assert activities.list_activities(session=session, user_id=user_id)[1] == 0
