"""The user's calendar: which local day an instant falls on, "today", weeks and day bounds.

Records keep their UTC instant; the local day is derived from it with the user's IANA zone, so
changing the zone re-buckets everything. A night belongs to the day on whose morning it ends
(``night_of``), whether its segments end before or after midnight. Weeks start on the user's
``week_start`` (Monday unless they chose Sunday).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

from cadence.models.common import as_utc, utcnow

WEEKDAY_OF_WEEK_START = {"monday": 0, "sunday": 6}


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@dataclass(frozen=True)
class UserDay:
    """A user's zone and week start; every method is pure."""

    zone: ZoneInfo
    week_start: Literal["monday", "sunday"] = "monday"

    @classmethod
    def of(cls, *, timezone: str, week_start: Literal["monday", "sunday"] = "monday") -> UserDay:
        return cls(zone=_zone(timezone), week_start=week_start)

    @property
    def timezone(self) -> str:
        return self.zone.key

    def local(self, instant: datetime) -> datetime:
        """The instant on the user's wall clock (naive datetimes are taken as UTC)."""
        return as_utc(instant).astimezone(self.zone)

    def day_of(self, instant: datetime) -> date:
        """The user's calendar day the instant falls on."""
        return self.local(instant).date()

    def night_of(self, end: datetime) -> date:
        """The day a night (or one stage segment of it) belongs to: see ``night_day``."""
        return night_day(self.local(end))

    def today(self, now: datetime | None = None) -> date:
        return self.day_of(now or utcnow())

    def bounds(self, day: date) -> tuple[datetime, datetime]:
        """The UTC instants where the local ``day`` starts and where the next one starts
        (23 or 25 hours apart on daylight-saving days)."""
        start = datetime.combine(day, time.min, self.zone)
        end = datetime.combine(day + timedelta(days=1), time.min, self.zone)
        return start.astimezone(UTC), end.astimezone(UTC)

    def span(self, first: date, last: date) -> tuple[datetime, datetime]:
        """UTC instants from the start of ``first`` to the end of ``last`` (both included)."""
        return self.bounds(first)[0], self.bounds(last)[1]

    def week_start_of(self, day: date) -> date:
        """The first day of the week holding ``day``."""
        offset = (day.weekday() - WEEKDAY_OF_WEEK_START[self.week_start]) % 7
        return day - timedelta(days=offset)


NIGHT_ROLLOVER_HOUR = 18
"""Sleep that ends at or after 18:00 local time is part of the night that ends next morning."""


def night_day(local_end: datetime) -> date:
    """The day a sleep segment ending at ``local_end`` (wall-clock time) counts for: the morning
    its night ends on. A stage segment ending at 23:50 and one ending at 06:30 are the same
    night, day D; a nap ending at 15:00 counts for its own day."""
    day = local_end.date()
    return day + timedelta(days=1) if local_end.hour >= NIGHT_ROLLOVER_HOUR else day


UTC_DAY = UserDay.of(timezone="UTC")
"""The calendar of a user who never chose a zone (API clients): UTC days, Monday weeks."""


def age_words(days: int) -> str:
    """How old a day's data is, in words: "today", "yesterday", "5 days ago"."""
    if days <= 0:
        return "today"
    return "yesterday" if days == 1 else f"{days} days ago"
