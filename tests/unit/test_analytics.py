"""The analytics formulas against series short enough to check by hand.

Every expected number below was worked out on paper from the definition in DESIGN §6 (the
working is in the comment beside it), not by running the code.
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

import pytest

from cadence.services import analytics as an

D0 = date(2026, 11, 1)


def day(n: int) -> date:
    return D0 + timedelta(days=n)


# --- TRIMP ------------------------------------------------------------------------------------


def test_trimp_half_reserve() -> None:
    # HRr = (130 - 60) / (200 - 60) = 0.5; 30 x 0.5 x 0.64 x e^0.96 = 9.6 x 2.611696 = 25.0723
    trimp = an.banister_trimp(duration_min=30, avg_hr=130, resting_hr=60, max_hr=200)
    assert trimp == pytest.approx(25.0723, abs=1e-3)


def test_trimp_clamps_reserve_to_one_and_zero() -> None:
    # HRr clamped to 1: 30 x 1 x 0.64 x e^1.92 = 19.2 x 6.820958 = 130.9624
    above = an.banister_trimp(duration_min=30, avg_hr=230, resting_hr=60, max_hr=200)
    assert above == pytest.approx(130.9624, abs=1e-3)
    assert an.banister_trimp(duration_min=30, avg_hr=50, resting_hr=60, max_hr=200) == 0.0


def test_trimp_without_usable_reserve_or_duration_is_zero() -> None:
    assert an.banister_trimp(duration_min=30, avg_hr=150, resting_hr=70, max_hr=70) == 0.0
    assert an.banister_trimp(duration_min=0, avg_hr=150) == 0.0


def test_trimp_from_hr_histogram() -> None:
    # 20 min at HRr 0.5: 20 x 0.5 x 0.64 x e^0.96 = 16.7149; 10 min at HRr 1: 10 x 0.64 x e^1.92
    # = 43.6541; total 60.3690
    histogram = [[130, 1200], [200, 600]]
    trimp = an.histogram_trimp(histogram, resting_hr=60, max_hr=200)
    assert trimp == pytest.approx(60.3690, abs=1e-3)


def test_activity_trimp_prefers_histogram_then_average_then_unknown() -> None:
    kwargs = {"duration_s": 1800, "resting_hr": 60, "max_hr": 200}
    from_histogram = an.activity_trimp(avg_hr=130, hr_histogram=[[200, 600]], **kwargs)
    assert from_histogram == pytest.approx(43.6541, abs=1e-3)
    from_average = an.activity_trimp(avg_hr=130, hr_histogram=None, **kwargs)
    assert from_average == pytest.approx(25.0723, abs=1e-3)  # 30 min at HRr 0.5, as above
    assert an.activity_trimp(avg_hr=None, hr_histogram=None, **kwargs) is None


def test_daily_loads_sum_per_day_and_rest_days_are_zero() -> None:
    sessions = [(day(0), 100.0), (day(0), 50.0), (day(2), 30.0), (day(9), 5.0)]
    loads = an.daily_loads(sessions, start=day(0), end=day(3))
    assert loads == {day(0): 150.0, day(1): 0.0, day(2): 30.0, day(3): 0.0}


def test_daily_loads_empty_range() -> None:
    assert an.daily_loads([], start=day(3), end=day(2)) == {}


# --- Fitness / Fatigue / Form and ACWR ----------------------------------------------------------


def test_decay_constants() -> None:
    assert abs(an.FITNESS_K - 0.0235283) < 1e-7  # 1 - e^(-1/42) = 1 - 0.9764717
    assert abs(an.FATIGUE_K - 0.1331221) < 1e-7  # 1 - e^(-1/7)
    assert an.ACUTE_LAMBDA == 0.25  # 2 / 8
    assert abs(an.CHRONIC_LAMBDA - 2 / 29) < 1e-15


def test_load_model_two_days_of_100() -> None:
    points = an.load_model({day(0): 100.0, day(1): 100.0})
    first, second = points
    # day 1: fitness 100k42 = 2.35283, fatigue 100k7 = 13.31221, form uses yesterday (0 - 0)
    assert first.fitness == pytest.approx(2.35283, abs=1e-5)
    assert first.fatigue == pytest.approx(13.31221, abs=1e-5)
    assert first.form == 0.0
    # day 2: form = 2.35283 - 13.31221 = -10.95938; fitness = 100(1 - e^(-2/42)) = 4.65030
    assert second.form == pytest.approx(-10.95938, abs=1e-5)
    assert second.fitness == pytest.approx(4.65030, abs=1e-5)
    assert second.fatigue == pytest.approx(24.85227, abs=1e-5)  # 100(1 - e^(-2/7))
    # acute and chronic are seeded with the mean of the days so far (100): they stay at 100
    assert first.acute == 100.0 and second.acute == 100.0
    assert second.chronic == pytest.approx(100.0) and second.acwr == pytest.approx(1.0)


def test_load_model_gap_is_a_rest_day() -> None:
    points = an.load_model({day(0): 80.0, day(2): 80.0})
    assert [p.day for p in points] == [day(0), day(1), day(2)]
    assert [p.load for p in points] == [80.0, 0.0, 80.0]
    # seed: the mean of the 3 days so far, 160/3; then 0.25 x load + 0.75 x previous
    seed = 160 / 3
    acute = [seed * 0.75 + 20, (seed * 0.75 + 20) * 0.75]
    acute.append(acute[1] * 0.75 + 20)
    assert [p.acute for p in points] == pytest.approx(acute)


def test_acwr_warms_up_for_28_days() -> None:
    loads = {day(i): 50.0 for i in range(30)}
    points = an.load_model(loads)
    assert {p.acwr_status for p in points[:28]} == {"warming_up"}
    assert points[28].acwr_status == "ok"
    # a perfectly steady athlete: both averages start at the first weeks' mean, ACWR 1.00
    # (from 0 it read (1 - 0.75^29) / (1 - (27/29)^29) = 1.14 on day 29)
    assert {round(p.acwr, 12) for p in points} == {1.0}


def test_acwr_seed_is_the_first_weeks_mean() -> None:
    loads = {day(i): (100.0 if i % 2 else 0.0) for i in range(40)}
    assert an.acwr_seed(loads, first_load_day=day(1)) == pytest.approx(50.0)  # 14 of 28
    short = {day(0): 30.0, day(1): 0.0, day(2): 60.0}
    assert an.acwr_seed(short, first_load_day=day(0)) == pytest.approx(30.0)


def test_acwr_no_chronic_load_never_divides_by_zero() -> None:
    loads = {day(i): 0.0 for i in range(40)}
    points = an.load_model(loads, first_load_day=day(0))
    assert points[10].acwr is None and points[10].acwr_status == "warming_up"
    assert points[39].acwr is None and points[39].acwr_status == "no_chronic_load"
    untrained = an.load_model(loads)
    assert {p.acwr_status for p in untrained} == {"no_data"}


def test_load_model_empty_and_one_day() -> None:
    assert an.load_model({}) == []
    (only,) = an.load_model({day(0): 0.0})
    assert only.acwr is None and only.acwr_status == "no_data" and only.fitness == 0.0


def test_ewma_weights_recent_load_more_than_rolling_average() -> None:
    # Williams et al. 2017's point: rolling 7/28 averages give the same ratio for any order of
    # the same loads; EWMA does not. Same 28 loads, the big week early vs late.
    early = {day(i): (100.0 if i < 7 else 40.0) for i in range(28)}
    late = {day(i): (100.0 if i >= 21 else 40.0) for i in range(28)}
    ratio_early = an.load_model(early)[-1].acwr
    ratio_late = an.load_model(late)[-1].acwr
    assert ratio_early is not None and ratio_late is not None
    assert ratio_late > 1.3 > ratio_early


# --- monotony -----------------------------------------------------------------------------------


def test_monotony_hand_computed() -> None:
    # loads 100,0,... : mean 400/7, population SD 100 sqrt(12)/7 -> 4/sqrt(12) = 1.1547
    week = [100.0, 0.0, 100.0, 0.0, 100.0, 0.0, 100.0]
    assert an.training_monotony(week) == pytest.approx(4 / math.sqrt(12))
    # 50/60 alternating: mean 380/7, SD 10 sqrt(12)/7 -> 38/sqrt(12) = 10.97
    steady = [50.0, 60.0, 50.0, 60.0, 50.0, 60.0, 50.0]
    assert an.training_monotony(steady) == pytest.approx(10.9697, abs=1e-4)


def test_monotony_undefined_cases() -> None:
    assert an.training_monotony([0.0] * 7) is None  # no training
    assert an.training_monotony([40.0] * 7) is None  # SD 0: never divide by zero
    assert an.training_monotony([40.0] * 6) is None  # not a full week


# --- HRV, resting HR, sleep ---------------------------------------------------------------------


def _alternating_hrv(days: int) -> dict[date, float]:
    # ln(rMSSD) alternates 4.0 (odd days from 1) and 4.2 (even days)
    return {day(i): math.exp(4.0 if i % 2 else 4.2) for i in range(1, days + 1)}


def test_hrv_baseline_hand_computed() -> None:
    series = _alternating_hrv(14)
    base = an.hrv_baseline(series, on=day(14))
    assert base is not None
    # 60-day: 7 x 4.0 and 7 x 4.2 -> mean 4.1, sample SD 0.1 x sqrt(14/13) = 0.103775
    assert base.long_mean == pytest.approx(4.1)
    assert base.long_sd == pytest.approx(0.103775, abs=1e-6)
    # 7-day (days 8..14): 4 x 4.2 + 3 x 4.0 = 28.8 / 7 = 4.114286; z = 0.014286 / 0.103775
    assert base.short_mean == pytest.approx(4.114286, abs=1e-6)
    assert base.z == pytest.approx(0.137663, abs=1e-5)


def test_hrv_band_is_the_smallest_worthwhile_change() -> None:
    """The band is exp(60-day mean ± 0.5 SD): exp(4.1 ± 0.051888) = 57.3-63.6 ms; the 7-day
    mean exp(4.114286) = 61.2 ms is inside it (no real change), green."""
    verdict = an.hrv_verdict(_alternating_hrv(14), on=day(14))
    assert verdict is not None
    assert (verdict.low_ms, verdict.high_ms) == (57.3, 63.6)
    assert verdict.week_ms == 61.2 and verdict.baseline_ms == 60.3
    assert (verdict.status, verdict.days_below, verdict.color) == ("within", 0, "green")


def _sustained_drop() -> dict[date, float]:
    """docs/analytics.md's worked example: 53 nights alternating 54.6 / 66.7 ms (ln 4.0 / 4.2),
    then every night 54.6 ms from day 54."""
    series = _alternating_hrv(61)
    for i in range(54, 62):
        series[day(i)] = math.exp(4.0)
    return series


def test_hrv_sustained_drop_turns_yellow_then_is_flagged_red() -> None:
    series = _sustained_drop()
    seen = {i: an.hrv_verdict(series, on=day(i)) for i in range(56, 62)}
    assert all(v is not None for v in seen.values())
    day56, day57, day61 = seen[56], seen[57], seen[61]
    assert day56 and (day56.week_ms, day56.low_ms, day56.status) == (57.8, 57.0, "within")
    assert day57 and (day57.week_ms, day57.low_ms, day57.status) == (56.2, 56.9, "below")
    assert (day57.days_below, day57.flagged, day57.color) == (1, False, "yellow")
    assert day61 and (day61.week_ms, day61.low_ms, day61.high_ms) == (54.6, 56.6, 62.6)
    assert (day61.days_below, day61.flagged, day61.color) == (an.HRV_LOW_DAYS, True, "red")
    (flag,) = an.risk_flags(hrv=day61, debt=None, load=None, monotony=None)
    assert flag.code == "hrv_low"
    assert flag.message == (
        "HRV 7-day mean 54.6 ms has been below your normal range (56.6-62.6 ms) for 5 days in "
        "a row."
    )


def _old_falling_flag(values: list[float], t: int) -> bool:
    """The replaced rule: each of the last 3 readings lower than the one before."""
    return all(values[t - k] < values[t - k - 1] for k in range(3))


def test_hrv_flag_on_pure_noise_fires_far_less_than_three_falling_days() -> None:
    """2000 days of ln rMSSD drawn from one normal distribution (nothing changes): the old
    "3 falling days" fired on 4.0 % of days, the new flag on 1.0 % (docs/analytics.md); the
    7-day mean is below its band (yellow, not flagged) on 7.3 %."""
    rng = random.Random(20261202)
    values = [rng.gauss(4.0, 0.15) for _ in range(2000)]
    series = {day(i): math.exp(v) for i, v in enumerate(values)}
    days = range(70, len(values))
    new = old = below = 0
    for t in days:
        recent = {day(i): series[day(i)] for i in range(t - 70, t + 1)}
        verdict = an.hrv_verdict(recent, on=day(t))
        assert verdict is not None
        new += verdict.flagged
        below += verdict.status == "below"
        old += _old_falling_flag(values, t)
    new_rate, old_rate = new / len(days), old / len(days)
    assert round(old_rate * 100, 1) == 4.0 and round(new_rate * 100, 1) == 1.0
    assert round(below / len(days) * 100, 1) == 7.3
    assert new_rate < old_rate / 3


def test_hrv_baseline_needs_14_readings_and_3_recent() -> None:
    assert an.hrv_baseline(_alternating_hrv(13), on=day(13)) is None
    sparse = _alternating_hrv(20)
    for i in range(15, 20):  # keep only day 14 and day 20 in the last 7 days (14..20)
        del sparse[day(i)]
    assert an.hrv_baseline(sparse, on=day(20)) is None
    assert an.hrv_baseline({}, on=day(0)) is None


def test_hrv_missing_days_are_not_zero() -> None:
    series = _alternating_hrv(30)
    with_gap = {d: v for d, v in series.items() if not day(16) <= d <= day(19)}
    base = an.hrv_baseline(with_gap, on=day(30))
    assert base is not None
    # 26 readings: days 1..15 (8 odd, 7 even) and 20..30 (5 odd, 6 even): 13 x 4.0 + 13 x 4.2
    assert base.long_mean == pytest.approx(4.1)


def test_hrv_below_band() -> None:
    series = _alternating_hrv(21)
    for i in range(15, 22):
        series[day(i)] = math.exp(3.6)
    base = an.hrv_baseline(series, on=day(21))
    verdict = an.hrv_verdict(series, on=day(21))
    assert base is not None and base.z < -1
    assert verdict is not None and verdict.status == "below"


def test_hrv_flat_baseline_uses_the_sd_floor() -> None:
    series = {day(i): 50.0 for i in range(20)}
    series[day(20)] = 50.0 * math.exp(0.01)
    base = an.hrv_baseline(series, on=day(20))
    assert base is not None
    assert base.z == pytest.approx((base.short_mean - base.long_mean) / an.HRV_SD_FLOOR)


def test_hrv_metric_prefers_rmssd_and_never_mixes() -> None:
    rmssd, sdnn = _alternating_hrv(20), {d: v * 0.8 for d, v in _alternating_hrv(20).items()}
    assert an.hrv_metric(rmssd=rmssd, sdnn=sdnn, on=day(20)) == "rmssd"
    assert an.hrv_metric(rmssd={}, sdnn=sdnn, on=day(20)) == "sdnn"
    few = {d: v for d, v in rmssd.items() if d > day(15)}  # rMSSD without a baseline yet
    assert an.hrv_metric(rmssd=few, sdnn=sdnn, on=day(20)) == "sdnn"
    assert an.hrv_metric(rmssd=few, sdnn={}, on=day(20)) == "rmssd"


def test_resting_hr_deviation() -> None:
    series = {day(i): (52.0 if i % 2 else 50.0) for i in range(14)}  # day 13 -> 52
    dev = an.resting_hr_deviation(series, on=day(13))
    assert dev is not None
    # mean 51, sample SD sqrt(14/13) = 1.037749; z = 1 / 1.037749 = 0.963624
    assert dev.short_mean == 52.0 and dev.long_mean == 51.0
    assert dev.z == pytest.approx(0.963624, abs=1e-6)
    assert an.resting_hr_deviation(series, on=day(14)) is None  # no reading that day
    flat = {day(i): 50.0 for i in range(14)}
    flat_dev = an.resting_hr_deviation(flat, on=day(13))
    assert flat_dev is not None and flat_dev.z == 0.0


def test_sleep_debt_nets_recorded_nights() -> None:
    hours = {day(0): 7, day(1): 6, day(3): 8, day(5): 9}
    series = {d: h * 3600.0 for d, h in hours.items()}
    debt = an.sleep_debt(series, on=day(6), need_hours=8)
    # (8-7) + (8-6) + 0 + (8-9) = 2 h over 4 nights; day 2, 4 and 6 are missing, not zero
    assert debt == an.SleepDebt(hours=2.0, nights=4, need_hours=8)
    rested = an.sleep_debt({day(0): 10 * 3600.0}, on=day(0), need_hours=8)
    assert rested is not None and rested.hours == 0.0
    assert an.sleep_debt(series, on=day(30), need_hours=8) is None
    assert an.sleep_debt(series, on=day(6), need_hours=7.5).hours == 0.0  # 0.5+1.5-0.5-1.5


# --- readiness ----------------------------------------------------------------------------------


def _inputs(**overrides) -> an.ReadinessInputs:
    values = {
        "hrv": an.Baseline(short_mean=4.0, long_mean=4.0, long_sd=0.1, z=0.0),
        "resting_hr": an.Baseline(short_mean=50, long_mean=50, long_sd=2, z=0.0),
        "sleep_last_night_s": 8 * 3600.0,
        "debt": an.SleepDebt(hours=0.0, nights=7, need_hours=8),
        "need_hours": 8.0,
        "load": an.LoadPoint(day(0), 50, 40, 45, -5, 50, 50, 1.0, "ok"),
    }
    return an.ReadinessInputs(**(values | overrides))


def test_readiness_all_contributors() -> None:
    result = an.readiness(day=day(0), days_of_data=60, inputs=_inputs())
    # .35 x 75 + .2 x 75 + .2 x 100 + .1 x 100 + .15 x 100 = 86.25 -> 86
    assert result.status == "ok" and result.score == 86 and result.color == "green"
    weights = {c.key: c.weight for c in result.contributors}
    assert weights == pytest.approx(an.READINESS_WEIGHTS)
    assert result.why.startswith("Ready to train")


def test_readiness_renormalises_missing_contributors() -> None:
    inputs = _inputs(
        hrv=an.Baseline(short_mean=3.8, long_mean=4.0, long_sd=0.1, z=-2.0),
        resting_hr=None,
        sleep_last_night_s=6 * 3600.0,
        debt=an.SleepDebt(hours=3.0, nights=7, need_hours=8),
        load=None,
    )
    result = an.readiness(day=day(0), days_of_data=30, inputs=inputs)
    # scores hrv 25, sleep 75, debt 25; (.35 x 25 + .2 x 75 + .1 x 25) / .65 = 40.38 -> 40
    assert result.score == 40 and result.color == "yellow"
    by_key = {c.key: c for c in result.contributors}
    assert by_key["hrv"].weight == pytest.approx(0.35 / 0.65)
    assert by_key["resting_hr"].weight == 0.0 and by_key["resting_hr"].value is None
    assert by_key["training_load"].score is None
    assert sum(c.weight for c in result.contributors) == pytest.approx(1.0)
    assert "7-day HRV" in result.why  # the biggest drag: HRV at .35 x 75 lost points


def test_readiness_red() -> None:
    inputs = _inputs(
        hrv=an.Baseline(short_mean=3.6, long_mean=4.0, long_sd=0.1, z=-4.0),
        resting_hr=an.Baseline(short_mean=58, long_mean=50, long_sd=2, z=4.0),
        sleep_last_night_s=4 * 3600.0,
        debt=an.SleepDebt(hours=5.0, nights=7, need_hours=8),
        load=an.LoadPoint(day(0), 300, 40, 90, -5, 120, 60, 2.0, "ok"),
    )
    result = an.readiness(day=day(0), days_of_data=90, inputs=inputs)
    # 0 + 0 + .2 x 50 + 0 + .15 x 0 = 10
    assert result.score == 10 and result.color == "red"
    assert result.why.startswith("Prioritise recovery")


def test_readiness_insufficient_and_no_data() -> None:
    early = an.readiness(day=day(0), days_of_data=13, inputs=_inputs())
    assert early.status == "insufficient_data" and early.score is None and early.color is None
    assert "13 of 14" in early.why
    empty = _inputs(hrv=None, resting_hr=None, sleep_last_night_s=None, debt=None, load=None)
    none = an.readiness(day=day(0), days_of_data=40, inputs=empty)
    assert none.status == "no_data" and none.score is None
    assert all(c.weight == 0.0 for c in none.contributors)


@pytest.mark.parametrize(
    ("score", "color"),
    [
        (100, "green"),
        (67, "green"),
        (66.5, "green"),
        (66.4, "yellow"),
        (34, "yellow"),
        (33.5, "yellow"),
        (33.4, "red"),
        (0, "red"),
    ],
)
def test_readiness_color_boundaries(score: float, color: str) -> None:
    assert an.readiness_color(score) == color


def test_acwr_score() -> None:
    assert an.acwr_score(1.0) == 100.0
    assert an.acwr_score(1.65) == pytest.approx(50.0)  # (1.65 - 1.3) / 0.7 = half way to 0
    assert an.acwr_score(2.5) == 0.0
    assert an.acwr_score(0.4) == pytest.approx(80.0)  # 100 - 0.4 x 50


# --- flags --------------------------------------------------------------------------------------


def _point(ratio: float | None, status: str = "ok") -> an.LoadPoint:
    return an.LoadPoint(day(0), 0, 0, 0, 0, 0, 0, ratio, status)


def test_no_flags_at_the_thresholds() -> None:
    flags = an.risk_flags(
        hrv=an.hrv_verdict(_sustained_drop(), on=day(60)),  # 4 days below: not yet
        debt=an.SleepDebt(hours=2.0, nights=7, need_hours=8),
        load=_point(1.3),
        monotony=2.0,
    )
    assert flags == []


def test_every_flag_above_its_threshold() -> None:
    flags = an.risk_flags(
        hrv=an.hrv_verdict(_sustained_drop(), on=day(61)),
        debt=an.SleepDebt(hours=2.5, nights=7, need_hours=8),
        load=_point(1.31),
        monotony=2.1,
    )
    assert [f.code for f in flags] == ["hrv_low", "sleep_debt", "acwr_high", "monotony_high"]
    assert {f.severity for f in flags} == {"warning"}
    assert "2.5 h" in flags[1].message and "1.31" in flags[2].message


def test_acwr_flag_is_critical_above_1_5_and_silent_while_warming_up() -> None:
    (flag,) = an.risk_flags(hrv=None, debt=None, load=_point(1.6), monotony=None)
    assert flag.severity == "critical"
    warming = an.risk_flags(hrv=None, debt=None, load=_point(1.9, "warming_up"), monotony=None)
    assert warming == []
    assert (
        an.risk_flags(hrv=None, debt=None, load=_point(None, "no_chronic_load"), monotony=None)
        == []
    )


def test_a_sustained_one_sd_drop_is_flagged_within_two_weeks() -> None:
    """Noise as above for 90 days, then every night 1 SD (0.15 ln, ~14 %) lower: over 101 seeded
    histories the flag comes a median of 9 days into the drop (docs/analytics.md)."""
    rng = random.Random(7)
    delays = []
    for _ in range(101):
        values = [rng.gauss(4.0, 0.15) for _ in range(90)]
        values += [rng.gauss(3.85, 0.15) for _ in range(30)]
        series = {day(i): math.exp(v) for i, v in enumerate(values)}
        delays.append(
            next(
                (
                    t - 89
                    for t in range(90, 120)
                    if (verdict := an.hrv_verdict(series, on=day(t))) and verdict.flagged
                ),
                99,
            )
        )
    assert sorted(delays)[50] == 9
