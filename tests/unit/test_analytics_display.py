"""The dashboard state's display rows: units, signs, missing values and the devices line."""

from __future__ import annotations

from datetime import UTC, date, datetime

from cadence.display import plural, signed
from cadence.models.dashboard import (
    Contributor,
    SleepOut,
    TodayMetric,
    TodayOut,
    TrainingLoadOut,
    WeeklyStats,
    WeekStats,
)
from cadence.models.device import DevicePublic
from cadence.services.admin import ModelUsage
from cadence.states.admin import model_row
from cadence.states.dashboard import (
    contributor_row,
    devices_line,
    load_number,
    sleep_number,
    this_week_label,
    tile_row,
    weekly_rows,
)


def test_contributor_rows_show_units_bars_and_missing_inputs() -> None:
    hrv = Contributor(
        key="hrv",
        label="HRV (7-day)",
        value=52.53,
        unit="ms",
        score=45.8,
        weight=0.35,
        detail="7-day HRV 53 ms vs baseline 62 ms (-15%)",
    )
    row = contributor_row(hrv)
    assert row["value"] == "53 ms" and row["bar"] == "46%" and row["weight"] == "35%"
    assert row["color"] == "amber"
    acwr = Contributor(
        key="training_load",
        label="ACWR",
        value=1.124,
        unit="ratio",
        score=100,
        weight=0.15,
        detail="",
    )
    assert contributor_row(acwr)["value"] == "1.12" and contributor_row(acwr)["color"] == "grass"
    missing = Contributor(
        key="resting_hr",
        label="Resting HR",
        value=None,
        unit="bpm",
        score=None,
        weight=0,
        detail="No reading that day",
    )
    row = contributor_row(missing)
    assert row["value"] == "no data" and row["bar"] == "0%" and row["color"] == "gray"


def test_tile_row_formats_value_baseline_and_change() -> None:
    tile = TodayMetric(
        key="sleep_seconds",
        label="Sleep",
        unit="h",
        value=6.26,
        date=date(2026, 11, 29),
        source="garmin",
        baseline=6.92,
        delta=-0.66,
        delta_pct=-9.5,
    )
    row = tile_row(tile, {"sleep": "sleep text", "tiles": "tiles text"})
    assert row["value"] == "6.3" and row["baseline"] == "60-day mean 6.9"
    assert row["change"] == "-0.7 (-10%) vs baseline"
    assert row["source"] == "garmin · Nov 29" and row["explain"] == "sleep text"
    steps = tile.model_copy(
        update={"key": "steps", "unit": "steps", "value": 10512, "baseline": None, "delta": None}
    )
    row = tile_row(steps, {"tiles": "tiles text"})
    assert row["value"] == "10,512" and row["baseline"] == "" and row["change"] == ""
    assert row["explain"] == "tiles text"
    unchanged = tile.model_copy(update={"delta": -0.02, "delta_pct": -0.3})
    row = tile_row(unchanged, {"tiles": ""})
    assert row["change"] == "+0.0 (+0%) vs baseline"  # never "-0.0 (-0%)"


def test_weekly_rows_compare_weeks_and_leave_gaps_blank() -> None:
    def week(**kw) -> WeekStats:
        base = dict(
            start=date(2026, 11, 23),
            end=date(2026, 11, 29),
            sessions=3,
            minutes=120,
            distance_m=12_500,
            volume_load_kg=4_000,
            load=300,
            avg_sleep_hours=7.25,
            avg_hrv_ms=60,
        )
        return WeekStats(**(base | kw))

    stats = WeeklyStats(
        this_week=week(), last_week=week(sessions=1, distance_m=10_000, avg_hrv_ms=None)
    )
    rows = {r["label"]: r for r in weekly_rows(stats, distance_unit="km", weight_unit="kg")}
    assert rows["Sessions"] == {"label": "Sessions", "this": "3", "last": "1", "change": "+2"}
    assert rows["Distance"]["this"] == "12.5 km" and rows["Distance"]["change"] == "+2.5 km"
    assert rows["Avg HRV"]["last"] == "—" and rows["Avg HRV"]["change"] == ""
    imperial = {r["label"]: r for r in weekly_rows(stats, distance_unit="mi", weight_unit="lb")}
    assert imperial["Distance"]["this"] == "7.8 mi"  # 12.5 km / 1.609344
    assert imperial["Volume load"]["this"] == "8,818 lb"  # 4000 kg / 0.45359237


