"""Oura Ring through its OAuth2 API v2: sleep, readiness, activity, SpO2, stress and workouts.

Days: every Oura document carries its ``day``, the wearer's local calendar day; for a sleep it
is the day the night ends (the morning you wake up), the same rule as Cadence's user day
(``userday.UserDay.night_of``), so it is stored as sent.

The night: of a day's sleep periods only a ``long_sleep`` counts (Oura's main sleep, 3 h or
more); naps (``sleep``, ``late_nap``), ``rest`` periods and deleted ones are not the night. When a
day has several long sleeps the longest wins. Oura's HRV (``average_hrv``) is rMSSD; its lowest
sleeping heart rate is the day's resting HR. Oura writes 255 bpm for "no reading"; heart rates
outside ``PLAUSIBLE_HR_BPM`` are read as missing.

The readiness ``score`` is the device's own recovery score (``recovery_score``, with its
contributors), shown beside Cadence's readiness and never an input of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict

from cadence.config import Settings
from cadence.models.health import ActivityIn, DailyMetricIn
from cadence.services.devices.base import (
    Credentials,
    ProviderUnavailable,
    merge_daily,
    parse_instant,
)
from cadence.services.devices.http import request_json
from cadence.services.devices.oauth import OAuthProviderBase

SOURCE = "oura"
SCOPES = "daily workout spo2Daily"
PLAUSIBLE_HR_BPM = (20.0, 250.0)
MAX_PAGES = 200
MAIN_SLEEP = "long_sleep"


class _Document(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    day: date


class OuraSleep(_Document):
    """One sleep period (``/sleep``); durations in seconds."""

    type: str | None = None
    total_sleep_duration: int | None = None
    deep_sleep_duration: int | None = None
    light_sleep_duration: int | None = None
    rem_sleep_duration: int | None = None
    awake_time: int | None = None
    efficiency: float | None = None
    latency: int | None = None
    average_hrv: float | None = None
    lowest_heart_rate: float | None = None
    average_heart_rate: float | None = None
    average_breath: float | None = None


class OuraScore(_Document):
    """A daily score document (``/daily_sleep``, ``/daily_readiness``)."""

    score: float | None = None
    contributors: dict[str, float | None] = {}


class OuraActivity(_Document):
    steps: int | None = None
    active_calories: float | None = None


class OuraSpo2Average(BaseModel):
    average: float | None = None


class OuraSpo2(_Document):
    spo2_percentage: OuraSpo2Average | None = None


class OuraStress(_Document):
    """Seconds spent in high stress and in high recovery that day."""

    stress_high: int | None = None
    recovery_high: int | None = None


class OuraWorkout(_Document):
    activity: str = "other"
    start_datetime: str
    end_datetime: str
    calories: float | None = None
    distance: float | None = None


Doc = TypeVar("Doc", bound=_Document)


def _hr(value: float | None) -> float | None:
    low, high = PLAUSIBLE_HR_BPM
    return value if value is not None and low <= value <= high else None


def _night(period: OuraSleep) -> DailyMetricIn:
    return DailyMetricIn(
        source=SOURCE,
        date=period.day,
        sleep_seconds=period.total_sleep_duration,
        sleep_deep_seconds=period.deep_sleep_duration,
        sleep_light_seconds=period.light_sleep_duration,
        sleep_rem_seconds=period.rem_sleep_duration,
        sleep_awake_seconds=period.awake_time,
        sleep_efficiency_pct=period.efficiency,
        sleep_latency_seconds=period.latency,
        sleep_avg_hr=_hr(period.average_heart_rate),
        hrv_rmssd_ms=period.average_hrv,
        resting_hr=_hr(period.lowest_heart_rate),
        respiratory_rate=period.average_breath,
    )


def _contributors(document: OuraScore) -> dict[str, float] | None:
    parts = {name: value for name, value in document.contributors.items() if value is not None}
    return parts or None


def map_daily(
    *,
    sleeps: list[OuraSleep],
    daily_sleeps: list[OuraScore],
    readiness: list[OuraScore],
    activity: list[OuraActivity],
    spo2: list[OuraSpo2],
    stress: list[OuraStress],
) -> list[DailyMetricIn]:
    """Merge Oura's documents into one record per day."""
    nights = sorted(
        (s for s in sleeps if s.type == MAIN_SLEEP),
        key=lambda s: s.total_sleep_duration or 0,
        reverse=True,  # the longest main sleep of a day wins
    )
    records = [_night(s) for s in nights]
    records += [DailyMetricIn(source=SOURCE, date=d.day, sleep_score=d.score) for d in daily_sleeps]
    records += [
        DailyMetricIn(
            source=SOURCE,
            date=r.day,
            recovery_score=r.score,
            recovery_contributors=_contributors(r) if r.score is not None else None,
        )
        for r in readiness
    ]
    records += [
        DailyMetricIn(source=SOURCE, date=a.day, steps=a.steps, active_kcal=a.active_calories)
        for a in activity
    ]
    records += [
        DailyMetricIn(
            source=SOURCE,
            date=s.day,
            spo2_pct=s.spo2_percentage.average if s.spo2_percentage else None,
        )
        for s in spo2
    ]
    records += [
        DailyMetricIn(
            source=SOURCE,
            date=s.day,
            stress_high_seconds=s.stress_high,
            recovery_high_seconds=s.recovery_high,
        )
        for s in stress
    ]
    return merge_daily(records)


