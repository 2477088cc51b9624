"""Dashboard page state: loads ``services.dashboard.dashboard_for`` once per visit and turns
the payload into display-ready rows (texts with units, bar widths, chart points)."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from cadence import routes
from cadence.display import DASH, fixed, short_date, signed
from cadence.models.dashboard import (
    Contributor,
    DashboardResponse,
    ReadinessOut,
    SleepOut,
    TodayMetric,
    TodayOut,
    TrainingLoadOut,
    WeeklyStats,
)
from cadence.models.device import DevicePublic
from cadence.models.preferences import DistanceUnit, WeightUnit
from cadence.services import analytics, dashboard, demo, units
from cadence.services.errors import DomainError
from cadence.services.userday import age_words
from cadence.states.auth import AuthState

HRV_NIGHTLY_NAMES = {"rmssd": "rMSSD (ms)", "sdnn": "SDNN (ms)"}
"""The HRV chart's nightly series, named after the metric the dashboard judges on."""
ACWR_FLAG_LINE = str(analytics.ACWR_FLAG)
"""Where the load chart draws its "risky jump" line: the threshold the flags use."""
READINESS_WORDS = {"green": "Ready", "yellow": "Take it easier", "red": "Recover"}
ACWR_STATUS_WORDS = {  # the acute:chronic ratio when it is not a number yet
    "warming_up": "warming up ({days} d left)",
    "no_chronic_load": "no chronic load",
    "no_data": "no training yet",
}
ACWR_ZONE_WORDS = {
    "low": "Below your usual load",
    "ok": "In your usual range",
    "high": "Well above your usual load",
}
VIEW_ROUTES = {"workout": routes.WORKOUT_VIEW, "activity": routes.ACTIVITY_VIEW}
FLAG_COLORS = {"critical": "red", "warning": "amber", "info": "blue"}
TILE_EXPLANATION = {
    "sleep_seconds": "sleep",
    "hrv_rmssd_ms": "hrv",
    "resting_hr": "resting_hr",
}


def _digits(unit: str) -> int:
    return 1 if unit in {"h", "kg", "br/min"} else 0


def contributor_row(c: Contributor) -> dict[str, str]:
    unit = "" if c.unit == "ratio" else f" {c.unit}"
    digits = 2 if c.unit == "ratio" else 1 if c.unit == "h" else 0
    return {
        "label": c.label,
        "value": "no data" if c.value is None else f"{fixed(c.value, digits)}{unit}",
        "score": "—" if c.score is None else f"{c.score:.0f}",
        "bar": "0%" if c.score is None else f"{c.score:.0f}%",
        "weight": f"{c.weight:.0%}",
        "detail": c.detail,
        "color": _score_color(c.score),
    }


RADIX_COLORS = {"green": "grass", "yellow": "amber", "red": "tomato"}


def _score_color(score: float | None) -> str:
    """A contributor's bar in the readiness bands (``analytics.readiness_color``)."""
    return "gray" if score is None else RADIX_COLORS[analytics.readiness_color(score)]


def _age(days: int) -> str:
    """ " (5 days ago)" for data that is not today's, else nothing."""
    return "" if days <= 0 else f" ({age_words(days)})"


def tile_row(t: TodayMetric, explanations: dict[str, str]) -> dict[str, str]:
    digits = _digits(t.unit)
    change = ""
    if t.delta is not None:
        pct = f" ({signed(t.delta_pct)}%)" if t.delta_pct is not None else ""
        change = f"{signed(t.delta, digits)}{pct} vs baseline"
    return {
        "key": t.key,
        "label": t.label,
        "value": fixed(t.value, digits),
        "unit": t.unit,
        "baseline": f"60-day mean {fixed(t.baseline, digits)}" if t.baseline is not None else "",
        "change": change,
        "source": f"{t.source} · {t.date.strftime('%b %-d')}{_age(t.age_days)}",
        "explain": explanations.get(TILE_EXPLANATION.get(t.key, ""), explanations["tiles"]),
    }


