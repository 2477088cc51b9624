"""Strava through OAuth2: activities only, every row marked ``source="strava"``.

Strava's API terms forbid sending its data to shared AI models: the source on every row lets the
coach leave Strava rows out of what it sends to a hosted model.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from cadence.models.health import ActivityIn, DailyMetricIn
from cadence.services.activities import sport_family
from cadence.services.devices.base import (
    Credentials,
    ProviderUnavailable,
    parse_instant,
)
from cadence.services.devices.oauth import OAuthProviderBase

SOURCE = "strava"
KCAL_PER_KJ_OF_WORK = 1.0
"""Energy burned per kJ of mechanical work on the pedals: with a gross efficiency of about
24 % (Ettema & Lorås 2009: 20-25 % for cycling) and 4.184 kJ per kcal, 1 / (4.184 x 0.239)
= 1.0 kcal per kJ, the rule Strava and TrainingPeaks use. Strava's activity list
(SummaryActivity) has ``kilojoules`` for rides with power and no ``calories``."""
PER_PAGE = 100
MAX_PAGES = 100
SPORTS = {
    "Run": "running",
    "TrailRun": "trail_running",
    "VirtualRun": "running",
    "Ride": "cycling",
    "VirtualRide": "cycling",
    "MountainBikeRide": "mountain_biking",
    "GravelRide": "cycling",
    "EBikeRide": "cycling",
    "Swim": "swimming",
    "Walk": "walking",
    "Hike": "hiking",
    "Rowing": "rowing",
    "WeightTraining": "strength_training",
    "Yoga": "yoga",
    "StandUpPaddling": "stand_up_paddleboarding",
}


def _snake(name: str) -> str:
    out = "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")
    return out or "other"


def map_activity(record: dict[str, Any]) -> ActivityIn | None:
    """A Strava (Summary or Detailed) activity; ``None`` without an id or start."""
    if record.get("id") is None or not record.get("start_date"):
        return None
    kind = record.get("sport_type") or record.get("type") or "Workout"
    moving = record.get("moving_time")
    elapsed = record.get("elapsed_time")
    return ActivityIn(
        source=SOURCE,
        external_id=str(record["id"]),
        sport=SPORTS.get(kind, _snake(kind)),
        start_time=parse_instant(record["start_date"]),
        duration_s=float(moving if moving is not None else elapsed or 0),
        elapsed_s=float(elapsed) if elapsed is not None else None,
        distance_m=record.get("distance"),
        avg_hr=record.get("average_heartrate"),
        max_hr=record.get("max_heartrate"),
        calories=_calories(record, sport=SPORTS.get(kind, _snake(kind))),
        elevation_gain_m=record.get("total_elevation_gain"),
        load=record.get("suffer_score"),
    )


def _calories(record: dict[str, Any], *, sport: str) -> float | None:
    """``calories`` when Strava sent them (DetailedActivity), else a ride's ``kilojoules`` of
    work at ``KCAL_PER_KJ_OF_WORK``; ``None`` otherwise."""
    calories = record.get("calories")
    if isinstance(calories, int | float) and calories > 0:
        return float(calories)
    work = record.get("kilojoules")
    if isinstance(work, int | float) and work > 0 and sport_family(sport) == "cycling":
        return round(work * KCAL_PER_KJ_OF_WORK, 1)
    return None


class StravaProvider(OAuthProviderBase):
    name = "strava"
    label = "Strava"
    source = SOURCE

    authorize_path = "/oauth/authorize"
    token_path = "/oauth/token"
    api_path = "/api/v3"
    scope = "read,activity:read_all"
    extra_authorize_params = (("approval_prompt", "auto"),)
    revoke_method, revoke_path = "POST", "/oauth/deauthorize"

    def fetch_daily_metrics(
        self, credentials: Credentials, *, start: date, end: date
    ) -> list[DailyMetricIn]:
        """Strava has no wellness data."""
        return []

    def fetch_activities(
        self, credentials: Credentials, *, start: date, end: date
    ) -> list[ActivityIn]:
        after = datetime.combine(start - timedelta(days=1), time(), UTC)
        before = datetime.combine(end + timedelta(days=1), time(), UTC)
        activities: list[ActivityIn] = []
        with self.http_client() as client:
            for page in range(1, MAX_PAGES + 1):
                params = {
                    "after": int(after.timestamp()),
                    "before": int(before.timestamp()),
                    "page": page,
                    "per_page": PER_PAGE,
                }
                url = f"{self.api_url}/athlete/activities"
                batch = self.get_json(client, credentials, url, params)
                if not isinstance(batch, list):
                    raise ProviderUnavailable("Strava sent an unexpected answer (not a list).")
                activities.extend(
                    a for a in map(map_activity, filter(_is_dict, batch)) if a is not None
                )
                if len(batch) < PER_PAGE:
                    return activities
        raise ProviderUnavailable(f"Strava kept paginating past {MAX_PAGES} pages.")


def _is_dict(value: Any) -> bool:
    return isinstance(value, dict)
