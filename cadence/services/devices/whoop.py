"""WHOOP through its OAuth2 v2 API: recovery, sleep, cycles (strain) and workouts.

Days: WHOOP records are UTC instants with the wearer's ``timezone_offset``. A sleep belongs to
the local day it ended on (the morning you wake up); a recovery to the day of its sleep; a cycle
(strain) to the day of the sleep that opened it, or else to the local day 12 hours after its
start (cycles begin when you fall asleep). Naps never count as the night's sleep.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx

from cadence.models.health import ActivityIn, DailyMetricIn
from cadence.services.devices.base import (
    Credentials,
    ProviderUnavailable,
    merge_daily,
    parse_instant,
)
from cadence.services.devices.oauth import OAuthProviderBase

SOURCE = "whoop"
SCOPES = "offline read:recovery read:cycles read:sleep read:workout read:profile"
PAGE_LIMIT = 25
MAX_PAGES = 200
KJ_PER_KCAL = 4.184
SPORTS = {
    0: "running",
    1: "cycling",
    18: "rowing",
    33: "swimming",
    44: "yoga",
    45: "strength_training",
    48: "functional_fitness",
    52: "hiking",
    57: "mountain_biking",
    59: "strength_training",
    63: "walking",
}


def _offset(value: str | None) -> timedelta:
    if not value:
        return timedelta(0)
    sign = -1 if value.startswith("-") else 1
    hours, _, minutes = value.lstrip("+-").partition(":")
    return sign * timedelta(hours=int(hours), minutes=int(minutes or 0))


def local_date(
    instant: str, timezone_offset: str | None, *, shift: timedelta = timedelta(0)
) -> date:
    """The wearer's calendar day of ``instant`` (optionally shifted)."""
    return (parse_instant(instant) + _offset(timezone_offset) + shift).date()


def _scored(record: dict[str, Any]) -> dict[str, Any] | None:
    score = record.get("score")
    if record.get("score_state") == "SCORED" and isinstance(score, dict):
        return score
    return None


def _seconds(milli: Any) -> int | None:
    return round(milli / 1000) if isinstance(milli, int | float) else None


def _sleep_record(record: dict[str, Any], day: date) -> DailyMetricIn:
    score = _scored(record) or {}
    stages = score.get("stage_summary") or {}
    stage_milli = [
        stages.get(f"total_{stage}_time_milli")
        for stage in ("light_sleep", "slow_wave_sleep", "rem_sleep")
    ]
    complete = all(isinstance(v, int | float) for v in stage_milli)
    light, deep, rem = (_seconds(v) for v in stage_milli)
    return DailyMetricIn(
        source=SOURCE,
        date=day,
        sleep_seconds=_seconds(sum(stage_milli)) if complete else None,
        sleep_deep_seconds=deep,
        sleep_light_seconds=light,
        sleep_rem_seconds=rem,
        sleep_awake_seconds=_seconds(stages.get("total_awake_time_milli")),
        sleep_score=score.get("sleep_performance_percentage"),
        respiratory_rate=score.get("respiratory_rate"),
    )


def sleep_days(sleeps: list[dict[str, Any]]) -> dict[str, date]:
    """Sleep id → the local day it ended on, for every night (naps excluded)."""
    return {
        str(s["id"]): local_date(s["end"], s.get("timezone_offset"))
        for s in sleeps
        if not s.get("nap") and s.get("end") and "id" in s
    }


def map_daily(
    *, sleeps: list[dict[str, Any]], recoveries: list[dict[str, Any]], cycles: list[dict[str, Any]]
) -> list[DailyMetricIn]:
    """Merge WHOOP sleep, recovery and cycle records into one record per day."""
    days = sleep_days(sleeps)
    records: list[DailyMetricIn] = []
    nights = sorted(
        (s for s in sleeps if str(s.get("id")) in days and _scored(s)),
        key=lambda s: parse_instant(s["end"]) - parse_instant(s["start"]),
        reverse=True,  # the longest sleep of a day wins when a day has several
    )
    records.extend(_sleep_record(s, days[str(s["id"])]) for s in nights)
    cycle_days: dict[str, date] = {}
    for recovery in recoveries:
        day = days.get(str(recovery.get("sleep_id")))
        score = _scored(recovery)
        if day is None:
            continue
        cycle_days[str(recovery.get("cycle_id"))] = day
        if score:
            records.append(
                DailyMetricIn(
                    source=SOURCE,
                    date=day,
                    recovery_score=score.get("recovery_score"),
                    resting_hr=score.get("resting_heart_rate"),
                    hrv_rmssd_ms=score.get("hrv_rmssd_milli"),
                    spo2_pct=score.get("spo2_percentage"),
                )
            )
    for cycle in cycles:
        score = _scored(cycle)
        if not score or not cycle.get("start"):
            continue
        day = cycle_days.get(str(cycle.get("id"))) or local_date(
            cycle["start"], cycle.get("timezone_offset"), shift=timedelta(hours=12)
        )
        records.append(DailyMetricIn(source=SOURCE, date=day, strain=score.get("strain")))
    return merge_daily(records)


