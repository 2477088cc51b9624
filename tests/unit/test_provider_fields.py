"""Provider fields that were lost: Strava's activity list has kilojoules, not calories; the
wellness-service dailySleepData shape keeps resting HR and SpO2 elsewhere than the sleep
service's. Built from the real recorded payloads in tests/fixtures/json, reshaped as the other
endpoint answers (marked where a field is moved)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from cadence.services.devices import garmin, strava

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "json"


def load(name: str):
    return json.loads((FIXTURES / name).read_text())


def summary_activity(kind: str, **changes) -> dict:
    """The real DetailedActivity reduced to what the list endpoint (SummaryActivity) sends:
    no ``calories``, ``kilojoules`` for rides with power."""
    record = load("strava/activity_detailed.3.json")
    for detail_only in ("calories", "segment_efforts", "splits_metric", "best_efforts"):
        record.pop(detail_only, None)
    record.update(type=kind, sport_type=kind, **changes)
    return record


def test_a_ride_from_the_activity_list_gets_calories_from_its_work() -> None:
    ride = strava.map_activity(summary_activity("Ride", kilojoules=1234.5))
    assert ride.sport == "cycling" and ride.calories == 1234.5  # 1 kcal per kJ of work
    virtual = strava.map_activity(summary_activity("VirtualRide", kilojoules=600.0))
    assert virtual.calories == 600.0


def test_a_run_has_no_work_figure_so_no_guessed_calories() -> None:
    run = strava.map_activity(summary_activity("Run", kilojoules=500.0))
    assert run.calories is None


def test_detailed_calories_win_over_the_work_estimate() -> None:
    record = summary_activity("Ride", kilojoules=900.0, calories=812.3)
    assert strava.map_activity(record).calories == 812.3


def test_the_wellness_sleep_shape_gives_resting_hr_score_and_spo2() -> None:
    """The wellness shape (what ``garminconnect.get_sleep_data`` calls) keeps resting HR in
    ``dailySleepDTO`` and SpO2 in ``wellnessSpO2SleepSummaryDTO``; newer nights carry the
    score in ``dailySleepDTO.sleepScores``. The 2021 recording, with those fields placed
    where that shape has them."""
    payload = load("garmin_connect/wellness_dailySleepData_2021-07-20.json")
    reshaped = copy.deepcopy(payload)
    dto = reshaped["dailySleepDTO"]
    dto.pop("averageSpO2Value")
    dto["restingHeartRate"] = 47
    dto["sleepScores"] = {"overall": {"value": 78, "qualifierKey": "FAIR"}}
    record = garmin.map_sleep(reshaped)
    assert (record.resting_hr, record.sleep_score) == (47, 78)
    assert record.spo2_pct == 92.0  # wellnessSpO2SleepSummaryDTO.averageSPO2 of the recording
    assert record.sleep_seconds == 25740


def test_the_sleep_service_shape_still_reads_its_top_level_resting_hr() -> None:
    record = garmin.map_sleep(load("garmin_connect/sleep_dailySleepData_2025-07-07.json"))
    assert (record.resting_hr, record.sleep_score, record.spo2_pct) == (44, 83, 93.0)


@pytest.mark.parametrize("missing", ["restingHeartRate", "sleepScores"])
def test_a_night_without_the_field_leaves_it_unknown(missing) -> None:
    payload = load("garmin_connect/sleep_dailySleepData_2025-07-07.json")
    payload.pop(missing, None)
    payload["dailySleepDTO"].pop(missing, None)
    record = garmin.map_sleep(payload)
    field = "resting_hr" if missing == "restingHeartRate" else "sleep_score"
    assert getattr(record, field) is None
