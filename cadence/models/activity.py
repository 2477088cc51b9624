"""What an activity's detail page needs: downsampled streams, laps, and the detail schema.

``ActivityStream`` holds one activity's samples reduced to at most ``MAX_STREAM_POINTS`` time
buckets (each value the mean of the bucket), as parallel arrays in one JSON document:
``t`` (seconds since the start) and one array per channel (``null`` where a bucket had no
sample of that channel; a channel the file never recorded is absent). ``ActivityLap`` rows are
the laps the device wrote (FIT ``lap`` messages, TCX ``<Lap>``). Both are written by the
importers while they stream a file, never from a whole file held in memory.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel
from pydantic import Field as PydanticField
from sqlalchemy import JSON, Column, DateTime, UniqueConstraint
from sqlmodel import Field, SQLModel

from cadence.models.common import UtcDatetime
from cadence.models.health import ActivityPublic

MAX_STREAM_POINTS = 500
"""Buckets kept per activity: enough for a chart across a desktop screen or a route drawing."""
MAX_LAPS = 500
"""Laps kept per activity (a pool swim has ~100; a file claiming thousands is cut here)."""
SPORT_FAMILY_WORDS: dict[str, tuple[str, ...]] = {
    "running": ("run",),
    "cycling": ("cycl", "bik", "ride"),
    "swimming": ("swim",),
    "walking": ("walk", "hik"),
    "strength": ("strength", "training", "fitness_equipment"),
    "multisport": ("multisport", "triathlon", "duathlon"),
}
"""The timeline's sport filter: a sport belongs to the first family one of whose words it
contains (``trail_running`` is running, ``indoor_cycling`` cycling); the rest is ``other``."""
SPORT_FAMILY_NAMES: tuple[str, ...] = (*SPORT_FAMILY_WORDS, "other")
SportFamily = Literal[SPORT_FAMILY_NAMES]  # type: ignore[valid-type]
STREAM_CHANNELS: tuple[str, ...] = (
    "distance_m",
    "heart_rate",
    "speed_mps",
    "altitude_m",
    "power_w",
    "cadence",
    "lat",
    "lon",
)


class StreamData(BaseModel):
    """Parallel arrays of equal length; ``t`` in seconds from the activity's start."""

    t: list[float] = PydanticField(description="Seconds since the start, one per bucket.")
    distance_m: list[float | None] | None = None
    heart_rate: list[float | None] | None = None
    speed_mps: list[float | None] | None = None
    altitude_m: list[float | None] | None = None
    power_w: list[float | None] | None = None
    cadence: list[float | None] | None = None
    lat: list[float | None] | None = None
    lon: list[float | None] | None = None


class ActivityStream(SQLModel, table=True):
    """One activity's downsampled samples (see the module docstring)."""

    __tablename__ = "activity_stream"

    activity_id: int = Field(foreign_key="activity.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    points: int
    resolution_s: float = Field(description="Width of one bucket in seconds.")
    data: dict = Field(sa_column=Column(JSON, nullable=False))


class LapValues(SQLModel):
    """A lap's figures, shared by what importers hand over, the table and the API."""

    duration_s: float = PydanticField(description="Timer time of the lap, seconds.")
    elapsed_s: float | None = None
    distance_m: float | None = None
    avg_hr: float | None = None
    max_hr: float | None = None
    avg_speed_mps: float | None = None
    avg_power_w: float | None = None
    avg_cadence: float | None = None
    calories: float | None = None
    elevation_gain_m: float | None = None


class LapIn(LapValues):
    """A lap as an importer hands it over (``start_time`` in UTC)."""

    start_time: datetime


class ActivityLap(LapValues, table=True):
    __tablename__ = "activity_lap"
    __table_args__ = (UniqueConstraint("activity_id", "position", name="uq_activity_lap_position"),)

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id", ondelete="CASCADE", index=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    position: int
    start_time: datetime = Field(sa_type=DateTime(timezone=True))


# --- the detail schema (GET /activities/{id}, the coach's get_activity) -------------------------


class LapPublic(LapValues):
    number: int = PydanticField(description="1 for the first lap.")
    start_time: UtcDatetime


class SplitPublic(BaseModel):
    """One auto-split: a whole km or mile (the last one may be shorter), from the stream."""

    number: int
    distance_m: float = PydanticField(description="Length of this split (the last may be short).")
    duration_s: float
    pace_s_per_unit: float | None = PydanticField(
        description="Seconds per km or mile (the user's unit) over this split."
    )
    avg_hr: float | None
    elevation_change_m: float | None


class ZoneTime(BaseModel):
    zone: int = PydanticField(description="1-5; 0 is below zone 1.")
    low_bpm: int | None
    high_bpm: int | None = PydanticField(description="Exclusive upper bound; null for zone 5.")
    seconds: float
    share: float = PydanticField(description="Fraction of the time with heart rate, 0-1.")


class HeartRateZones(BaseModel):
    origin: Literal["user", "default"] = PydanticField(
        description="'user': the zones set in preferences; 'default': 50/60/70/80/90 % of max HR."
    )
    max_hr: int
    zones: list[ZoneTime]


class LoadDetail(BaseModel):
    """How ``load`` was computed, in numbers and in words."""

    value: float | None
    method: Literal["trimp_histogram", "trimp_average", "none"]
    resting_hr: int
    resting_hr_origin: str
    max_hr: int
    max_hr_origin: str
    hr_coverage: float | None = PydanticField(
        default=None,
        description="Share (0-1) of the moving time with heart rate (samples less than 2 min "
        "apart); null without samples.",
    )
    explanation: str
    device_load: float | None
    device_load_label: str | None


class ActivityCopy(BaseModel):
    """Another stored recording of the same session (shown once, both sources named)."""

    id: int
    source: str


class ActivityDetail(ActivityPublic):
    """``GET /activities/{id}``: the session with its streams, laps, splits, zones and load."""

    timezone: str = PydanticField(description="The user's time zone, in which dates are shown.")
    local_start: str = PydanticField(description="Start on the user's wall clock, ISO 8601.")
    parent_id: int | None = PydanticField(description="The multisport session this is a leg of.")
    copies: list[ActivityCopy] = PydanticField(
        description="Other stored recordings of this session."
    )
    legs: list[ActivityPublic] = PydanticField(description="Legs of a multisport session.")
    streams: StreamData | None
    stream_resolution_s: float | None
    laps: list[LapPublic]
    split_unit: Literal["km", "mi"]
    splits: list[SplitPublic]
    hr_zones: HeartRateZones | None
    load_detail: LoadDetail
