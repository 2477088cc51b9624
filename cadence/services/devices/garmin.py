"""Garmin Connect through the ``garminconnect`` package.

Connecting signs in once with email and password; only the resulting Garmin tokens (and the
account's display name, which Garmin's URLs need) are kept, encrypted. The password is never
stored. Fetching uses ``garminconnect.Garmin``'s own request code; ``CADENCE_GARMIN_API_URL``
points it at another host (tests use a local server replaying recorded Garmin payloads).

Mapping, per calendar day (Garmin's own ``calendarDate``):
sleep (dailySleepData: duration and stages, sleep score, SpO2, respiration, resting HR) →
HRV (last night's average, an rMSSD value) → daily summary (steps, resting HR, stress, highest
body battery) → daily stress (average stress; highest measured body battery, skipping the empty
samples of incomplete days) → training readiness (the morning score, else the day's first) →
weigh-ins (grams → kg). Earlier sources win when two give the same field. Stress values below
zero are Garmin's "not measured" markers and are dropped.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import requests
from garminconnect import (
    Garmin,
    GarminConnectAuthenticationError,
    GarminConnectConnectionError,
    GarminConnectTooManyRequestsError,
)

from cadence.config import Settings
from cadence.models.health import ActivityIn, DailyMetricIn
from cadence.services.devices.base import (
    Credentials,
    ProviderAuthError,
    ProviderError,
    ProviderUnavailable,
    merge_daily,
    parse_instant,
)

logger = logging.getLogger(__name__)

LABEL = "Garmin Connect"
SOURCE = "garmin"
_STATUS = re.compile(r"(?:API Error|error) \(?(\d{3})\)?")
_NO_SUMMARY = "No data received from server"
# garminconnect folds transport failures into its own exceptions' text (not their causes)
_UNREACHABLE = (
    "Max retries exceeded",
    "Could not resolve",
    "Failed to resolve",
    "Connection refused",
)


# --- mapping: recorded Garmin JSON → plain records ------------------------------------------


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


def _measured(value: Any) -> float | None:
    """Garmin marks unmeasured stress/levels with negative numbers."""
    return value if isinstance(value, int | float) and value >= 0 else None


def _first_present(*values: Any) -> float | None:
    return next((v for v in values if isinstance(v, int | float) and not isinstance(v, bool)), None)


def _nested(source: Any, *keys: str) -> Any:
    for key in keys:
        source = source.get(key) if isinstance(source, dict) else None
    return source


def map_sleep(payload: Any) -> DailyMetricIn | None:
    """``dailySleepData``; ``None`` on a no-data day.

    Two shapes exist: the sleep service's (score in ``dailySleepDTO.sleepScores``, resting HR
    at the top level) and the wellness service's that the pinned ``garminconnect`` calls,
    which keeps resting HR in ``dailySleepDTO`` and SpO2 in ``wellnessSpO2SleepSummaryDTO``
    (older nights there have no score at all). Each value is read from wherever the shape
    keeps it.
    """
    dto = payload.get("dailySleepDTO") if isinstance(payload, dict) else None
    day = _day(dto.get("calendarDate")) if isinstance(dto, dict) else None
    if day is None:
        return None
    overall = _first_present(
        _nested(dto, "sleepScores", "overall", "value"),
        _nested(payload, "sleepScores", "overall", "value"),
    )
    spo2 = payload.get("wellnessSpO2SleepSummaryDTO")
    return DailyMetricIn(
        source=SOURCE,
        date=day,
        sleep_seconds=dto.get("sleepTimeSeconds"),
        sleep_deep_seconds=dto.get("deepSleepSeconds"),
        sleep_light_seconds=dto.get("lightSleepSeconds"),
        sleep_rem_seconds=dto.get("remSleepSeconds"),
        sleep_awake_seconds=dto.get("awakeSleepSeconds"),
        sleep_score=overall,
        spo2_pct=_first_present(
            dto.get("averageSpO2Value"),
            _nested(spo2, "averageSPO2"),
            _nested(spo2, "averageSpo2"),
        ),
        respiratory_rate=_first_present(
            dto.get("averageRespirationValue"), payload.get("avgSleepRespirationValue")
        ),
        resting_hr=_first_present(payload.get("restingHeartRate"), dto.get("restingHeartRate")),
    )


def map_hrv_summary(summary: Any) -> DailyMetricIn | None:
    """One ``hrvSummary`` (``/hrv-service/hrv/{day}`` or an item of ``hrv/daily``)."""
    if not isinstance(summary, dict) or _day(summary.get("calendarDate")) is None:
        return None
    return DailyMetricIn(
        source=SOURCE, date=_day(summary["calendarDate"]), hrv_rmssd_ms=summary.get("lastNightAvg")
    )


def map_hrv(payload: Any) -> DailyMetricIn | None:
    return map_hrv_summary(payload.get("hrvSummary")) if isinstance(payload, dict) else None


def map_summary(payload: Any) -> DailyMetricIn | None:
    """``/usersummary-service/usersummary/daily`` (steps, resting HR, stress, body battery)."""
    if not isinstance(payload, dict) or _day(payload.get("calendarDate")) is None:
        return None
    return DailyMetricIn(
        source=SOURCE,
        date=_day(payload["calendarDate"]),
        steps=payload.get("totalSteps"),
        resting_hr=payload.get("restingHeartRate"),
        stress_avg=_measured(payload.get("averageStressLevel")),
        body_battery=payload.get("bodyBatteryHighestValue"),
        spo2_pct=payload.get("averageSpo2"),
    )


def highest_body_battery(samples: Any) -> int | None:
    """The day's highest measured level in ``[timestamp, status, level, version]`` samples;
    incomplete samples (``status``/``level`` null) are skipped."""
    levels = [
        s[2]
        for s in samples or []
        if isinstance(s, list) and len(s) > 2 and isinstance(s[2], int | float)
    ]
    return int(max(levels)) if levels else None


def map_stress(payload: Any) -> DailyMetricIn | None:
    """``/wellness-service/wellness/dailyStress/{day}``; the body is ``null`` on no-data days."""
    if not isinstance(payload, dict) or _day(payload.get("calendarDate")) is None:
        return None
    return DailyMetricIn(
        source=SOURCE,
        date=_day(payload["calendarDate"]),
        stress_avg=_measured(payload.get("avgStressLevel")),
        body_battery=highest_body_battery(payload.get("bodyBatteryValuesArray")),
    )


def map_training_readiness(payload: Any) -> DailyMetricIn | None:
    """The morning (``AFTER_WAKEUP_RESET``) training readiness, else the day's first snapshot."""
    snapshots = [
        s
        for s in payload or []
        if isinstance(s, dict) and _day(s.get("calendarDate")) and s.get("score") is not None
    ]
    if not snapshots:
        return None
    morning = [s for s in snapshots if s.get("inputContext") == "AFTER_WAKEUP_RESET"]
    chosen = min(morning or snapshots, key=lambda s: s.get("timestamp") or "")
    return DailyMetricIn(
        source=SOURCE, date=_day(chosen["calendarDate"]), recovery_score=chosen["score"]
    )


