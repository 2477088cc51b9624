"""Pure training and recovery analytics (DESIGN §6): no database, no I/O, plain numbers in and out.

Conventions every function keeps:

- A daily series is a ``Mapping[date, float]``; a day that is absent is *missing* and is never
  read as zero. The only exception is training load: a day without a session is a rest day,
  load 0 (``daily_loads`` fills those days).
- Nothing here divides by zero: where a ratio has no denominator the result is ``None`` with a
  status that says why.
- Windows are calendar windows ending on (and including) the day asked about.
- Strength sessions are put on the TRIMP scale (``strength_trimp``: their minutes at a heart-
  rate reserve of RPE/10, default RPE 7) and summed with the activities' TRIMP: one scale.
  Foster's session-RPE x minutes (``strength.session_load``) stays the workout pages' figure.

The definitions are explained for users in ``docs/analytics.md`` and in the dashboard's
"how is this computed" texts (``EXPLANATIONS``), which quote the constants below.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

from cadence.display import signed

# --- constants (quoted by docs/analytics.md and explanations()) ---------------------------------


@dataclass(frozen=True)
class TrimpCurve:
    """Banister's intensity weighting of one minute at heart-rate reserve HRr: a x e^(b x HRr)."""

    a: float
    b: float


TRIMP_MALE = TrimpCurve(a=0.64, b=1.92)
TRIMP_FEMALE = TrimpCurve(a=0.86, b=1.67)
TRIMP_CURVES: dict[str, TrimpCurve] = {
    "male": TRIMP_MALE,
    "female": TRIMP_FEMALE,
    "unspecified": TRIMP_MALE,
}
"""Banister's (1991) coefficients per sex. "Prefer not to say" keeps the male curve (what every
user had before sex was asked): women who set their sex read 10-18 % higher at the same HR."""
DEFAULT_RESTING_HR = 60.0
DEFAULT_MAX_HR = 190.0
FITNESS_DAYS = 42
FATIGUE_DAYS = 7
FITNESS_K = 1 - math.exp(-1 / FITNESS_DAYS)
FATIGUE_K = 1 - math.exp(-1 / FATIGUE_DAYS)
ACUTE_DAYS = 7
CHRONIC_DAYS = 28
ACUTE_LAMBDA = 2 / (ACUTE_DAYS + 1)
CHRONIC_LAMBDA = 2 / (CHRONIC_DAYS + 1)
ACWR_WARMUP_DAYS = 28
BASELINE_DAYS = 60
SHORT_DAYS = 7
MIN_BASELINE_VALUES = 14
MIN_SHORT_VALUES = 3
HRV_SD_FLOOR = 0.02
"""Smallest SD of ln(rMSSD) used as a z-score denominator (never divide by a zero spread)."""
RESTING_HR_SD_FLOOR = 1.0
HRV_SWC_SD = 0.5
"""The HRV band is the baseline mean ± 0.5 SD of its daily ln values: the smallest worthwhile
change (Plews et al. 2012; Buchheit 2014). A 7-day mean inside it is no real change."""
HRV_LOW_DAYS = 5
"""The HRV flag: the 7-day mean below its band on this many consecutive days. On pure noise
(``tests/unit/test_analytics.py``) it fires on 1.0 % of days, against 4.0 % for the "3 falling
days" it replaced; a sustained 1-SD drop is flagged after a median of 9 days."""
READINESS_MIN_DAYS = 14
SLEEP_DEBT_FLAG_HOURS = 2.0
ACWR_FLAG = 1.3
ACWR_LOW = 0.8
"""Below this ACWR the load is lower than usual (detraining, or a taper)."""
ACWR_CRITICAL = 1.5
MONOTONY_FLAG = 2.0
GREEN_MIN = 67
RED_MAX = 33

READINESS_WEIGHTS: dict[str, float] = {
    "hrv": 0.35,
    "resting_hr": 0.20,
    "sleep": 0.20,
    "sleep_debt": 0.10,
    "training_load": 0.15,
}
"""Nominal contributor weights; missing contributors drop out and the rest are renormalised."""

Color = Literal["green", "yellow", "red"]
AcwrStatus = Literal["ok", "warming_up", "no_chronic_load", "no_data"]
ReadinessStatus = Literal["ok", "insufficient_data", "no_data"]
Severity = Literal["info", "warning", "critical"]
BandStatus = Literal["below", "within", "above"]
AcwrZone = Literal["low", "ok", "high"]
HrvMetric = Literal["rmssd", "sdnn"]
HRV_LABELS: dict[str, str] = {"rmssd": "HRV", "sdnn": "HRV (SDNN)"}
"""How each HRV metric is named to the user: Apple Health's SDNN always says so."""