def this_week_label(stats: WeeklyStats) -> str:
    """ "This week so far (3 of 7 days)" while the week is not over."""
    week = stats.this_week
    return f"This week so far ({week.days} of 7 days)" if week.so_far else "This week"


def weekly_rows(
    stats: WeeklyStats, *, distance_unit: DistanceUnit, weight_unit: WeightUnit
) -> list[dict[str, str]]:
    this, last = stats.this_week, stats.last_week
    dist = f" {distance_unit}"
    weight = f" {weight_unit}"
    rows = [
        ("Sessions", this.sessions, last.sessions, 0, ""),
        ("Minutes", this.minutes, last.minutes, 0, " min"),
        (
            "Distance",
            units.distance_from_m(this.distance_m, distance_unit),
            units.distance_from_m(last.distance_m, distance_unit),
            1,
            dist,
        ),
        (
            "Volume load",
            units.weight_from_kg(this.volume_load_kg, weight_unit),
            units.weight_from_kg(last.volume_load_kg, weight_unit),
            0,
            weight,
        ),
        ("Training load", this.load, last.load, 0, " AU"),
        ("Avg sleep", this.avg_sleep_hours, last.avg_sleep_hours, 1, " h"),
        ("Avg HRV", this.avg_hrv_ms, last.avg_hrv_ms, 0, " ms"),
    ]
    result = []
    for label, now, before, digits, unit in rows:
        change = ""
        if now is not None and before is not None:
            change = f"{now - before:+,.{digits}f}{unit}"
        result.append(
            {
                "label": label,
                "this": "—" if now is None else f"{fixed(now, digits)}{unit}",
                "last": "—" if before is None else f"{fixed(before, digits)}{unit}",
                "change": change,
            }
        )
    return result


def devices_line(devices: list[DevicePublic]) -> str:
    """ "Garmin connected (synced Nov 29 06:10) · Whoop: error" or a hint when none is."""
    parts = []
    for d in devices:
        if not d.connected:
            continue
        name = d.provider.title()
        if d.status == "error":
            parts.append(f"{name}: sync error")
        elif d.last_sync_at is not None:
            parts.append(f"{name} synced {d.last_sync_at.strftime('%b %-d %H:%M')} UTC")
        else:
            parts.append(f"{name} connected, not synced yet")
    return " · ".join(parts) or "No device connected: data comes from imports or demo data."


@dataclass(frozen=True)
class KeyNumber:
    """One of the numbers beside readiness: "7.4" "h" "Need 8.0 h · debt 1.5 h in 7 nights"."""

    value: str
    unit: str
    detail: str


def sleep_number(today: TodayOut, sleep: SleepOut) -> KeyNumber:
    """Last night's hours against the need (and the 7-night debt); an older night says when."""
    night = next((t for t in today.metrics if t.key == "sleep_seconds"), None)
    need = f"Need {fixed(sleep.need_hours, 1)} h"
    if night is None:  # a dash, not "— h"
        return KeyNumber(value=DASH, unit="", detail=f"No sleep recorded · {need}")
    if night.age_days > 0:
        return KeyNumber(
            value=fixed(night.value, 1),
            unit="h",
            detail=f"{short_date(night.date)}{_age(night.age_days)} · {need}",
        )
    debt = "" if sleep.debt_hours is None else f" · debt {fixed(sleep.debt_hours, 1)} h in 7 nights"
    return KeyNumber(value=fixed(night.value, 1), unit="h", detail=need + debt)