def map_weigh_ins(payload: Any) -> list[DailyMetricIn]:
    """``/weight-service/weight/range``: each day's latest weight (grams → kg)."""
    summaries = payload.get("dailyWeightSummaries") if isinstance(payload, dict) else None
    records = []
    for summary in summaries or []:
        latest = summary.get("latestWeight") or {}
        day = _day(summary.get("summaryDate"))
        if day and isinstance(latest.get("weight"), int | float):
            records.append(
                DailyMetricIn(source=SOURCE, date=day, weight_kg=round(latest["weight"] / 1000, 3))
            )
    return records


def map_activity(record: Any) -> ActivityIn | None:
    """An activity from the activity list, or an activity detail (``summaryDTO``)."""
    if not isinstance(record, dict) or record.get("activityId") is None:
        return None
    summary = record.get("summaryDTO") or record
    kind = record.get("activityType") or record.get("activityTypeDTO") or {}
    start = summary.get("startTimeGMT")
    if not start or summary.get("duration") is None:
        return None
    return ActivityIn(
        source=SOURCE,
        external_id=str(record["activityId"]),
        sport=str(kind.get("typeKey") or "other"),
        start_time=parse_instant(start.replace(" ", "T")),
        duration_s=round(float(summary["duration"]), 3),
        elapsed_s=_rounded(summary.get("elapsedDuration")),
        distance_m=_rounded(summary.get("distance"), 2),
        avg_hr=summary.get("averageHR"),
        max_hr=summary.get("maxHR"),
        calories=summary.get("calories"),
        elevation_gain_m=summary.get("elevationGain"),
        load=_rounded(summary.get("activityTrainingLoad"), 1),
    )