# --- load ---------------------------------------------------------------------------------------


def banister_trimp(
    *,
    duration_min: float,
    avg_hr: float,
    resting_hr: float = DEFAULT_RESTING_HR,
    max_hr: float = DEFAULT_MAX_HR,
    curve: TrimpCurve = TRIMP_MALE,
) -> float:
    """Banister's TRIMP: minutes x HRr x a x e^(b x HRr), HRr = (avg - rest) / (max - rest),
    with the sex's ``curve`` (a = 0.64, b = 1.92 male; 0.86, 1.67 female).

    HRr is clamped to [0, 1]; a max HR not above rest gives 0 (no usable reserve).
    """
    reserve = max_hr - resting_hr
    if duration_min <= 0 or reserve <= 0:
        return 0.0
    hrr = min(1.0, max(0.0, (avg_hr - resting_hr) / reserve))
    return duration_min * hrr * curve.a * math.exp(curve.b * hrr)


def histogram_trimp(
    histogram: Sequence[Sequence[float]],
    *,
    resting_hr: float = DEFAULT_RESTING_HR,
    max_hr: float = DEFAULT_MAX_HR,
    curve: TrimpCurve = TRIMP_MALE,
) -> float:
    """Banister's TRIMP summed over ``[bpm, seconds]`` pairs (time spent at each heart rate).

    Exact for any resting/maximum HR: each pair adds the TRIMP of its minutes at its own HRr
    (TRIMP is linear in minutes, so the per-minute value of each bpm is computed once).
    """
    total = 0.0
    for bpm, seconds in histogram:
        total += seconds / 60 * _trimp_per_minute(bpm, resting_hr, max_hr, curve)
    return total


@lru_cache(maxsize=4096)
def _trimp_per_minute(bpm: float, resting_hr: float, max_hr: float, curve: TrimpCurve) -> float:
    return banister_trimp(
        duration_min=1.0, avg_hr=bpm, resting_hr=resting_hr, max_hr=max_hr, curve=curve
    )


def activity_trimp(
    *,
    duration_s: float,
    avg_hr: float | None,
    hr_histogram: Sequence[Sequence[float]] | None,
    resting_hr: float = DEFAULT_RESTING_HR,
    max_hr: float = DEFAULT_MAX_HR,
    curve: TrimpCurve = TRIMP_MALE,
) -> float | None:
    """An activity's TRIMP: from its HR histogram when recorded, else from its average HR over
    its timer duration; ``None`` when it has no heart rate at all (its load is unknown)."""
    if hr_histogram:
        return histogram_trimp(hr_histogram, resting_hr=resting_hr, max_hr=max_hr, curve=curve)
    if avg_hr is None:
        return None
    return banister_trimp(
        duration_min=duration_s / 60,
        avg_hr=avg_hr,
        resting_hr=resting_hr,
        max_hr=max_hr,
        curve=curve,
    )


def strength_trimp(*, rpe: float, minutes: float, curve: TrimpCurve = TRIMP_MALE) -> float:
    """A strength session on the TRIMP scale: its minutes at a heart-rate reserve of RPE/10
    (CR-10 RPE 7 "very hard" = 70 % HRR), weighted by the same Banister curve as a cardio
    session. 60 min at RPE 7 is 103 (men's curve) instead of Foster's 420 AU, next to 73 for
    60 min of running at 60 % HRR: one gym session no longer reads as six runs in ACWR."""
    hrr = min(1.0, max(0.0, rpe / 10))
    return banister_trimp(duration_min=minutes, avg_hr=hrr, resting_hr=0.0, max_hr=1.0, curve=curve)


def daily_loads(
    sessions: Iterable[tuple[date, float]], *, start: date, end: date
) -> dict[date, float]:
    """Sum session loads per day from ``start`` to ``end`` inclusive; a day without one is 0."""
    days = (end - start).days + 1
    loads = {start + timedelta(days=i): 0.0 for i in range(max(0, days))}
    for day, load in sessions:
        if day in loads:
            loads[day] += load
    return loads


# --- fitness / fatigue / form and ACWR ----------------------------------------------------------