def map_workout(workout: OuraWorkout) -> ActivityIn:
    """One Oura workout as an activity (``source="oura"``)."""
    start = parse_instant(workout.start_datetime)
    seconds = (parse_instant(workout.end_datetime) - start).total_seconds()
    return ActivityIn(
        source=SOURCE,
        external_id=workout.id,
        sport=workout.activity.strip().lower().replace(" ", "_").replace("-", "_") or "other",
        start_time=start,
        duration_s=seconds,
        elapsed_s=seconds,
        distance_m=workout.distance,
        calories=workout.calories,
    )


ENDPOINT_SCOPES = {
    "sleep": "daily",
    "daily_sleep": "daily",
    "daily_readiness": "daily",
    "daily_activity": "daily",
    "daily_stress": "daily",
    "daily_spo2": "spo2Daily",
    "workout": "workout",
}
"""The permission Oura requires for each collection (named when Oura refuses one)."""


class OuraProvider(OAuthProviderBase):
    name = "oura"
    label = "Oura"
    source = SOURCE

    authorize_path = "/oauth/authorize"
    token_path = "/oauth/token"
    api_path = "/v2/usercollection"
    scope = SCOPES

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.app = replace(self.app, authorize_url=settings.oura_authorize_url)

    def revoke(self, credentials: Credentials) -> None:
        """Oura revokes a token given as the ``access_token`` query parameter."""
        with self.http_client() as client:
            request_json(
                client,
                "GET",
                f"{self.base_url}/oauth/revoke",
                label=self.app.label,
                auth_failure="Oura no longer accepted the token",
                params={"access_token": credentials.get("access_token", "")},
            )

    def collection(
        self,
        client: httpx.Client,
        credentials: Credentials,
        path: str,
        model: type[Doc],
        *,
        start: date,
        end: date,
    ) -> Iterator[Doc]:
        """Every document of ``path`` whose day is in ``start``..``end``, following next_token.

        Oura's ``end_date`` is exclusive for some collections, so one day more is asked for.
        """
        params: dict[str, Any] = {
            "start_date": start.isoformat(),
            "end_date": (end + timedelta(days=1)).isoformat(),
        }
        scope = ENDPOINT_SCOPES[path]
        for _ in range(MAX_PAGES):
            page = self.get_json(
                client,
                credentials,
                f"{self.api_url}/{path}",
                params,
                forbidden=f"Oura did not allow reading {path.replace('_', ' ')}: the connection "
                f"lacks the '{scope}' permission (or the Oura membership is inactive). "
                f"Reconnect Oura and allow '{scope}'",
            )
            if not isinstance(page, dict) or not isinstance(page.get("data"), list):
                raise ProviderUnavailable(
                    f"Oura sent an unexpected answer for {path} (no 'data' list)."
                )
            for raw in page["data"]:
                document = model.model_validate(raw)
                if start <= document.day <= end:
                    yield document
            token = page.get("next_token")
            if not token:
                return
            params["next_token"] = token
        raise ProviderUnavailable(f"Oura kept paginating {path} past {MAX_PAGES} pages.")

    def fetch_daily_metrics(
        self, credentials: Credentials, *, start: date, end: date
    ) -> list[DailyMetricIn]:
        with self.http_client() as client:

            def read(path: str, model: type[Doc]) -> list[Doc]:
                return list(self.collection(client, credentials, path, model, start=start, end=end))

            return map_daily(
                sleeps=read("sleep", OuraSleep),
                daily_sleeps=read("daily_sleep", OuraScore),
                readiness=read("daily_readiness", OuraScore),
                activity=read("daily_activity", OuraActivity),
                spo2=read("daily_spo2", OuraSpo2),
                stress=read("daily_stress", OuraStress),
            )

    def fetch_activities(
        self, credentials: Credentials, *, start: date, end: date
    ) -> list[ActivityIn]:
        with self.http_client() as client:
            workouts = self.collection(
                client, credentials, "workout", OuraWorkout, start=start, end=end
            )
            return [map_workout(w) for w in workouts]