def _rounded(value: Any, digits: int = 3) -> float | None:
    return round(float(value), digits) if isinstance(value, int | float) else None


def map_day(
    *, sleep: Any, hrv: Any, summary: Any, stress: Any, readiness: Any
) -> list[DailyMetricIn]:
    """All of one day's payloads merged (sources in the documented priority)."""
    parts = [
        map_sleep(sleep),
        map_hrv(hrv),
        map_summary(summary),
        map_stress(stress),
        map_training_readiness(readiness),
    ]
    return merge_daily(p for p in parts if p is not None)


# --- talking to Garmin ----------------------------------------------------------------------


def translate_error(exc: Exception) -> ProviderError:
    """A ``garminconnect``/``requests`` failure as a user-facing provider error."""
    text = str(exc)
    if "MFA" in text:
        return ProviderAuthError(
            "Garmin asks for a two-factor code, which Cadence cannot enter yet: turn off "
            "two-factor sign-in on Garmin Connect or import your Garmin files instead."
        )
    causes = _cause_chain(exc)
    match = _STATUS.search(text)
    status = int(match.group(1)) if match else None
    if isinstance(exc, GarminConnectAuthenticationError) or status in (401, 403):
        return ProviderAuthError(
            "Garmin Connect rejected the sign-in or the stored tokens; please reconnect."
        )
    if isinstance(exc, GarminConnectTooManyRequestsError) or status == 429:
        return ProviderUnavailable("Garmin Connect rate limit reached; will retry later.")
    if any(isinstance(c, requests.Timeout) for c in causes) or "timed out" in text.lower():
        return ProviderUnavailable("Garmin Connect did not answer in time; will retry later.")
    if any(isinstance(c, ValueError) for c in causes[1:]):
        return ProviderUnavailable(
            "Garmin Connect sent an answer Cadence could not read (not JSON); will retry later."
        )
    if status is not None and status >= 500:
        return ProviderUnavailable(
            f"Garmin Connect had a server error (HTTP {status}); will retry later."
        )
    if any(isinstance(c, requests.ConnectionError) for c in causes) or any(
        marker in text for marker in _UNREACHABLE
    ):
        return ProviderUnavailable("Cannot reach Garmin Connect; will retry later.")
    return ProviderError(f"Garmin Connect request failed: {text[:200]}")