@dataclass(frozen=True)
class LoadPoint:
    """One day of the load model. Form uses *yesterday's* fitness and fatigue."""

    day: date
    load: float
    fitness: float
    fatigue: float
    form: float
    acute: float
    chronic: float
    acwr: float | None
    acwr_status: AcwrStatus


def _ewma(previous: float, value: float, k: float) -> float:
    return previous + k * (value - previous)


def load_model(
    loads: Mapping[date, float], *, first_load_day: date | None = None
) -> list[LoadPoint]:
    """Fitness/Fatigue/Form and EWMA-ACWR for every calendar day from the first to the last key.

    A day absent from ``loads`` is a rest day (load 0). Fitness and Fatigue start at 0 the day
    before the first day and use k = 1 - e^(-1/42) and 1 - e^(-1/7); Form(t) = Fitness(t-1) -
    Fatigue(t-1). Acute and chronic use lambda = 2/(N+1) with N = 7 and 28 (Williams et al.
    2017) and start, the day before ``first_load_day`` (the first day with training; defaults
    to the first day with load > 0), at the mean daily load of its first 28 days
    (``acwr_seed``), so a perfectly steady athlete reads 1.00 from the start instead of
    climbing from 0. ACWR = acute / chronic, ``None`` when chronic is 0, and ``warming_up`` for
    the 28 days from ``first_load_day`` (while the seed may still change).
    """
    if not loads:
        return []
    first, last = min(loads), max(loads)
    if first_load_day is None:
        first_load_day = min((d for d, v in loads.items() if v > 0), default=None)
    points: list[LoadPoint] = []
    fitness = fatigue = acute = chronic = 0.0
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        load = loads.get(day, 0.0)
        if day == first_load_day:
            acute = chronic = acwr_seed(loads, first_load_day=first_load_day)
        form = fitness - fatigue
        fitness = _ewma(fitness, load, FITNESS_K)
        fatigue = _ewma(fatigue, load, FATIGUE_K)
        acute = _ewma(acute, load, ACUTE_LAMBDA)
        chronic = _ewma(chronic, load, CHRONIC_LAMBDA)
        ratio = acute / chronic if chronic > 0 else None
        points.append(
            LoadPoint(
                day=day,
                load=load,
                fitness=fitness,
                fatigue=fatigue,
                form=form,
                acute=acute,
                chronic=chronic,
                acwr=ratio,
                acwr_status=_acwr_status(day, first_load_day, ratio),
            )
        )
    return points


def acwr_seed(loads: Mapping[date, float], *, first_load_day: date) -> float:
    """The mean daily load of the first ``ACWR_WARMUP_DAYS`` days from ``first_load_day`` (rest
    days 0; fewer days while the history is shorter)."""
    last = min(max(loads), first_load_day + timedelta(days=ACWR_WARMUP_DAYS - 1))
    days = (last - first_load_day).days + 1
    if days <= 0:
        return 0.0
    total = sum(loads.get(first_load_day + timedelta(days=i), 0.0) for i in range(days))
    return total / days


def _acwr_status(day: date, first_load_day: date | None, ratio: float | None) -> AcwrStatus:
    if first_load_day is None or day < first_load_day:
        return "no_data"
    if (day - first_load_day).days < ACWR_WARMUP_DAYS:
        return "warming_up"
    return "ok" if ratio is not None else "no_chronic_load"


def training_monotony(week_loads: Sequence[float]) -> float | None:
    """Foster's monotony: mean ÷ population SD of 7 daily loads (rest days 0).

    ``None`` when there are not 7 days, no training at all, or every day is identical (SD 0).
    """
    if len(week_loads) != SHORT_DAYS or sum(week_loads) <= 0:
        return None
    spread = statistics.pstdev(week_loads)
    return statistics.fmean(week_loads) / spread if spread > 0 else None


# --- recovery baselines -------------------------------------------------------------------------


def window(series: Mapping[date, float], *, end: date, days: int) -> list[float]:
    """Present values of the ``days`` calendar days ending on ``end`` (inclusive), oldest first."""
    start = end - timedelta(days=days - 1)
    return [series[d] for d in sorted(series) if start <= d <= end]


@dataclass(frozen=True)
class Baseline:
    """A short mean against a long mean and its sample SD. For HRV every field is in ln(ms)."""

    short_mean: float
    long_mean: float
    long_sd: float
    z: float