def map_workout(record: dict[str, Any]) -> ActivityIn | None:
    """One WHOOP workout as an activity (``None`` when it lacks an id or times)."""
    if not record.get("id") or not record.get("start") or not record.get("end"):
        return None
    start = parse_instant(record["start"])
    seconds = (parse_instant(record["end"]) - start).total_seconds()
    score = _scored(record) or {}
    kilojoule = score.get("kilojoule")
    sport = record.get("sport_name") or SPORTS.get(record.get("sport_id"), "other")
    return ActivityIn(
        source=SOURCE,
        external_id=str(record["id"]),
        sport=str(sport).strip().lower().replace(" ", "_").replace("-", "_"),
        start_time=start,
        duration_s=seconds,
        elapsed_s=seconds,
        distance_m=score.get("distance_meter"),
        avg_hr=score.get("average_heart_rate"),
        max_hr=score.get("max_heart_rate"),
        calories=round(kilojoule / KJ_PER_KCAL, 1) if kilojoule is not None else None,
        elevation_gain_m=score.get("altitude_gain_meter"),
        load=score.get("strain"),
    )


class WhoopProvider(OAuthProviderBase):
    name = "whoop"
    label = "WHOOP"
    source = SOURCE

    authorize_path = "/oauth/oauth2/auth"
    token_path = "/oauth/oauth2/token"
    api_path = "/developer/v2"
    scope = SCOPES
    refresh_scope = "offline"  # WHOOP asks for it again when refreshing
    revoke_method, revoke_path = "DELETE", "/developer/v2/user/access"

    def collection(
        self, client: httpx.Client, credentials: Credentials, path: str, *, start: date, end: date
    ) -> Iterator[dict[str, Any]]:
        """Every record of a v2 collection between ``start`` and ``end``, following next_token."""
        params: dict[str, Any] = {
            "limit": PAGE_LIMIT,
            "start": _iso(datetime.combine(start - timedelta(days=1), time(), UTC)),
            "end": _iso(datetime.combine(end + timedelta(days=1), time(), UTC)),
        }
        for _ in range(MAX_PAGES):
            page = self.get_json(client, credentials, f"{self.api_url}/{path}", params)
            if not isinstance(page, dict) or not isinstance(page.get("records"), list):
                raise ProviderUnavailable(
                    f"WHOOP sent an unexpected answer for {path} (no 'records' list)."
                )
            yield from (r for r in page["records"] if isinstance(r, dict))
            token = page.get("next_token")
            if not token:
                return
            params["nextToken"] = token
        raise ProviderUnavailable(f"WHOOP kept paginating {path} past {MAX_PAGES} pages.")

    def fetch_daily_metrics(
        self, credentials: Credentials, *, start: date, end: date
    ) -> list[DailyMetricIn]:
        with self.http_client() as client:
            sleeps = list(
                self.collection(client, credentials, "activity/sleep", start=start, end=end)
            )
            recoveries = list(
                self.collection(client, credentials, "recovery", start=start, end=end)
            )
            cycles = list(self.collection(client, credentials, "cycle", start=start, end=end))
        return map_daily(sleeps=sleeps, recoveries=recoveries, cycles=cycles)

    def fetch_activities(
        self, credentials: Credentials, *, start: date, end: date
    ) -> list[ActivityIn]:
        with self.http_client() as client:
            records = self.collection(client, credentials, "activity/workout", start=start, end=end)
            return [a for a in map(map_workout, records) if a is not None]


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")
