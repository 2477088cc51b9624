"""A user's day, units and body: the ``user_preferences`` table and the preferences schemas.

Values are stored in SI (sleep need in seconds, heart rates in bpm); a user without a row has
the defaults below. The API (``GET|PUT /api/v1/settings/preferences``) and the Settings page
read and write them through ``cadence.services.preferences``.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from itertools import pairwise
from typing import Literal
from zoneinfo import available_timezones

from pydantic import BaseModel, field_validator, model_validator
from pydantic import Field as PydanticField
from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from cadence.models.common import timestamp_field
from cadence.models.user import StrictBody

WeekStart = Literal["monday", "sunday"]
WeightUnit = Literal["kg", "lb"]
DistanceUnit = Literal["km", "mi"]
Sex = Literal["female", "male", "unspecified"]
HeartRateOrigin = Literal["measured", "estimated", "default"]
UserHeartRateOrigin = Literal["measured", "estimated"]

DEFAULT_TIMEZONE = "UTC"
MAX_TIMEZONE_LENGTH = 64
MIN_SLEEP_NEED_HOURS, MAX_SLEEP_NEED_HOURS = 4.0, 14.0
MIN_BIRTH_YEAR, MAX_BIRTH_YEAR = 1900, 2100
MIN_RESTING_HR, MAX_RESTING_HR = 25, 120
MIN_MAX_HR, MAX_MAX_HR = 100, 240
HR_ZONE_COUNT = 5


class UserPreferences(SQLModel, table=True):
    """One row per user who changed a preference; ``None`` means "not set, use the default"."""

    __tablename__ = "user_preferences"

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    timezone: str = Field(default=DEFAULT_TIMEZONE, max_length=MAX_TIMEZONE_LENGTH)
    week_start: str = Field(default="monday", max_length=8)
    weight_unit: str = Field(default="kg", max_length=2)
    distance_unit: str = Field(default="km", max_length=2)
    sleep_need_seconds: int | None = None
    sex: str = Field(default="unspecified", max_length=12)
    birth_year: int | None = None
    resting_hr: int | None = None
    resting_hr_origin: str | None = Field(default=None, max_length=10)
    max_hr: int | None = None
    max_hr_origin: str | None = Field(default=None, max_length=10)
    hr_zones: list[int] | None = Field(default=None, sa_column=Column(JSON))
    updated_at: datetime = timestamp_field()


def is_known_timezone(name: str) -> bool:
    """True for an IANA zone name this machine's zone database knows (``Europe/Paris``)."""
    return name in zone_names()


@lru_cache(maxsize=1)
def zone_names() -> frozenset[str]:
    """Every IANA zone name known here (the ``tzdata`` package or the system's database)."""
    return frozenset(available_timezones())


class PreferencesPublic(BaseModel):
    """What ``GET /settings/preferences`` answers: every field, defaults filled in.

    ``resting_hr``/``max_hr`` are the values Cadence computes with, each with where it came
    from: ``measured`` or ``estimated`` when the user entered it, ``estimated`` when derived
    (max HR from the birth year), ``default`` otherwise.
    """

    timezone: str = PydanticField(description="IANA time zone; the user's calendar day.")
    week_start: WeekStart
    weight_unit: WeightUnit
    distance_unit: DistanceUnit
    sleep_need_hours: float = PydanticField(description="Nightly sleep need, hours.")
    sex: Sex
    birth_year: int | None
    resting_hr: int = PydanticField(description="Resting heart rate, bpm.")
    resting_hr_origin: HeartRateOrigin
    max_hr: int = PydanticField(description="Maximum heart rate, bpm.")
    max_hr_origin: HeartRateOrigin
    hr_zones: list[int] | None = PydanticField(
        description="Lower bounds (bpm) of zones 1-5, or null for the default split of max HR."
    )


class PreferencesUpdate(StrictBody):
    """``PUT /settings/preferences``: any subset of the fields; ``null`` resets one to its
    default. ``*_origin`` says whether an entered heart rate was measured (the default) or
    estimated by the user."""

    timezone: str | None = PydanticField(default=None, max_length=MAX_TIMEZONE_LENGTH)
    week_start: WeekStart | None = None
    weight_unit: WeightUnit | None = None
    distance_unit: DistanceUnit | None = None
    sleep_need_hours: float | None = PydanticField(
        default=None, ge=MIN_SLEEP_NEED_HOURS, le=MAX_SLEEP_NEED_HOURS
    )
    sex: Sex | None = None
    birth_year: int | None = PydanticField(default=None, ge=MIN_BIRTH_YEAR, le=MAX_BIRTH_YEAR)
    resting_hr: int | None = PydanticField(default=None, ge=MIN_RESTING_HR, le=MAX_RESTING_HR)
    resting_hr_origin: UserHeartRateOrigin | None = None
    max_hr: int | None = PydanticField(default=None, ge=MIN_MAX_HR, le=MAX_MAX_HR)
    max_hr_origin: UserHeartRateOrigin | None = None
    hr_zones: list[int] | None = PydanticField(default=None, max_length=HR_ZONE_COUNT)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None and not is_known_timezone(value):
            raise ValueError("unknown time zone: use an IANA name such as 'Europe/Berlin'")
        return value

    @field_validator("hr_zones")
    @classmethod
    def _rising_zones(cls, value: list[int] | None) -> list[int] | None:
        if value is None:
            return None
        if len(value) != HR_ZONE_COUNT:
            raise ValueError(f"give {HR_ZONE_COUNT} lower bounds in bpm, one per zone (1 to 5)")
        if any(not MIN_RESTING_HR <= bpm <= MAX_MAX_HR for bpm in value):
            raise ValueError(f"zone bounds must be {MIN_RESTING_HR}-{MAX_MAX_HR} bpm")
        if any(upper <= lower for lower, upper in pairwise(value)):
            raise ValueError("zone lower bounds must rise from zone 1 to zone 5")
        return value

    @model_validator(mode="after")
    def _origin_needs_value(self) -> PreferencesUpdate:
        for field in ("resting_hr", "max_hr"):
            if f"{field}_origin" in self.model_fields_set and field not in self.model_fields_set:
                raise ValueError(f"send {field} together with {field}_origin")
        return self