def band_status(value: float, *, low: float, high: float) -> BandStatus:
    """Where ``value`` is against a normal band. Callers that show rounded figures classify
    the rounded ones, so "53 ms (normal 53-71 ms)" is never called "below"."""
    if value < low:
        return "below"
    return "above" if value > high else "within"


def acwr_zone(ratio: float) -> AcwrZone:
    """``high`` above 1.3 (a risky jump), ``low`` below 0.8 (detraining), else ``ok``."""
    if ratio > ACWR_FLAG:
        return "high"
    return "low" if ratio < ACWR_LOW else "ok"


ACWR_COLORS: dict[str, Color] = {"high": "red", "low": "yellow", "ok": "green"}


def sleep_debt_flagged(hours: float) -> bool:
    """Sleep debt is flagged (red) above ``SLEEP_DEBT_FLAG_HOURS``."""
    return hours > SLEEP_DEBT_FLAG_HOURS


def _sample_sd(values: list[float], mean: float) -> float:
    """Sample standard deviation in floats (``statistics.stdev`` works in exact fractions: it
    was ~20 % of a dashboard's time)."""
    return math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (len(values) - 1))


def _baseline(short: list[float], long: list[float], *, sd_floor: float) -> Baseline | None:
    if len(short) < 1 or len(long) < MIN_BASELINE_VALUES:
        return None
    short_mean = statistics.fmean(short)
    long_mean = statistics.fmean(long)
    long_sd = _sample_sd(long, long_mean)
    z = (short_mean - long_mean) / max(long_sd, sd_floor)
    return Baseline(short_mean=short_mean, long_mean=long_mean, long_sd=long_sd, z=z)


def hrv_baseline(rmssd_ms: Mapping[date, float], *, on: date) -> Baseline | None:
    """ln(rMSSD): the 7-day mean against the 60-day mean ± 1 SD (sample SD), both ending ``on``.

    ``None`` until the 60 days hold 14 readings and the last 7 days hold 3.
    """
    logs = {d: math.log(v) for d, v in rmssd_ms.items() if v > 0}
    short = window(logs, end=on, days=SHORT_DAYS)
    if len(short) < MIN_SHORT_VALUES:
        return None
    return _baseline(short, window(logs, end=on, days=BASELINE_DAYS), sd_floor=HRV_SD_FLOOR)


@dataclass(frozen=True)
class HrvVerdict:
    """The 7-day mean of ln HRV against its smallest-worthwhile-change band, in ms rounded to
    0.1 and classified on the rounded figures (so what is shown never contradicts the verdict).

    ``days_below``: consecutive days up to this one whose 7-day mean was below its band;
    ``flagged`` from ``HRV_LOW_DAYS`` of them. Colour: green within or above, yellow below,
    red below and flagged."""

    week_ms: float
    baseline_ms: float
    low_ms: float
    high_ms: float
    status: BandStatus
    days_below: int

    @property
    def flagged(self) -> bool:
        return self.days_below >= HRV_LOW_DAYS

    @property
    def color(self) -> Color:
        if self.status != "below":
            return "green"
        return "red" if self.flagged else "yellow"


def hrv_band(series_ms: Mapping[date, float], *, on: date) -> tuple[float, float, float] | None:
    """(7-day mean, band low, band high) on ``on`` in ms, rounded to 0.1: exp of the 7-day mean
    of ln HRV and of the 60-day mean ± ``HRV_SWC_SD`` SD; ``None`` without a baseline."""
    base = hrv_baseline(series_ms, on=on)
    if base is None:
        return None
    half = HRV_SWC_SD * base.long_sd
    week, low, high = (
        round(math.exp(v), 1)
        for v in (base.short_mean, base.long_mean - half, base.long_mean + half)
    )
    return week, low, high


def hrv_verdict(series_ms: Mapping[date, float], *, on: date) -> HrvVerdict | None:
    """HRV on ``on``: its band, status and run of days below it (one HRV metric's series:
    rMSSD and SDNN are never mixed). ``None`` without a baseline."""
    base = hrv_baseline(series_ms, on=on)
    band = hrv_band(series_ms, on=on)
    if base is None or band is None:
        return None
    week, low, high = band
    status = band_status(week, low=low, high=high)
    days_below = 0
    while status == "below" and days_below < BASELINE_DAYS:
        earlier = hrv_band(series_ms, on=on - timedelta(days=days_below))
        if earlier is None or band_status(earlier[0], low=earlier[1], high=earlier[2]) != "below":
            break
        days_below += 1
    return HrvVerdict(
        week_ms=week,
        baseline_ms=round(math.exp(base.long_mean), 1),
        low_ms=low,
        high_ms=high,
        status=status,
        days_below=days_below,
    )