def test_this_week_is_labelled_so_far_until_it_is_over() -> None:
    def stats(days: int) -> WeeklyStats:
        week = WeekStats(
            start=date(2026, 11, 23),
            end=date(2026, 11, 22 + days),
            days=days,
            so_far=days < 7,
            sessions=0,
            minutes=0,
            distance_m=0,
            volume_load_kg=0,
            load=0,
            avg_sleep_hours=None,
            avg_hrv_ms=None,
        )
        return WeeklyStats(this_week=week, last_week=week)

    assert this_week_label(stats(2)) == "This week so far (2 of 7 days)"
    assert this_week_label(stats(7)) == "This week"


def test_devices_line() -> None:
    synced = datetime(2026, 11, 29, 6, 10, tzinfo=UTC)
    devices = [
        DevicePublic(
            provider="garmin", connected=True, status="ok", last_sync_at=synced, last_error=None
        ),
        DevicePublic(
            provider="whoop",
            connected=True,
            status="error",
            last_sync_at=None,
            last_error="token expired",
        ),
        DevicePublic(
            provider="strava",
            connected=False,
            status="disconnected",
            last_sync_at=None,
            last_error=None,
        ),
    ]
    assert devices_line(devices) == "Garmin synced Nov 29 06:10 UTC · Whoop: sync error"
    assert devices_line(devices[2:]).startswith("No device connected")


def _training_load(**changes) -> TrainingLoadOut:
    base = dict(
        date=date(2026, 11, 30),
        load=80.0,
        fitness=40.0,
        fatigue=55.0,
        form=-15.0,
        acwr=1.42,
        acwr_status="ok",
        acwr_zone="high",
        acwr_color="red",
        warmup_days_left=0,
        monotony=1.1,
        week_load=612.4,
        series=[],
    )
    return TrainingLoadOut(**(base | changes))


def test_load_number_is_the_ratio_in_words_or_the_week_while_warming_up() -> None:
    spike = load_number(_training_load())
    assert (spike.value, spike.unit) == ("1.42", "ACWR")
    assert spike.detail == "Well above your usual load · 7-day load 612 AU"
    warming = load_number(_training_load(acwr=None, acwr_status="warming_up", warmup_days_left=9))
    assert (warming.value, warming.unit) == ("612", "AU")
    assert warming.detail == "7-day load · ACWR warming up (9 d left)"


def test_sleep_number_is_last_night_against_the_need_and_says_when_it_is_old() -> None:
    sleep = SleepOut(need_hours=8.0, debt_hours=1.54, nights_counted=7)
    night = TodayMetric(
        key="sleep_seconds",
        label="Sleep",
        unit="h",
        value=7.36,
        date=date(2026, 11, 30),
        source="oura",
        baseline=None,
        delta=None,
        delta_pct=None,
    )
    fresh = sleep_number(TodayOut(metrics=[night]), sleep)
    assert (fresh.value, fresh.detail) == ("7.4", "Need 8.0 h · debt 1.5 h in 7 nights")
    old = sleep_number(TodayOut(metrics=[night.model_copy(update={"age_days": 3})]), sleep)
    assert old.detail == "30 Nov (3 days ago) · Need 8.0 h"
    missing = sleep_number(TodayOut(metrics=[]), sleep)
    assert (missing.value, missing.unit) == ("\u2014", "")  # a dash, not "— h"
    assert missing.detail == "No sleep recorded · Need 8.0 h"


def test_counts_are_plural_only_when_not_one() -> None:
    assert plural(1, "answer") == "1 answer" and plural(2, "answer") == "2 answers"
    assert plural(1, "activity", "activities") == "1 activity"
    assert plural(12_000, "token") == "12,000 tokens"
    usage = ModelUsage(model_id="m", answers=1, tokens=1, numbers_stated=0, numbers_verified=0)
    row = model_row(usage)
    assert (row.answers, row.tokens, row.faithfulness) == ("1 answer", "1 token", "\u2014")


def test_a_change_that_rounds_to_zero_is_never_minus_zero() -> None:
    assert [signed(v) for v in (-0.3, 0.0, 0.4, -2.6, 1204.0)] == ["+0", "+0", "+0", "-3", "+1,204"]
    assert [signed(v, 1) for v in (-0.04, 2.55, -1.25)] == ["+0.0", "+2.5", "-1.2"]
