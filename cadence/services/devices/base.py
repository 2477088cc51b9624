"""The provider contract (DESIGN §6) and the helpers its records share.

A provider turns a user's credentials into ``DailyMetricIn`` and ``ActivityIn`` records (the
health models' input schemas, ``source`` set to the provider); it never touches the database.
``sync.py`` stores those records through the metrics and activities services and keeps the
connection's status. Credentials are a JSON-serialisable dict that the
connection stores encrypted as a whole; a provider returns a new dict when it refreshes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any, Literal, Protocol

from cadence.models.health import ActivityIn, DailyMetricIn

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


class ProviderAccessDenied(ProviderAuthError):
    """The token is valid but lacks a permission (a scope, a membership): refreshing it cannot
    help, the user must reconnect and grant it."""


class ProviderUnavailable(ProviderError):
    """Timeout, server error, rate limit or an unreadable answer: worth retrying later."""

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def measured(record: DailyMetricIn) -> dict[str, Any]:
    """The values a day record has (everything set except ``date`` and ``source``)."""
    return record.model_dump(exclude_none=True, exclude={"date", "source"})


def merge_daily(records: Iterable[DailyMetricIn]) -> list[DailyMetricIn]:
    """Combine partial records of the same day and source (earlier records win, later ones only
    fill gaps); days without any value are dropped. Sorted by date."""
    by_day: dict[tuple[date, str], DailyMetricIn] = {}
    for record in records:
        key = (record.date, record.source)
        current = by_day.get(key)
        if current is None:
            by_day[key] = record
        else:
            gaps = {k: v for k, v in measured(record).items() if getattr(current, k) is None}
            by_day[key] = current.model_copy(update=gaps)
    return [by_day[key] for key in sorted(by_day) if measured(by_day[key])]


class DeviceProvider(Protocol):
    """What every device provider implements (Garmin, Whoop, Strava, Oura).

    ``auth`` says how ``connect`` is fed: ``password`` takes the user's sign-in once (the
    password is never stored); ``oauth`` sends the browser to ``authorize_url`` and ``connect``
    receives the callback's ``code``. ``pkce``: the provider takes a PKCE (S256) challenge with
    the authorize URL and the verifier with the code.
    """

    name: str
    label: str
    auth: AuthKind
    source: str
    pkce: bool

    def setup_problem(self) -> str | None:
        """Why this server cannot connect the provider (e.g. no OAuth client id), in words for
        the user; ``None`` when it can."""
        ...

    def authorize_url(
        self, *, state: str, redirect_uri: str, code_challenge: str | None = None
    ) -> str:
        """OAuth only: where to send the browser to grant access."""
        ...

    def connect(self, *, params: dict[str, str], redirect_uri: str) -> Credentials:
        """Exchange a sign-in (password) or an authorisation code (OAuth) for credentials."""
        ...

    def refresh_credentials(self, credentials: Credentials, *, force: bool) -> Credentials | None:
        """New credentials when they expire soon (or ``force``), else ``None``."""
        ...

    def revoke(self, credentials: Credentials) -> None:
        """Ask the provider to end this access (on disconnect); may raise ``ProviderError``."""
        ...

    def renewed_credentials(self, credentials: Credentials) -> Credentials | None:
        """Credentials the provider's client renewed on its own while fetching with
        ``credentials`` (to be stored), else ``None``."""
        ...

    def fetch_daily_metrics(
        self, credentials: Credentials, *, start: date, end: date
    ) -> list[DailyMetricIn]:
        """Daily wellness data for ``start``..``end`` inclusive (may be empty)."""
        ...

    def fetch_activities(
        self, credentials: Credentials, *, start: date, end: date
    ) -> list[ActivityIn]:
        """Activities that started on ``start``..``end`` inclusive."""
        ...