def hrv_metric(*, rmssd: Mapping[date, float], sdnn: Mapping[date, float], on: date) -> HrvMetric:
    """The HRV metric to judge on ``on``: rMSSD when it has a baseline then, else SDNN (Apple
    Health) when that has one, else whichever has readings (rMSSD first)."""
    if hrv_baseline(rmssd, on=on) is not None:
        return "rmssd"
    if hrv_baseline(sdnn, on=on) is not None or (sdnn and not rmssd):
        return "sdnn"
    return "rmssd"


def resting_hr_deviation(resting_hr: Mapping[date, float], *, on: date) -> Baseline | None:
    """Resting HR on ``on`` against the 60-day mean ± 1 SD (bpm); ``None`` without a reading
    that day or with fewer than 14 readings in the 60 days."""
    if on not in resting_hr:
        return None
    long = window(resting_hr, end=on, days=BASELINE_DAYS)
    return _baseline([resting_hr[on]], long, sd_floor=RESTING_HR_SD_FLOOR)


@dataclass(frozen=True)
class SleepDebt:
    hours: float
    nights: int
    need_hours: float


def sleep_debt(
    sleep_seconds: Mapping[date, float], *, on: date, need_hours: float
) -> SleepDebt | None:
    """Net sleep debt over the 7 nights ending ``on``: Σ(need - slept), floored at 0.

    Only recorded nights count (a night without data is not a night without sleep); a long
    night pays back a short one. ``None`` when none of the 7 nights has data.
    """
    nights = window(sleep_seconds, end=on, days=SHORT_DAYS)
    if not nights:
        return None
    shortfall = sum(need_hours - seconds / 3600 for seconds in nights)
    return SleepDebt(hours=max(0.0, shortfall), nights=len(nights), need_hours=need_hours)


# --- readiness ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Contributor:
    """One readiness input: its value (in ``unit``), its 0-100 score and its share of the total."""

    key: str
    label: str
    value: float | None
    unit: str
    score: float | None
    weight: float
    detail: str
    reference: float | None = None
    """What ``value`` is compared with (HRV baseline ms, 60-day resting HR, sleep need h)."""
    change: float | None = None
    """``value`` against ``reference``: HRV in %, resting HR in bpm."""
    nights: int | None = None
    """Sleep debt: the recorded nights it covers."""


@dataclass(frozen=True)
class Readiness:
    day: date
    status: ReadinessStatus
    score: int | None
    color: Color | None
    contributors: list[Contributor]
    why: str
    days_of_data: int


def round_score(score: float) -> int:
    """Round half up (66.5 -> 67), unlike Python's round-half-even."""
    return math.floor(score + 0.5)


def readiness_color(score: float) -> Color:
    """Green ≥ 67, yellow 34-66, red ≤ 33 (on the rounded score)."""
    rounded = round_score(score)
    if rounded >= GREEN_MIN:
        return "green"
    return "red" if rounded <= RED_MAX else "yellow"


def _clamp(value: float) -> float:
    return min(100.0, max(0.0, value))


def acwr_score(ratio: float) -> float:
    """100 inside 0.8-1.3; falls linearly to 0 at 2.0 above it and to 60 at 0 below it."""
    if ratio > ACWR_FLAG:
        return _clamp(100 - (ratio - ACWR_FLAG) / 0.7 * 100)
    if ratio < ACWR_LOW:
        return _clamp(100 - (ACWR_LOW - ratio) * 50)
    return 100.0


@dataclass(frozen=True)
class ReadinessInputs:
    """Everything readiness reads for one day; any part may be missing (``None``)."""

    hrv: Baseline | None
    resting_hr: Baseline | None
    sleep_last_night_s: float | None
    debt: SleepDebt | None
    need_hours: float
    load: LoadPoint | None
    resting_hr_reading: float | None = None
    hrv_metric: HrvMetric = "rmssd"
    """Which HRV ``hrv`` is the baseline of (``hrv_metric``): SDNN only without rMSSD."""


def _contributor(
    key: str,
    label: str,
    unit: str,
    value: float | None,
    score: float | None,
    detail: str,
    **figures: float | None,
) -> Contributor:
    """One contributor; ``figures`` are the other numbers its ``detail`` states."""
    return Contributor(key, label, value, unit, score, weight=0.0, detail=detail, **figures)