def load_number(tl: TrainingLoadOut) -> KeyNumber:
    """The acute:chronic ratio in words; while it is not a number yet, the 7-day load."""
    week = f"7-day load {fixed(tl.week_load)} AU"
    if tl.acwr_status == "ok":
        zone = ACWR_ZONE_WORDS[tl.acwr_zone or "ok"]
        return KeyNumber(value=fixed(tl.acwr, 2), unit="ACWR", detail=f"{zone} · {week}")
    ratio = ACWR_STATUS_WORDS[tl.acwr_status].format(days=tl.warmup_days_left)
    return KeyNumber(value=fixed(tl.week_load), unit="AU", detail=f"7-day load · ACWR {ratio}")


class DashboardState(AuthState):
    loading: bool = False
    loaded: bool = False
    error: str = ""
    demo_loading: bool = False
    has_data: bool = False
    devices_line: str = ""
    r_status: str = ""
    r_score: int = 0
    r_color: str = "gray"
    r_word: str = ""
    r_why: str = ""
    r_date: str = ""
    r_progress: str = ""
    device_score: str = ""  # e.g. "WHOOP recovery 64": the device's own score, not Cadence's
    device_parts: str = ""  # the device's own contributors, e.g. "HRV balance 95 · ..."
    contributors: list[dict[str, str]] = []
    sleep_value: str = DASH  # last night's hours, beside readiness
    sleep_unit: str = ""
    sleep_detail: str = ""
    load_value: str = DASH  # the acute:chronic ratio, or the 7-day load while it warms up
    load_unit: str = ""
    load_detail: str = ""
    tiles: list[dict[str, str]] = []
    hrv_points: list[dict] = []
    hrv_nightly_name: str = HRV_NIGHTLY_NAMES["rmssd"]
    sleep_points: list[dict] = []
    hrv_charted: bool = False  # a night with HRV in the period: else the chart says so in words
    sleep_charted: bool = False
    load_charted: bool = False
    load_points: list[dict] = []
    load_summary: list[dict[str, str]] = []
    recent: list[dict[str, str]] = []
    weekly: list[dict[str, str]] = []
    this_week: str = "This week"
    flags: list[dict[str, str]] = []
    explain: dict[str, str] = {}

    @rx.event
    async def load(self):
        """on_load: fetch the payload for the signed-in user."""
        if not self.token:
            return
        self.loading, self.error = True, ""
        yield
        try:
            payload = await self.as_user(
                lambda session, user: dashboard.dashboard_for(session=session, user_id=user.id)
            )
        except DomainError as exc:
            self.error = exc.message
        else:
            self._apply(payload)
        finally:
            self.loading, self.loaded = False, True

    @rx.event
    async def load_demo_data(self):
        """Fill the account with 90 days of demo data, then reload."""
        self.demo_loading = True
        yield
        try:
            await self.as_user(
                lambda session, user: demo.generate_demo_data(session=session, user_id=user.id)
            )
        except DomainError as exc:
            self.error = exc.message
        finally:
            self.demo_loading = False
        yield DashboardState.load

    def _apply(self, p: DashboardResponse) -> None:
        self.explain = p.explanations
        self.has_data = bool(p.today.metrics or p.recent_activities)
        self.devices_line = devices_line(p.devices)
        self._apply_readiness(p.readiness)
        self._apply_key_numbers(p)
        self.tiles = [tile_row(t, p.explanations) for t in p.today.metrics]
        self.hrv_nightly_name = HRV_NIGHTLY_NAMES[p.hrv.metric]
        nightly = [
            h.hrv_rmssd_ms if p.hrv.metric == "rmssd" else h.hrv_sdnn_ms for h in p.hrv.series
        ]
        self.hrv_charted = any(value is not None for value in nightly)
        self.hrv_points = [
            {
                "date": h.date.strftime("%b %-d"),
                "hrv": value,
                "avg7": h.hrv_7d_ms,
                "band": [h.band_low_ms, h.band_high_ms] if h.band_low_ms else None,
            }
            for h, value in zip(p.hrv.series, nightly, strict=True)
        ]
        self.sleep_charted = any(m.sleep_seconds for m in p.daily_metrics)
        self.sleep_points = [
            {
                "date": m.date.strftime("%b %-d"),
                "sleep": round(m.sleep_seconds / 3600, 2) if m.sleep_seconds else None,
                "need": p.sleep.need_hours,
            }
            for m in p.daily_metrics
        ]
        self.load_charted = any(pt.load for pt in p.training_load.series)
        self.load_points = [
            {
                "date": pt.date.strftime("%b %-d"),
                "load": pt.load,
                "fitness": pt.fitness,
                "fatigue": pt.fatigue,
                "form": pt.form,
                "acwr": pt.acwr if pt.acwr_status == "ok" else None,
            }
            for pt in p.training_load.series
        ]
        tl = p.training_load
        acwr = (
            fixed(tl.acwr, 2)
            if tl.acwr_status == "ok"
            else ACWR_STATUS_WORDS[tl.acwr_status].format(days=tl.warmup_days_left)
        )
        self.load_summary = [
            {"label": "Fitness", "value": fixed(tl.fitness, 1)},
            {"label": "Fatigue", "value": fixed(tl.fatigue, 1)},
            {"label": "Form", "value": signed(tl.form, 1)},
            {"label": "ACWR", "value": acwr},
            {"label": "Monotony", "value": fixed(tl.monotony, 2)},
        ]
        self.recent = [
            {
                "icon": "dumbbell" if r.kind == "workout" else "activity",
                "title": r.title,
                "when": r.date.strftime("%a %b %-d"),
                "details": " · ".join(
                    part
                    for part in (
                        f"{r.duration_min:.0f} min" if r.duration_min else "",
                        f"{units.distance_from_m(r.distance_m, p.distance_unit):.1f} "
                        f"{p.distance_unit}"
                        if r.distance_m
                        else "",
                        f"{units.weight_from_kg(r.volume_kg, p.weight_unit):,.0f} "
                        f"{p.weight_unit} volume"
                        if r.volume_kg
                        else "",
                        f"avg {r.avg_hr_bpm:.0f} bpm" if r.avg_hr_bpm else "",
                    )
                    if part
                ),
                "load": f"load {r.load:.0f}" if r.load is not None else "load —",
                "source": r.source,
                "href": f"{VIEW_ROUTES[r.kind]}?id={r.id}",
            }
            for r in p.recent_activities
        ]
        self.weekly = weekly_rows(
            p.weekly_stats, distance_unit=p.distance_unit, weight_unit=p.weight_unit
        )
        self.this_week = this_week_label(p.weekly_stats)
        self.flags = [
            {"message": f.message, "color": FLAG_COLORS[f.severity], "code": f.code}
            for f in p.flags
        ]

    def _apply_key_numbers(self, p: DashboardResponse) -> None:
        """Sleep and load, the two numbers shown beside readiness on the first screen."""
        sleep, load = sleep_number(p.today, p.sleep), load_number(p.training_load)
        self.sleep_value, self.sleep_unit, self.sleep_detail = sleep.value, sleep.unit, sleep.detail
        self.load_value, self.load_unit, self.load_detail = load.value, load.unit, load.detail

    def _apply_readiness(self, r: ReadinessOut) -> None:
        self.r_status = r.status
        self.r_score = r.score or 0
        self.r_color = RADIX_COLORS.get(r.color or "", "gray")
        self.r_word = READINESS_WORDS.get(r.color or "", "")
        self.r_why = r.why
        self.r_date = r.date.strftime("%a %b %-d") + _age(r.age_days)
        self.r_progress = f"{r.days_of_data} of {r.days_required} days"
        self.device_score = (
            f"{r.device_score.label} {r.device_score.value:.0f}" if r.device_score else ""
        )
        self.device_parts = (
            " · ".join(f"{c.name} {c.value:.0f}" for c in r.device_score.contributors)
            if r.device_score
            else ""
        )
        self.contributors = [contributor_row(c) for c in r.contributors]
