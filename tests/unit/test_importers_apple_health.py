"""Apple Health importer: the real sanitized exports, plus a small export generated here in
Apple's documented format for the record types no permissively licensed real sample has
(sleep analysis, HRV SDNN, resting HR, steps from two devices, workout statistics)."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session

from cadence.models.user import User
from cadence.services import activities, metrics
from cadence.services.importers.apple_health import AppleHealthImporter
from cadence.services.importers.registry import find_importer

APPLE = Path(__file__).resolve().parent.parent / "fixtures" / "apple_health"
Q = "HKQuantityTypeIdentifier"


def record(kind: str, start: str, end: str | None = None, value="1", unit="count", source="Watch"):
    return (
        f'<Record type="{kind}" sourceName="{source}" unit="{unit}" '
        f'startDate="{start}" endDate="{end or start}" value="{value}"/>'
    )


def sleep(value: str, start: str, end: str, source="Watch") -> str:
    return record(
        "HKCategoryTypeIdentifierSleepAnalysis", start, end, f"HKCategoryValue{value}", "", source
    )


GENERATED = "\n".join(
    [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<HealthData locale="en_US">',
        record(f"{Q}RestingHeartRate", "2024-03-02 07:00:00 +0100", value="52", unit="count/min"),
        record(f"{Q}RestingHeartRate", "2024-03-02 19:00:00 +0100", value="54", unit="count/min"),
        record(
            f"{Q}HeartRateVariabilitySDNN", "2024-03-02 06:00:00 +0100", value="48.5", unit="ms"
        ),
        record(f"{Q}StepCount", "2024-03-02 10:00:00 +0100", value="4000", source="iPhone"),
        record(f"{Q}StepCount", "2024-03-02 12:00:00 +0100", value="3000", source="iPhone"),
        record(f"{Q}StepCount", "2024-03-02 10:00:00 +0100", value="6500", source="Watch"),
        record(f"{Q}BodyMass", "2024-03-02 07:30:00 +0100", value="165", unit="lb"),
        record(f"{Q}OxygenSaturation", "2024-03-02 03:00:00 +0100", value="0.96", unit="%"),
        record(f"{Q}RespiratoryRate", "2024-03-02 03:00:00 +0100", value="14.5", unit="count/min"),
        sleep("SleepAnalysisInBed", "2024-03-01 22:50:00 +0100", "2024-03-02 06:40:00 +0100"),
        sleep("SleepAnalysisAsleepCore", "2024-03-01 23:00:00 +0100", "2024-03-02 02:00:00 +0100"),
        sleep("SleepAnalysisAsleepDeep", "2024-03-02 02:00:00 +0100", "2024-03-02 03:30:00 +0100"),
        sleep("SleepAnalysisAwake", "2024-03-02 03:30:00 +0100", "2024-03-02 03:45:00 +0100"),
        sleep("SleepAnalysisAsleepREM", "2024-03-02 03:45:00 +0100", "2024-03-02 06:30:00 +0100"),
        sleep(
            "SleepAnalysisInBed",
            "2024-03-02 23:00:00 +0100",
            "2024-03-03 07:00:00 +0100",
            source="AutoSleep",
        ),
        *(
            record(
                f"{Q}HeartRate",
                f"2024-03-02 18:{minute:02d}:00 +0100",
                value=str(bpm),
                unit="count/min",
            )
            for minute, bpm in [(0, 120), (10, 150), (20, 160), (30, 150), (45, 100)]
        ),
        '<Workout workoutActivityType="HKWorkoutActivityTypeCycling" duration="30" '
        'durationUnit="min" totalDistance="12.5" totalDistanceUnit="km" '
        'totalEnergyBurned="1255.2" totalEnergyBurnedUnit="kJ" sourceName="Watch" '
        'startDate="2024-03-02 18:00:00 +0100" endDate="2024-03-02 18:35:00 +0100">',
        '<MetadataEntry key="HKElevationAscended" value="12345 cm"/>',
        "</Workout>",
        "</HealthData>",
    ]
)


@pytest.fixture
def user_id(session: Session) -> int:
    user = User(email="apple@example.com", display_name="A", password_hash="x")
    session.add(user)
    session.commit()
    return user.id


def _run(session, user_id, data: bytes, name="export.xml", dry_run=False):
    return AppleHealthImporter().run(
        session=session, user_id=user_id, filename=name, stream=io.BytesIO(data), dry_run=dry_run
    )


def _day(session, user_id, day: date):
    [row] = metrics.get_daily_metrics(session=session, user_id=user_id, start=day, end=day)
    return row


def test_daily_metrics_from_a_generated_export(session, user_id) -> None:
    result = _run(session, user_id, GENERATED.encode())
    assert result.errors == []
    assert result.counts == {"daily_metrics": 2, "duplicates": 0, "activities": 1}
    day = _day(session, user_id, date(2024, 3, 2))
    assert day.source == "apple_health"
    assert day.resting_hr == 53.0 and day.hrv_sdnn_ms == 48.5 and day.hrv_rmssd_ms is None
    assert day.steps == 7000  # iPhone 4000+3000 beats Watch 6500: never summed across devices
    assert day.weight_kg == pytest.approx(74.84, abs=0.01)
    assert (day.spo2_pct, day.respiratory_rate) == (96.0, 14.5)
    # asleep = core 3 h + deep 1.5 h + REM 2.75 h; the in-bed sample is not sleep
    assert day.sleep_seconds == int(7.25 * 3600)
    assert (day.sleep_light_seconds, day.sleep_deep_seconds, day.sleep_rem_seconds) == (
        3 * 3600,
        5400,
        9900,
    )
    assert day.sleep_awake_seconds == 900
    # a night recorded only as "in bed" (AutoSleep) still counts, on its wake-up day
    assert _day(session, user_id, date(2024, 3, 3)).sleep_seconds == 8 * 3600


def test_workout_units_and_heart_rate_from_the_samples(session, user_id) -> None:
    _run(session, user_id, GENERATED.encode())
    [ride], _ = activities.list_activities(session=session, user_id=user_id)
    assert ride.sport == "cycling" and ride.start_time.isoformat() == "2024-03-02T17:00:00+00:00"
    assert (ride.duration_s, ride.elapsed_s, ride.distance_m) == (1800, 2100, 12500)
    assert ride.calories == 300.0 and ride.elevation_gain_m == 123.5  # kJ -> kcal, cm -> m
    # samples inside 18:00-18:35 (the 18:45 one is after the end), 10 minutes apart: too far
    # apart to carry forward (HR_CARRY_FORWARD_S), so no histogram; the load is the samples'
    # mean (120, 150, 160, 150 -> 145) over the whole moving time
    assert ride.hr_histogram is None
    assert ride.max_hr == 160 and ride.avg_hr == 145.0


def test_real_exports_and_reimport(session, user_id) -> None:
    for path in (APPLE / "export.xml", APPLE / "apple_health_export" / "export.xml"):
        result = _run(session, user_id, path.read_bytes())
        assert result.errors == []
    [run], total = activities.list_activities(session=session, user_id=user_id)
    assert total == 1  # the second export holds the same workout: deduplicated
    assert run.sport == "running" and run.duration_s == pytest.approx(311.647, abs=0.001)
    assert run.distance_m == pytest.approx(0.4971749504535062 * 1609.344, abs=0.01)
    assert run.calories == 48.7


def test_a_cut_off_export_keeps_what_was_read(session, user_id) -> None:
    data = GENERATED.encode()
    cut = data[: data.index(b"<Workout")]
    result = _run(session, user_id, cut)
    assert result.errors and "breaks off" in result.errors[0]
    assert _day(session, user_id, date(2024, 3, 2)).steps == 7000


def test_registry_routes_the_export_and_its_zip() -> None:
    head = (APPLE / "export.xml").read_bytes()[:4096]
    assert find_importer("export.xml", head).kind == "apple_health"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("apple_health_export/export.xml", GENERATED)
    assert find_importer("export.zip", buffer.getvalue()[:4096]).kind == "zip"


def test_stage_segments_either_side_of_midnight_are_one_night(session, user_id) -> None:
    """Core 23:00-23:50 (Mar 1) and deep 00:00-06:00 (Mar 2): one 6 h 50 min night, Mar 2."""
    export = "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            "<HealthData>",
            sleep(
                "SleepAnalysisAsleepCore", "2024-03-01 23:00:00 +0100", "2024-03-01 23:50:00 +0100"
            ),
            sleep(
                "SleepAnalysisAsleepDeep", "2024-03-02 00:00:00 +0100", "2024-03-02 06:00:00 +0100"
            ),
            "</HealthData>",
        ]
    )
    _run(session, user_id, export.encode())
    night = _day(session, user_id, date(2024, 3, 2))
    assert night.sleep_seconds == 6 * 3600 + 50 * 60
    assert night.sleep_light_seconds == 50 * 60 and night.sleep_deep_seconds == 6 * 3600
    assert (
        metrics.get_daily_metrics(
            session=session, user_id=user_id, start=date(2024, 3, 1), end=date(2024, 3, 1)
        )
        == []
    )