def _hrv_contributor(hrv: Baseline | None, metric: HrvMetric) -> Contributor:
    label = "HRV (7-day)" if metric == "rmssd" else HRV_LABELS[metric]
    if hrv is None:
        detail = f"Needs {MIN_BASELINE_VALUES} readings in {BASELINE_DAYS} days"
        return _contributor("hrv", label, "ms", None, None, detail)
    short_ms, base_ms = math.exp(hrv.short_mean), math.exp(hrv.long_mean)
    change = (short_ms / base_ms - 1) * 100
    name = "HRV" if metric == "rmssd" else "SDNN"
    detail = f"7-day {name} {short_ms:.0f} ms vs baseline {base_ms:.0f} ms ({signed(change)}%)"
    score = _clamp(75 + 25 * hrv.z)
    return _contributor(
        "hrv", label, "ms", short_ms, score, detail, reference=base_ms, change=change
    )


def _resting_hr_contributor(rhr: Baseline | None, reading: float | None) -> Contributor:
    if rhr is None:
        detail = (
            "No reading that day"
            if reading is None
            else f"Resting HR {reading:.0f} bpm; a baseline needs {MIN_BASELINE_VALUES} "
            f"readings in {BASELINE_DAYS} days"
        )
        return _contributor("resting_hr", "Resting HR", "bpm", reading, None, detail)
    change = rhr.short_mean - rhr.long_mean
    detail = (
        f"Resting HR {rhr.short_mean:.0f} bpm, {signed(change, 1)} "
        f"vs {BASELINE_DAYS}-day mean {rhr.long_mean:.0f}"
    )
    score = _clamp(75 - 25 * rhr.z)
    return _contributor(
        "resting_hr",
        "Resting HR",
        "bpm",
        rhr.short_mean,
        score,
        detail,
        reference=rhr.long_mean,
        change=change,
    )


def _sleep_contributors(
    slept_s: float | None, debt: SleepDebt | None, need_hours: float
) -> list[Contributor]:
    if slept_s is None:
        sleep = _contributor("sleep", "Sleep last night", "h", None, None, "No sleep recorded")
    else:
        hours = slept_s / 3600
        detail = f"Slept {hours:.1f} h of a {need_hours:g} h need"
        score = _clamp(100 * hours / need_hours)
        sleep = _contributor(
            "sleep", "Sleep last night", "h", hours, score, detail, reference=need_hours
        )
    label = "Sleep debt (7 nights)"
    if debt is None:
        return [sleep, _contributor("sleep_debt", label, "h", None, None, "No nights recorded")]
    detail = f"{debt.hours:.1f} h short over {debt.nights} recorded nights"
    score = _clamp(100 - 25 * debt.hours)
    debt_row = _contributor("sleep_debt", label, "h", debt.hours, score, detail)
    return [sleep, replace(debt_row, nights=debt.nights)]


def _load_contributor(load: LoadPoint | None) -> Contributor:
    label = "Training load (ACWR)"
    if load is None or load.acwr_status != "ok" or load.acwr is None:
        warming = load is not None and load.acwr_status == "warming_up"
        detail = (
            f"Warming up (first {ACWR_WARMUP_DAYS} days of training)"
            if warming
            else "No chronic load yet"
        )
        return _contributor("training_load", label, "ratio", None, None, detail)
    detail = f"Acute:chronic load {load.acwr:.2f} ({ACWR_LOW}-{ACWR_FLAG} is the usual range)"
    return _contributor("training_load", label, "ratio", load.acwr, acwr_score(load.acwr), detail)


