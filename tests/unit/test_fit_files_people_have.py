"""FIT files as they come from Zwift, from watches with broken clocks, from multisport and
strength sessions: each defect of issue 14 on a generated file that reproduces it (no
permissively licensed file of these kinds exists; ``tests/fit_writer.py`` writes them with the
FIT profile), plus the streams and laps stored for the detail page from the real fixtures."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from cadence.models.activity import MAX_STREAM_POINTS, ActivityLap, ActivityStream
from cadence.models.preferences import PreferencesUpdate
from cadence.models.user import User
from cadence.models.workout import Workout
from cadence.services import activities, dashboard, exercises, preferences, workouts
from cadence.services.importers.fit import FitImporter
from tests.fit_writer import FitWriter, degrees

FIT = Path(__file__).resolve().parent.parent / "fixtures" / "fit"
START = datetime(2026, 11, 29, 6, 30, tzinfo=UTC)
FIT_ZERO_DATE = datetime(1989, 12, 31, tzinfo=UTC)


@pytest.fixture
def user_id(session: Session) -> int:
    user = User(email="fit-files@example.com", display_name="F", password_hash="x")
    session.add(user)
    session.commit()
    return user.id


def _import(session, user_id, data: bytes, name: str = "generated.fit", *, dry_run=False):
    result = FitImporter().run(
        session=session, user_id=user_id, filename=name, stream=io.BytesIO(data), dry_run=dry_run
    )
    session.commit()
    return result


def _records(writer: FitWriter, count: int, *, start=START, every_s=1, **extra) -> None:
    for i in range(count):
        writer.message(
            "record",
            timestamp=start + timedelta(seconds=i * every_s),
            heart_rate=120 + i % 40,
            power=200 + i % 50,
            cadence=85,
            distance=i * every_s * 8.0,
            enhanced_speed=8.0,
            enhanced_altitude=100.0 + (i % 100) / 10,
            position_lat=degrees(-11.64 + i / 100_000),
            position_long=degrees(166.95 + i / 100_000),
            **extra,
        )


def _only(session, user_id):
    rows, total = activities.list_activities(session=session, user_id=user_id)
    assert total == 1
    return rows[0]


def test_zwift_ride_without_timer_time_is_imported_from_its_records(session, user_id) -> None:
    """Zwift writes a session without total_timer_time: it used to be rejected ("no activity
    (session or records)") although the file had 3 806 records with HR and power."""
    w = FitWriter().message("file_id", type="activity", manufacturer="zwift", time_created=START)
    _records(w, 3806)
    w.message(
        "session",
        timestamp=START + timedelta(seconds=3805),
        start_time=START,
        total_elapsed_time=3805.0,
        total_distance=30440.0,
        sport="cycling",
        sub_sport="virtual_activity",
        avg_heart_rate=139,
        max_heart_rate=159,
    )
    result = _import(session, user_id, w.to_bytes(), "zwift.fit")
    assert result.errors == [] and result.counts["activities"] == 1
    ride = _only(session, user_id)
    assert ride.sport == "cycling" and ride.start_time == START
    assert ride.duration_s == 3805.0 and ride.elapsed_s == 3805.0  # moving time from the records
    assert ride.distance_m == 30440.0 and (ride.avg_hr, ride.max_hr) == (139, 159)
    stream = session.get(ActivityStream, ride.id)
    assert stream is not None and set(stream.data) >= {"t", "heart_rate", "power_w", "lat"}
    assert len(stream.data["t"]) <= MAX_STREAM_POINTS


def test_a_session_dated_at_the_fit_epoch_takes_its_start_from_the_records(
    session, user_id
) -> None:
    w = FitWriter().message("file_id", type="activity", time_created=START)
    _records(w, 1200)
    w.message(
        "session",
        timestamp=START + timedelta(seconds=1199),
        start_time=FIT_ZERO_DATE,  # the broken date: raw 0
        total_timer_time=1199.0,
        total_elapsed_time=1199.0,
        sport="running",
    )
    result = _import(session, user_id, w.to_bytes())
    assert result.errors == []
    run = _only(session, user_id)
    assert run.start_time == START and run.duration_s == 1199.0 and run.sport == "running"


def test_records_without_any_usable_date_are_rejected_with_the_reason(session, user_id) -> None:
    w = FitWriter().message("file_id", type="activity")
    for i in range(30):
        w.message("record", timestamp=FIT_ZERO_DATE + timedelta(seconds=i), heart_rate=100)
    w.message("session", start_time=FIT_ZERO_DATE, total_timer_time=29.0, sport="running")
    result = _import(session, user_id, w.to_bytes(), "broken.fit")
    assert result.counts.get("activities", 0) == 0
    assert result.errors == [
        "broken.fit: none of its 30 records has a usable date (all before 1980 or missing), "
        "so there is no activity to import."
    ]


@pytest.mark.parametrize(
    ("records", "timer", "elapsed", "want_duration", "want_elapsed"),
    [
        (3100, 3000.0, 1800.0, 3000.0, 3099.0),  # an inverted pair: the records decide
        (1801, 3000.0, 1800.0, 1800.0, 1800.0),  # a timer past the wall clock is capped
    ],
)
def test_moving_time_never_exceeds_elapsed_time(
    session, user_id, records, timer, elapsed, want_duration, want_elapsed
) -> None:
    w = FitWriter().message("file_id", type="activity")
    _records(w, records)
    w.message(
        "session",
        start_time=START,
        total_timer_time=timer,
        total_elapsed_time=elapsed,
        sport="cycling",
    )
    _import(session, user_id, w.to_bytes())
    ride = _only(session, user_id)
    assert (ride.duration_s, ride.elapsed_s) == (want_duration, want_elapsed)
    assert ride.duration_s <= ride.elapsed_s


def test_zero_calories_are_unknown(session, user_id) -> None:
    w = FitWriter().message("file_id", type="activity")
    _records(w, 60)
    w.message("session", start_time=START, total_timer_time=59.0, total_calories=0)
    _import(session, user_id, w.to_bytes())
    assert _only(session, user_id).calories is None


def _multisport(loads: list[float]) -> bytes:
    w = FitWriter().message("file_id", type="activity")
    start = START
    for sport, load in zip(("swimming", "cycling", "running"), loads, strict=True):
        _records(w, 600, start=start)
        w.message(
            "session",
            timestamp=start + timedelta(seconds=599),
            start_time=start,
            total_timer_time=599.0,
            total_elapsed_time=599.0,
            total_distance=4792.0,
            sport=sport,
            training_load_peak=load,
        )
        start += timedelta(seconds=600)
    return w.to_bytes()


def test_multisport_legs_keep_no_running_total_as_their_own_load(session, user_id) -> None:
    """Garmin's per-leg training_load_peak is a running total (2.9 -> 4.0 -> 239.8): stored
    per leg it was implausible, so neither the legs nor the parent keep it; Cadence's load
    (TRIMP) is computed per leg from its own heart rate and the parent's is their sum."""
    result = _import(session, user_id, _multisport([2.9, 4.0, 239.8]))
    assert result.counts == {"activities": 1, "legs": 3, "duplicates": 0}
    [parent] = activities.list_activities(session=session, user_id=user_id)[0]
    legs = activities.legs_of(session=session, user_id=user_id, parent_id=parent.id)
    assert [leg.sport for leg in legs] == ["swimming", "cycling", "running"]
    assert parent.load is None and all(leg.load is None for leg in legs)
    detail = activities.get_activity(session=session, user_id=user_id, activity_id=parent.id)
    assert detail.load == pytest.approx(sum(leg.load for leg in detail.legs), abs=0.2)
    assert detail.duration_s == sum(leg.duration_s for leg in legs) == 3 * 599
    assert detail.distance_m == 3 * 4792.0


def test_strength_sets_become_a_workout_linked_to_the_activity(session, user_id) -> None:
    preferences.update_preferences(
        session=session,
        user_id=user_id,
        changes=PreferencesUpdate(timezone="America/Los_Angeles"),
    )
    start = datetime(2026, 11, 29, 5, 0, tzinfo=UTC)  # 21:00 on the 28th in Los Angeles
    w = FitWriter().message("file_id", type="activity", manufacturer="garmin")
    w.message("sport", sport="training", sub_sport="strength_training", name="Upper body")
    for i in range(1800):
        w.message("record", timestamp=start + timedelta(seconds=i), heart_rate=95 + i % 30)
    sets = [  # (category, reps, kg, type)
        ("bench_press", 8, 80.0, "active"),
        (None, None, None, "rest"),
        ("bench_press", 8, 80.0, "active"),
        ("bench_press", 6, 85.0, "active"),
        ("plank", None, None, "active"),  # a timed hold: no reps, not a set row
        ("squat", 5, 100.0, "active"),
        ("squat", 5, 100.0, "active"),
        ("squat", 3, 100.0, "active"),
    ]
    for i, (category, reps, kg, kind) in enumerate(sets):
        w.message(
            "set",
            timestamp=start + timedelta(seconds=120 * i + 60),
            start_time=start + timedelta(seconds=120 * i),
            duration=45.0,
            repetitions=reps,
            weight=kg,
            set_type=kind,
            category=category,
        )
    w.message(
        "session",
        start_time=start,
        total_timer_time=1799.0,
        total_elapsed_time=1799.0,
        sport="training",
        sub_sport="strength_training",
    )
    data = w.to_bytes()
    result = _import(session, user_id, data)
    assert result.counts == {"activities": 1, "duplicates": 0, "workouts": 1}
    activity = _only(session, user_id)
    assert activity.sport == "strength_training" and activity.workout_id is not None
    workout = workouts.get_workout(session=session, user_id=user_id, workout_id=activity.workout_id)
    assert workout.date.isoformat() == "2026-11-28" and workout.workout_name == "Upper body"
    assert workout.duration_minutes == 30
    assert [(e.name, e.sets, e.reps, e.weight_kg) for e in workout.exercises] == [
        ("Bench Press", 2, "8", 80.0),
        ("Bench Press", 1, "6", 85.0),
        ("Squat", 3, "5,5,3", 100.0),
    ]
    library = {e.name: e for e in exercises.library(session=session, user_id=user_id).exercises}
    assert library["Bench Press"].best_weight_kg == 85.0 and library["Squat"].times_logged == 1
    again = _import(session, user_id, data)  # idempotent: no second workout
    assert again.counts == {"activities": 0, "duplicates": 1}
    assert len(session.exec(select(Workout).where(Workout.user_id == user_id)).all()) == 1
    # the session counts once in the load model: the activity's TRIMP, not also its sets' sRPE
    day = activity.start_time.date()
    history = dashboard.load_history(
        session=session, user_id=user_id, end=day, metrics_from=day, load_from=day, today=day
    )
    assert [s.kind for s in history.sessions] == ["activity"]


def test_a_course_file_is_not_taken_for_an_activity(session, user_id) -> None:
    w = FitWriter().message("file_id", type="course")
    _records(w, 100)
    result = _import(session, user_id, w.to_bytes(), "route.fit")
    assert result.errors == [
        "route.fit: a FIT 'course' file, not a recorded activity; export the activity file "
        "from the device or Garmin Connect."
    ]


def test_real_files_store_a_bounded_stream_and_their_laps(session, user_id) -> None:
    path = FIT / "garmin-edge-500-activity.fit"
    _import(session, user_id, path.read_bytes(), path.name)
    ride = _only(session, user_id)
    stream = session.get(ActivityStream, ride.id)
    points = stream.data["t"]
    assert 0 < len(points) <= MAX_STREAM_POINTS and points == sorted(points)
    assert points[-1] <= ride.elapsed_s
    assert max(stream.data["distance_m"]) == pytest.approx(ride.distance_m, rel=0.01)
    assert max(h for h in stream.data["heart_rate"] if h) <= ride.max_hr
    laps = session.exec(
        select(ActivityLap).where(ActivityLap.activity_id == ride.id).order_by(ActivityLap.position)
    ).all()
    assert len(laps) == 9  # the file's lap messages
    assert sum(lap.duration_s for lap in laps) == pytest.approx(ride.duration_s, abs=1)
    assert sum(lap.distance_m for lap in laps) == pytest.approx(ride.distance_m, abs=1)


def test_a_reimport_without_samples_keeps_the_stored_stream(session, user_id) -> None:
    path = FIT / "activity-small-fenix2-run.fit"
    _import(session, user_id, path.read_bytes())
    run = _only(session, user_id)
    before = session.get(ActivityStream, run.id).data
    activities.attach_extras(
        session=session,
        user_id=user_id,
        extras=[activities.ActivityExtras(key=("fit", run.external_id))],
    )
    session.commit()
    session.expire_all()
    assert session.get(ActivityStream, run.id).data == before


def test_dry_run_stores_nothing_but_counts_legs_and_workouts(session, user_id) -> None:
    result = _import(session, user_id, _multisport([1.0, 2.0, 3.0]), dry_run=True)
    assert result.counts == {"activities": 1, "legs": 3}
    assert activities.list_activities(session=session, user_id=user_id)[1] == 0


def test_deleting_a_watch_strength_session_keeps_its_workout_and_a_sync_brings_it_back(
    session, user_id
) -> None:
    """What the delete dialog and README say: the workout made from the sets stays in the log,
    and a source that still has the session (a device account, a re-upload) stores it again."""
    w = FitWriter().message("file_id", type="activity")
    for i in range(600):
        w.message("record", timestamp=START + timedelta(seconds=i), heart_rate=100 + i % 20)
    w.message(
        "set",
        start_time=START,
        timestamp=START + timedelta(seconds=40),
        repetitions=5,
        weight=60.0,
        set_type="active",
        category="deadlift",
    )
    w.message(
        "session",
        start_time=START,
        total_timer_time=599.0,
        sport="training",
        sub_sport="strength_training",
    )
    data = w.to_bytes()
    _import(session, user_id, data)
    activity = _only(session, user_id)
    workout_id = activity.workout_id
    activities.delete_activity(session=session, user_id=user_id, activity_id=activity.id)
    session.commit()
    assert activities.list_activities(session=session, user_id=user_id)[1] == 0
    kept = workouts.get_workout(session=session, user_id=user_id, workout_id=workout_id)
    assert [e.name for e in kept.exercises] == ["Deadlift"]
    again = _import(session, user_id, data)
    assert again.counts == {"activities": 1, "duplicates": 0}  # no second workout either
    assert _only(session, user_id).workout_id == workout_id
