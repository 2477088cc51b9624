"""Provider mapping against the recorded real payloads in tests/fixtures/json (see PROVENANCE)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from cadence.models.health import DailyMetricIn
from cadence.services.devices import garmin, strava, whoop
from cadence.services.devices.base import measured, merge_daily

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "json"


def load(name: str):
    return json.loads((FIXTURES / name).read_text())


# --- Garmin -----------------------------------------------------------------------------------


def test_garmin_sleep_maps_duration_stages_score_and_vitals() -> None:
    record = garmin.map_sleep(load("garmin_connect/sleep_dailySleepData_2025-07-07.json"))
    assert record == DailyMetricIn(
        source="garmin",
        date=date(2025, 7, 7),
        sleep_seconds=24180,
        sleep_deep_seconds=5280,
        sleep_light_seconds=13440,
        sleep_rem_seconds=5460,
        sleep_awake_seconds=420,
        sleep_score=83,
        spo2_pct=93.0,
        respiratory_rate=13.0,
        resting_hr=44,
    )
    # The stages add up to the sleep time Garmin reports.
    assert record.sleep_deep_seconds + record.sleep_light_seconds + record.sleep_rem_seconds == (
        record.sleep_seconds
    )


def test_garmin_sleep_no_data_day_gives_no_values() -> None:
    record = garmin.map_sleep(load("garmin_connect/sleep_dailySleepData_2030-01-01_nodata.json"))
    assert record is not None and record.date == date(2030, 1, 1)
    assert measured(record) == {}
    assert merge_daily([record]) == []  # a day with nothing measured is not stored


def test_garmin_older_wellness_sleep_shape_maps_too() -> None:
    record = garmin.map_sleep(load("garmin_connect/wellness_dailySleepData_2021-07-20.json"))
    assert (record.date, record.sleep_seconds, record.sleep_deep_seconds) == (
        date(2021, 7, 20),
        25740,
        4440,
    )
    assert record.sleep_score is None  # this older shape has no sleep score
    assert (record.spo2_pct, record.respiratory_rate) == (92.0, 15.0)


def test_garmin_hrv_takes_last_night_average() -> None:
    record = garmin.map_hrv(load("garmin_connect/hrv_2023-07-20.json"))
    assert record == DailyMetricIn(source="garmin", date=date(2023, 7, 20), hrv_rmssd_ms=42)


def test_garmin_hrv_range_summaries_map_one_per_day() -> None:
    payload = load("garmin_connect/hrv_daily_2023-07-01_2023-07-20.json")
    records = [garmin.map_hrv_summary(s) for s in payload["hrvSummaries"]]
    assert [r.date.day for r in records] == list(range(1, 21))
    assert records[0].hrv_rmssd_ms == 43 and records[2].hrv_rmssd_ms == 48
    # The single-day endpoint and the range endpoint agree on 2023-07-20.
    assert records[-1] == garmin.map_hrv(load("garmin_connect/hrv_2023-07-20.json"))


def test_garmin_stress_and_body_battery() -> None:
    record = garmin.map_stress(load("garmin_connect/dailyStress_bodyBattery_2023-07-20.json"))
    assert record == DailyMetricIn(
        source="garmin", date=date(2023, 7, 20), stress_avg=25, body_battery=85
    )


def test_garmin_incomplete_body_battery_samples_are_skipped() -> None:
    payload = load("garmin_connect/dailyStress_bodyBattery_2025-12-18_incomplete.json")
    samples = payload["bodyBatteryValuesArray"]
    measured = [s[2] for s in samples if s[2] is not None]
    assert len(samples) - len(measured) == 137  # the incomplete entries the fixture is about
    record = garmin.map_stress(payload)
    assert record.date == date(2025, 12, 18)
    assert record.body_battery == max(measured)
    assert record.stress_avg == 22


def test_garmin_stress_no_data_day_is_null() -> None:
    assert load("garmin_connect/dailyStress_2020-01-01_nodata.json") is None
    assert garmin.map_stress(None) is None


def test_garmin_negative_stress_means_not_measured() -> None:
    assert measured(garmin.map_stress({"calendarDate": "2024-01-01", "avgStressLevel": -2})) == {}


def test_garmin_daily_summary() -> None:
    record = garmin.map_summary(load("garmin_connect/usersummary_daily_2025-06-14.json"))
    assert record == DailyMetricIn(
        source="garmin",
        date=date(2025, 6, 14),
        steps=5459,
        resting_hr=51,
        stress_avg=24,
        body_battery=92,
    )


def test_garmin_training_readiness_prefers_the_morning_score() -> None:
    snapshots = load("garmin_connect/trainingreadiness_2025-07-07.json")
    assert [s["score"] for s in snapshots] == [50, 32, 32, 80, 75]
    record = garmin.map_training_readiness(snapshots)
    assert record == DailyMetricIn(source="garmin", date=date(2025, 7, 7), recovery_score=80)
    without_morning = [s for s in snapshots if s["inputContext"] != "AFTER_WAKEUP_RESET"]
    assert garmin.map_training_readiness(without_morning).recovery_score == 75  # earliest
    assert garmin.map_training_readiness([]) is None


def test_garmin_weigh_ins_in_kilograms() -> None:
    records = garmin.map_weigh_ins(load("garmin_connect/weight_range_2025-06-01_2025-06-15.json"))
    by_day = {r.date: r.weight_kg for r in records}
    assert by_day[date(2025, 6, 15)] == 59.72
    assert by_day[date(2025, 6, 14)] == 59.5  # the day's latest of two weigh-ins


def test_garmin_one_day_merges_all_sources_in_priority_order() -> None:
    merged = garmin.map_day(
        sleep=load("garmin_connect/sleep_dailySleepData_2025-07-07.json"),
        hrv={"hrvSummary": {"calendarDate": "2025-07-07", "lastNightAvg": 41}},
        summary={"calendarDate": "2025-07-07", "totalSteps": 9000, "restingHeartRate": 47},
        stress=None,
        readiness=load("garmin_connect/trainingreadiness_2025-07-07.json"),
    )
    assert len(merged) == 1
    day = merged[0]
    assert (day.sleep_seconds, day.hrv_rmssd_ms, day.steps, day.recovery_score) == (
        24180,
        41,
        9000,
        80,
    )
    assert day.resting_hr == 44  # the sleep's resting HR wins over the summary's


def test_garmin_activity_list_maps_every_activity() -> None:
    activities = [
        garmin.map_activity(a) for a in load("garmin_connect/activitylist_search_limit3.json")
    ]
    assert [a.sport for a in activities] == [
        "trail_running",
        "hiking",
        "stand_up_paddleboarding_v2",
    ]
    run = activities[0]
    assert run.external_id == "21482825013"
    assert run.start_time == datetime(2026, 1, 8, 14, 10, 21, tzinfo=UTC)
    assert (run.duration_s, run.elapsed_s, run.distance_m) == (2223.327, 2225.441, 4261.19)
    assert (run.avg_hr, run.max_hr, run.calories, run.elevation_gain_m) == (142, 162, 390, 151)
    assert run.load == 50.9
    assert activities[2].elevation_gain_m is None  # paddling has no elevation


def test_garmin_activity_detail_matches_its_list_entry() -> None:
    detail = garmin.map_activity(load("garmin_connect/activity_21482825013_trail_running.json"))
    listed = garmin.map_activity(load("garmin_connect/activitylist_search_limit3.json")[0])
    assert detail == listed


@pytest.mark.parametrize("broken", [None, {}, {"activityId": 1}, [], "text"])
def test_garmin_malformed_activity_is_skipped(broken) -> None:
    assert garmin.map_activity(broken) is None


# --- WHOOP ------------------------------------------------------------------------------------


def test_whoop_v1_sleep_collection_one_night_per_wake_day_naps_excluded() -> None:
    sleeps = load("whoop/v1_sleep_collection_2022-05-01_07_transcribed.json")["records"]
    records = whoop.map_daily(sleeps=sleeps, recoveries=[], cycles=[])
    # 8 records, one of them a nap: 7 nights, each on the local day it ended.
    assert [r.date for r in records] == [date(2022, 5, d) for d in range(1, 8)]
    may7 = records[-1]
    assert may7.sleep_seconds == round((15384266 + 7633425 + 8881873) / 1000)
    assert (may7.sleep_deep_seconds, may7.sleep_awake_seconds) == (7633, 3744)
    assert (may7.sleep_score, may7.respiratory_rate) == (100.0, 13.398438)
    # 2022-05-01 had a night sleep (3.1 h) and a nap; only the night counts.
    assert records[0].sleep_seconds < 3.2 * 3600


def test_whoop_v2_recovery_cycle_sleep_join_on_the_wake_day() -> None:
    records = whoop.map_daily(
        sleeps=[
            {
                **load("whoop/v2_sleep_doc_example_elided.json"),
                "id": "ee9e6759-2cd8-4317-bc44-0a0bc59a6f1f",
            }
        ],
        recoveries=[load("whoop/v2_recovery_doc_example.json")],
        cycles=[load("whoop/v2_cycle_doc_example.json")],
    )
    assert records == [
        DailyMetricIn(
            source="whoop",
            date=date(2022, 4, 24),  # sleep ended 05:25 local (-05:00) on the 24th
            sleep_score=98,
            respiratory_rate=16.11328125,
            recovery_score=44,
            resting_hr=64,
            hrv_rmssd_ms=31.813562,
            spo2_pct=95.6875,
            strain=5.2951527,
        )
    ]


def test_whoop_cycle_without_recovery_falls_on_the_day_after_sleep_onset() -> None:
    cycle = load("whoop/v2_cycle_doc_example.json")  # starts 21:25 local on 2022-04-23
    assert whoop.map_daily(sleeps=[], recoveries=[], cycles=[cycle]) == [
        DailyMetricIn(source="whoop", date=date(2022, 4, 24), strain=5.2951527)
    ]


def test_whoop_unscored_records_give_no_values() -> None:
    pending = {**load("whoop/v2_cycle_doc_example.json"), "score_state": "PENDING_SCORE"}
    assert whoop.map_daily(sleeps=[], recoveries=[], cycles=[pending]) == []


def test_whoop_workout() -> None:
    activity = whoop.map_workout(load("whoop/v2_workout_doc_example_elided.json"))
    assert activity.external_id == "ecfc6a15-4661-442f-a9a4-f160dd7afae8"
    assert activity.sport == "cycling"  # sport_id 1
    assert activity.duration_s == 8 * 3600
    assert (activity.avg_hr, activity.max_hr, activity.load) == (123, 146, 8.2463)
    assert activity.distance_m == 1772.77035916
    assert activity.calories == round(1569.34033203125 / 4.184, 1)


# --- Strava -----------------------------------------------------------------------------------


def test_strava_detailed_run() -> None:
    activity = strava.map_activity(load("strava/activity_detailed.3.json"))
    assert activity.external_id == "99895560"
    assert activity.sport == "running"
    assert activity.start_time == datetime(2013, 12, 12, 19, 36, 41, tzinfo=UTC)
    assert (activity.duration_s, activity.elapsed_s, activity.distance_m) == (2892, 3140, 5781.1)
    assert (activity.calories, activity.elevation_gain_m) == (537.9, 13.5)
    assert activity.avg_hr is None  # this run was recorded without HR


def test_strava_manual_hike() -> None:
    activity = strava.map_activity(load("strava/activity_manual.3.json"))
    assert (activity.sport, activity.distance_m, activity.duration_s) == ("hiking", 22530.8, 38700)


def test_strava_unknown_sport_type_becomes_snake_case() -> None:
    record = {**load("strava/activity_manual.3.json"), "sport_type": "BackcountrySki"}
    assert strava.map_activity(record).sport == "backcountry_ski"