def readiness(*, day: date, days_of_data: int, inputs: ReadinessInputs) -> Readiness:
    """Readiness 0-100: the weighted mean of the available contributor scores.

    Each contributor scores 0-100 (HRV 75 + 25·z, resting HR 75 - 25·z, sleep % of need,
    sleep debt 100 - 25 per hour, ACWR 100 inside 0.8-1.3); weights are ``READINESS_WEIGHTS``
    renormalised over the contributors that have data. Under 14 days of data the status is
    ``insufficient_data`` and there is no score.
    """
    raw = [
        _hrv_contributor(inputs.hrv, inputs.hrv_metric),
        _resting_hr_contributor(inputs.resting_hr, inputs.resting_hr_reading),
        *_sleep_contributors(inputs.sleep_last_night_s, inputs.debt, inputs.need_hours),
        _load_contributor(inputs.load),
    ]
    available = sum(READINESS_WEIGHTS[c.key] for c in raw if c.score is not None)
    contributors = [
        replace(c, weight=READINESS_WEIGHTS[c.key] / available) if c.score is not None else c
        for c in raw
    ]
    if days_of_data < READINESS_MIN_DAYS:
        why = f"Insufficient data: {days_of_data} of {READINESS_MIN_DAYS} days recorded so far."
        return Readiness(day, "insufficient_data", None, None, contributors, why, days_of_data)
    if not available:
        why = "No recovery data for this day."
        return Readiness(day, "no_data", None, None, contributors, why, days_of_data)
    score = round_score(sum(c.score * c.weight for c in contributors if c.score is not None))
    color = readiness_color(score)
    return Readiness(day, "ok", score, color, contributors, _why(color, contributors), days_of_data)


def _why(color: Color, contributors: list[Contributor]) -> str:
    scored = [c for c in contributors if c.score is not None]
    drag = max(scored, key=lambda c: c.weight * (100 - c.score))
    best = max(scored, key=lambda c: c.weight * c.score)
    if color == "green":
        return f"Ready to train: {best.detail[0].lower()}{best.detail[1:]}."
    lead = "Take it easier" if color == "yellow" else "Prioritise recovery"
    return f"{lead}: {drag.detail[0].lower()}{drag.detail[1:]}."


# --- flags --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    code: str
    severity: Severity
    message: str


def risk_flags(
    *,
    hrv: HrvVerdict | None,
    debt: SleepDebt | None,
    load: LoadPoint | None,
    monotony: float | None,
    hrv_metric: HrvMetric = "rmssd",
) -> list[Flag]:
    """The active risk flags: HRV's 7-day mean below its band 5+ days running, sleep debt > 2 h,
    ACWR > 1.3 (critical above 1.5; never while warming up), monotony > 2."""
    flags: list[Flag] = []
    if hrv is not None and hrv.flagged:
        flags.append(Flag("hrv_low", "warning", hrv_low_message(hrv, metric=hrv_metric)))
    if debt is not None and sleep_debt_flagged(debt.hours):
        flags.append(
            Flag(
                "sleep_debt",
                "warning",
                f"Sleep debt is {debt.hours:.1f} h over the last {debt.nights} nights "
                f"(need {debt.need_hours:g} h a night).",
            )
        )
    if (
        load is not None
        and load.acwr_status == "ok"
        and load.acwr is not None
        and load.acwr > ACWR_FLAG
    ):
        severity: Severity = "critical" if load.acwr > ACWR_CRITICAL else "warning"
        flags.append(
            Flag(
                "acwr_high",
                severity,
                f"Acute:chronic load ratio is {load.acwr:.2f} (above {ACWR_FLAG}): "
                "this week's load jumped well above your usual.",
            )
        )
    if monotony is not None and monotony > MONOTONY_FLAG:
        flags.append(
            Flag(
                "monotony_high",
                "warning",
                f"Training monotony is {monotony:.1f} (above {MONOTONY_FLAG:g}): "
                "vary hard and easy days.",
            )
        )
    return flags


def hrv_low_message(hrv: HrvVerdict, *, metric: HrvMetric) -> str:
    """The HRV flag in words, with the figures it was decided on."""
    return (
        f"{HRV_LABELS[metric]} 7-day mean {hrv.week_ms:.1f} ms has been below your normal range "
        f"({hrv.low_ms:.1f}-{hrv.high_ms:.1f} ms) for {hrv.days_below} days in a row."
    )


# --- "how is this computed" ---------------------------------------------------------------------