def _cause_chain(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def password_login(email: str, password: str) -> Credentials:
    """Sign in to Garmin Connect (its SSO) and keep only the tokens and display name."""
    api = Garmin(email=email, password=password)
    api.login()
    return {"tokens": api.client.dumps(), "display_name": api.display_name}


class GarminProvider:
    name = "garmin"
    label = LABEL
    auth = "password"
    pkce = False
    source = SOURCE

    def __init__(
        self, settings: Settings, *, login: Callable[[str, str], Credentials] | None = None
    ) -> None:
        self.api_url = settings.garmin_api_url
        self._login = login or password_login
        self._clients: dict[str, Garmin] = {}  # one client per stored tokens, for one sync

    def setup_problem(self) -> str | None:
        """Sign-in always goes to Garmin's own servers (garminconnect cannot be pointed
        elsewhere), so it is refused while ``CADENCE_GARMIN_API_URL`` sends Garmin's API to
        another host (a test double, an offline setup): it would leave the machine anyway."""
        if self.api_url:
            return (
                "Garmin Connect sign-in is turned off on this server: CADENCE_GARMIN_API_URL "
                "points Garmin at another host, and sign-in can only go to Garmin itself."
            )
        return None

    def authorize_url(
        self, *, state: str, redirect_uri: str, code_challenge: str | None = None
    ) -> str:
        raise ProviderError("Garmin Connect signs in with email and password, not a redirect.")

    def connect(self, *, params: dict[str, str], redirect_uri: str) -> Credentials:
        """Sign in once with ``email`` and ``password``; the password is not kept."""
        if not params.get("email") or not params.get("password"):
            raise ProviderAuthError("Enter your Garmin Connect email and password.")
        try:
            credentials = self._login(params["email"], params["password"])
        except ProviderError:
            raise
        except Exception as exc:
            logger.info("Garmin sign-in failed: %s", exc.__class__.__name__)
            raise translate_error(exc) from exc
        if not credentials.get("tokens") or not credentials.get("display_name"):
            raise ProviderError("Garmin Connect signed in but returned no usable profile.")
        return credentials

    def client(self, credentials: Credentials) -> Garmin:
        """A ``Garmin`` API object restored from stored tokens (no sign-in), reused while this
        provider object lives so that tokens it renews can be read back."""
        tokens = credentials.get("tokens")
        if isinstance(tokens, str) and tokens in self._clients:
            return self._clients[tokens]
        api = Garmin()
        try:
            api.client.loads(credentials["tokens"])
        except (KeyError, GarminConnectConnectionError) as exc:
            raise ProviderAuthError(
                "The stored Garmin tokens are unusable; please reconnect."
            ) from exc
        api.display_name = credentials.get("display_name")
        if self.api_url:  # garminconnect 0.3.2 (pinned) keeps its API host in _connectapi
            api.client._connectapi = self.api_url.rstrip("/")
        self._clients[tokens] = api
        return api

    def revoke(self, credentials: Credentials) -> None:
        """Garmin offers no token revocation to this client: erasing the tokens is all."""

    def renewed_credentials(self, credentials: Credentials) -> Credentials | None:
        """garminconnect renews an expiring or rejected access token by itself mid-request;
        the renewed tokens (Garmin may rotate the refresh token too) must be kept."""
        api = self._clients.get(credentials.get("tokens"))
        if api is None or api.client.dumps() == credentials["tokens"]:
            return None
        return {**credentials, "tokens": api.client.dumps()}

    def refresh_credentials(self, credentials: Credentials, *, force: bool) -> Credentials | None:
        """Renew the Garmin access token with its refresh token when it expires soon."""
        api = self.client(credentials)  # the library's own expiry check and DI-token refresh
        if not force and not api.client._token_expires_soon():
            return None
        try:
            api.client._refresh_di_token()
        except Exception as exc:
            raise translate_error(exc) from exc
        return {**credentials, "tokens": api.client.dumps()}

    def fetch_daily_metrics(
        self, credentials: Credentials, *, start: date, end: date
    ) -> list[DailyMetricIn]:
        api = self.client(credentials)
        records: list[DailyMetricIn] = []
        day = start
        while day <= end:
            iso = day.isoformat()
            records.extend(
                map_day(
                    sleep=_call(api.get_sleep_data, iso),
                    hrv=_call(api.get_hrv_data, iso),
                    summary=_call(api.get_user_summary, iso),
                    stress=_call(api.get_stress_data, iso),
                    readiness=_call(api.get_training_readiness, iso),
                )
            )
            day += timedelta(days=1)
        records.extend(map_weigh_ins(_call(api.get_weigh_ins, start.isoformat(), end.isoformat())))
        return merge_daily(records)

    def fetch_activities(
        self, credentials: Credentials, *, start: date, end: date
    ) -> list[ActivityIn]:
        api = self.client(credentials)
        listed = _call(api.get_activities_by_date, start.isoformat(), end.isoformat())
        if listed is not None and not isinstance(listed, list):
            raise ProviderUnavailable("Garmin Connect sent an unexpected activity list.")
        return [a for a in map(map_activity, listed or []) if a is not None]


def _call(method: Callable[..., Any], *args: str) -> Any:
    """Run one ``Garmin`` request; a day without data (404, empty summary) gives ``None``."""
    try:
        return method(*args)
    except Exception as exc:
        text = str(exc)
        if _NO_SUMMARY in text or "(404)" in text or "API Error 404" in text:
            return None
        raise translate_error(exc) from exc
