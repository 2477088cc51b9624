"""The provider contract (DESIGN §6) and the plain records providers hand to the sync.

A provider turns a user's credentials into ``DailyMetricData`` and ``ActivityData`` records; it
never touches the database. ``sync.py`` stores those records through the metrics and activities
services and keeps the connection's status. Credentials are a JSON-serialisable dict that the
connection stores encrypted as a whole; a provider returns a new dict when it refreshes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime
from typing import Any, Literal, Protocol

Credentials = dict[str, Any]
AuthKind = Literal["password", "oauth"]


def parse_instant(value: str) -> datetime:
    """An ISO 8601 instant (``Z``, an offset, or naive meaning UTC) as an aware UTC datetime."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


class ProviderError(Exception):
    """A provider call failed; ``message`` is shown to the user as the connection's last error."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ProviderAuthError(ProviderError):
    """The provider rejected the credentials or tokens (wrong password, revoked or expired)."""


class ProviderUnavailable(ProviderError):
    """Timeout, server error, rate limit or an unreadable answer: worth retrying later."""

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class DailyMetricData:
    """One day of a provider's wellness data; ``None`` means the provider gave no value."""

    date: date
    sleep_seconds: int | None = None
    sleep_deep_seconds: int | None = None
    sleep_light_seconds: int | None = None
    sleep_rem_seconds: int | None = None
    sleep_awake_seconds: int | None = None
    sleep_score: float | None = None
    hrv_rmssd_ms: float | None = None
    resting_hr: float | None = None
    recovery_score: float | None = None
    strain: float | None = None
    steps: int | None = None
    body_battery: int | None = None
    stress_avg: float | None = None
    spo2_pct: float | None = None
    respiratory_rate: float | None = None
    weight_kg: float | None = None

    def values(self) -> dict[str, Any]:
        """The measured fields that are set (everything except ``date``)."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name != "date" and getattr(self, f.name) is not None
        }


def merge_daily(records: Iterable[DailyMetricData]) -> list[DailyMetricData]:
    """Combine partial records of the same day (later records fill gaps, never erase values);
    days without any value are dropped. Sorted by date."""
    by_day: dict[date, DailyMetricData] = {}
    for record in records:
        current = by_day.get(record.date)
        if current is None:
            by_day[record.date] = record
        else:
            gaps = {k: v for k, v in record.values().items() if getattr(current, k) is None}
            by_day[record.date] = replace(current, **gaps)
    return [by_day[day] for day in sorted(by_day) if by_day[day].values()]


@dataclass(frozen=True)
class ActivityData:
    """One recorded activity. ``external_id`` is unique per source and makes syncs idempotent;
    ``duration_s`` is timer (moving) time, ``elapsed_s`` wall-clock time; ``load`` is the
    provider's own load figure when it has one (Garmin training load, Whoop strain, Strava
    relative effort)."""

    external_id: str
    sport: str
    start_time: datetime
    duration_s: float
    elapsed_s: float | None = None
    distance_m: float | None = None
    avg_hr: float | None = None
    max_hr: float | None = None
    calories: float | None = None
    elevation_gain_m: float | None = None
    load: float | None = None


class DeviceProvider(Protocol):
    """What every device provider implements (Garmin, Whoop, Strava).

    ``auth`` says how ``connect`` is fed: ``password`` takes the user's sign-in once (the
    password is never stored); ``oauth`` sends the browser to ``authorize_url`` and ``connect``
    receives the callback's ``code``.
    """

    name: str
    label: str
    auth: AuthKind
    source: str

    def is_configured(self) -> bool:
        """Whether this server can talk to the provider (e.g. an OAuth client id is set)."""
        ...

    def authorize_url(self, *, state: str, redirect_uri: str) -> str:
        """OAuth only: where to send the browser to grant access."""
        ...

    def connect(self, *, params: dict[str, str], redirect_uri: str) -> Credentials:
        """Exchange a sign-in (password) or an authorisation code (OAuth) for credentials."""
        ...

    def refresh_credentials(self, credentials: Credentials, *, force: bool) -> Credentials | None:
        """New credentials when they expire soon (or ``force``), else ``None``."""
        ...

    def fetch_daily_metrics(
        self, credentials: Credentials, *, start: date, end: date
    ) -> list[DailyMetricData]:
        """Daily wellness data for ``start``..``end`` inclusive (may be empty)."""
        ...

    def fetch_activities(
        self, credentials: Credentials, *, start: date, end: date
    ) -> list[ActivityData]:
        """Activities that started on ``start``..``end`` inclusive."""
        ...