def explanations(*, need_hours: float, source_priority: Sequence[str]) -> dict[str, str]:
    """The dashboard's "how is this computed" text for every number, quoting the constants."""
    w = {key: f"{weight:.0%}" for key, weight in READINESS_WEIGHTS.items()}
    return {
        "readiness": (
            f"A 0-100 score: the weighted mean of HRV ({w['hrv']}), resting HR "
            f"({w['resting_hr']}), last night's sleep ({w['sleep']}), sleep debt "
            f"({w['sleep_debt']}) and training load ({w['training_load']}). Inputs without data "
            f"drop out and the others share their weight. Green is {GREEN_MIN} or more, red "
            f"{RED_MAX} or less. Needs {READINESS_MIN_DAYS} days with data in the last "
            f"{BASELINE_DAYS}. A device's own score is shown beside it, never mixed in."
        ),
        "hrv": (
            "HRV is the overnight rMSSD in ms (Apple Health's SDNN, with its own baseline, when "
            f"there is no rMSSD). Cadence averages ln(HRV) over the last {SHORT_DAYS} days and "
            f"compares it with the mean of the last {BASELINE_DAYS} days; the normal band is "
            f"that mean plus or minus {HRV_SWC_SD:g} standard deviation of the daily values, the "
            "smallest worthwhile change (Plews, Buchheit): inside it is no real change. Below "
            f"it is yellow; below it {HRV_LOW_DAYS} days in a row is flagged (red). The "
            "readiness input scores 75 at your baseline and 25 points per standard deviation "
            "above or below."
        ),
        "resting_hr": (
            f"Today's resting HR against the mean and standard deviation of the last "
            f"{BASELINE_DAYS} days. The readiness input scores 75 at your mean and loses 25 "
            "points per standard deviation above it."
        ),
        "sleep": (
            f"Hours asleep on the night ending that morning, against a need of {need_hours:g} h. "
            f"Sleep debt adds up (need - slept) over the last {SHORT_DAYS} nights that have "
            "data; a long night pays back a short one, and the debt never goes below 0. It is "
            f"flagged above {SLEEP_DEBT_FLAG_HOURS:g} h."
        ),
        "load": (
            "Daily training load in arbitrary units: Banister's TRIMP for each distinct session "
            f"with heart rate (minutes x HRr x {TRIMP_MALE.a} x e^({TRIMP_MALE.b} x HRr), or "
            f"{TRIMP_FEMALE.a} x e^({TRIMP_FEMALE.b} x HRr) for women; HRr from your resting "
            "and maximum HR in Settings, else the 60-day mean of your resting HR and an "
            "estimate from your birth year). A strength workout is put on the same scale: its "
            "minutes at a heart-rate reserve of its session RPE / 10 (RPE 7 when not logged), "
            "so 60 min at RPE 7 is about 103, not 420. A session recorded by two sources "
            "counts once. "
            "A day without training is 0."
        ),
        "fitness": (
            f"Fitness is the exponentially weighted average of daily load over ~{FITNESS_DAYS} "
            f"days (k = 1 - e^(-1/{FITNESS_DAYS})); Fatigue the same over ~{FATIGUE_DAYS} days. "
            "Form is yesterday's Fitness minus yesterday's Fatigue: negative while you build, "
            "positive when you are fresh."
        ),
        "acwr": (
            f"Acute:chronic workload ratio: EWMA of load over {ACUTE_DAYS} days divided by the "
            f"EWMA over {CHRONIC_DAYS} days (lambda = 2/(N+1), Williams et al. 2017), both "
            f"starting at your mean daily load of your first {ACWR_WARMUP_DAYS} days of "
            "training, so a steady week reads 1.0 rather than climbing from 0. It is "
            f"'warming up' for the first {ACWR_WARMUP_DAYS} days of training and blank when the "
            f"chronic load is 0. Above {ACWR_FLAG} is flagged (critical above {ACWR_CRITICAL})."
        ),
        "monotony": (
            f"Training monotony (Foster): mean daily load of the last {SHORT_DAYS} days divided "
            f"by its standard deviation, rest days counted as 0. Above {MONOTONY_FLAG:g} is "
            "flagged: vary hard and easy days."
        ),
        "weekly": (
            "This week runs from your week start (Monday unless you chose Sunday) to today, so "
            "it is a week so far; last week is the whole week before. Sessions count distinct "
            "activities (a session recorded by two sources once) and workouts; volume load is "
            "sets x reps x weight; sleep and HRV are averaged over the days with data. Days are "
            "your local days (the time zone in Settings)."
        ),
        "tiles": (
            "The latest value the device reported (within the last 90 days), as the device "
            f"measures it: Cadence does not recompute steps, strain or Body Battery. Below it: the "
            f"mean of the {BASELINE_DAYS} days up to that day (days without a value are skipped, "
            "never counted as 0) and the change from that mean. The source is the device whose "
            "value won by source priority that day."
        ),
        "sources": (
            "When several sources report the same metric for the same day, the first in this "
            f"order wins: {', '.join(source_priority)}; other sources come after them. Each "
            "tile names the source of its value. Missing days stay missing: they are never "
            "read as zero (only training load treats a day without training as 0)."
        ),
    }
