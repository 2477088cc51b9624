"""Strength workouts: the workout and exercise-row tables, the reps grammar and the API schemas.

The REST shape is DESIGN §3. Two optional fields are additions, documented in OpenAPI:
``duration_minutes`` on a workout (for session-RPE load) and ``warmup`` on an exercise row (warm-up
rows never count toward bests or PRs). Exercise rows also store figures computed on write
(total reps, volume, e1RM) so the exercise library is a single SQL aggregation.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, field_validator, model_validator
from pydantic import Field as PydanticField
from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from cadence.models.common import UtcDatetime, timestamp_field, utcnow
from cadence.models.user import StrictBody

MAX_WORKOUT_NAME_LENGTH = 200
MAX_EXERCISE_NAME_LENGTH = 100
MAX_NOTES_LENGTH = 5_000
MAX_REPS_TEXT_LENGTH = 600
MAX_EXERCISES = 50
MAX_SETS = 100
MAX_WEIGHT_KG = 1000
MAX_DURATION_MINUTES = 24 * 60
MAX_REPS_VALUE = 999
MAX_SOURCE_LENGTH = 20
EARLIEST_DATE = dt.date(1900, 1, 1)
MAX_SUPERSET = 50

SetType = Literal["normal", "warmup", "drop", "failure"]
SET_TYPES: tuple[SetType, ...] = ("normal", "warmup", "drop", "failure")

_REPS_VALUE = re.compile(r"^(\d{1,3})(?:-(\d{1,3}))?$")
_REPS_ITEM = r"\s*\d{1,3}\s*(?:[-\u2013\u2014]\s*\d{1,3}\s*)?"
REPS_PATTERN = rf"^{_REPS_ITEM}(?:,{_REPS_ITEM})*$"
"""The reps grammar as a regular expression, published in OpenAPI (values must also be 1-999,
ranges must go up, and a list must have ``sets`` values)."""


class Workout(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("user_id", "external_id", name="uq_workout_user_external_id"),
        Index("ix_workout_user_date", "user_id", "date", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    date: dt.date
    workout_name: str = Field(max_length=MAX_WORKOUT_NAME_LENGTH)
    notes: str = Field(default="", sa_type=Text)
    duration_minutes: int | None = None
    source: str = Field(default="manual", max_length=MAX_SOURCE_LENGTH)
    external_id: str | None = Field(default=None, max_length=100)
    created_at: dt.datetime = timestamp_field()
    updated_at: dt.datetime = timestamp_field()


class WorkoutExercise(SQLModel, table=True):
    """One exercise row of a workout; ``user_id``, ``date`` and ``name_key`` are copied from the
    workout/name so per-user aggregations need no join."""

    __tablename__ = "workout_exercise"
    __table_args__ = (
        # covers the library aggregation, so it reads the index only, never the table
        Index(
            "ix_workout_exercise_library",
            "user_id",
            "name_key",
            "date",
            "workout_id",
            "warmup",
            "weight_kg",
            "e1rm_kg",
            "volume_kg",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    workout_id: int = Field(foreign_key="workout.id", ondelete="CASCADE", index=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    position: int
    date: dt.date
    name: str = Field(max_length=MAX_EXERCISE_NAME_LENGTH)
    name_key: str = Field(max_length=MAX_EXERCISE_NAME_LENGTH)
    sets: int
    reps: str = Field(max_length=MAX_REPS_TEXT_LENGTH)
    weight_kg: float
    rpe: float | None = None
    warmup: bool = False
    set_type: str = Field(default="normal", max_length=10)
    superset: int | None = None
    total_reps: int
    top_reps: int
    volume_kg: float
    e1rm_kg: float | None = None


# --- reps grammar (documented in cadence.services.strength) -------------------------------------


def normalize_reps(reps: str) -> str:
    """``reps`` without spaces, with en/em dashes as hyphens (the stored form)."""
    return re.sub(r"\s+", "", reps).replace("\u2013", "-").replace("\u2014", "-")


def _parse_reps_value(text: str) -> int:
    match = _REPS_VALUE.match(text)
    if not match:
        raise ValueError(
            f"reps '{text}' is not a number, a range like '8-10' or a list like '5,5,3'"
        )
    low = int(match.group(1))
    high = int(match.group(2)) if match.group(2) else low
    if low < 1 or high > MAX_REPS_VALUE:
        raise ValueError(f"reps must be between 1 and {MAX_REPS_VALUE}")
    if high < low:
        raise ValueError(f"reps range '{text}' goes down; write it low-high")
    return low


def parse_reps_values(reps: str) -> list[int]:
    """The values ``reps`` lists, ranges counted by their lower bound; ``ValueError`` if invalid."""
    text = normalize_reps(reps)
    if not text:
        raise ValueError("reps must not be empty")
    return [_parse_reps_value(part) for part in text.split(",")]


def reps_per_set(reps: str, sets: int) -> list[int]:
    """The reps of each of ``sets`` sets: one value repeats, a list must have ``sets`` values."""
    values = parse_reps_values(reps)
    if len(values) == 1:
        return values * sets
    if len(values) != sets:
        raise ValueError(f"reps lists {len(values)} values but sets is {sets}")
    return values


def exercise_name_key(name: str) -> str:
    """Library key: case- and space-insensitive (``"Bench  Press"`` = ``"bench press"``)."""
    return "".join(name.split()).casefold()


# --- request schemas ----------------------------------------------------------------------------


class ExerciseEntry(StrictBody):
    """One exercise row: ``sets`` sets of ``reps`` at ``weight_kg`` (0 = bodyweight)."""

    name: str = PydanticField(min_length=1, max_length=MAX_EXERCISE_NAME_LENGTH)
    sets: int = PydanticField(ge=1, le=MAX_SETS)
    reps: str = PydanticField(
        min_length=1,
        max_length=MAX_REPS_TEXT_LENGTH,
        description="'8', a range '8-10' (counted as 8) or one value per set '5,5,3'.",
        json_schema_extra={"pattern": REPS_PATTERN},
    )
    weight_kg: float = PydanticField(ge=0, le=MAX_WEIGHT_KG, allow_inf_nan=False)
    rpe: float | None = PydanticField(default=None, ge=1, le=10, allow_inf_nan=False)
    warmup: bool = PydanticField(
        default=False,
        description="Cadence extension: warm-up rows count toward volume but never toward "
        "best weight, e1RM or PRs.",
    )
    set_type: SetType | None = PydanticField(
        default=None,
        description="Cadence extension: normal, warmup, drop or failure (default: warmup when "
        "`warmup` is true, else normal). A set-by-set log sends one row per set, in order.",
    )
    superset: int | None = PydanticField(
        default=None,
        ge=1,
        le=MAX_SUPERSET,
        description="Cadence extension: rows with the same number are one superset.",
    )

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("name must not be blank")
        return value

    @field_validator("reps")
    @classmethod
    def _reps_grammar(cls, value: str) -> str:
        parse_reps_values(value)
        return normalize_reps(value)

    @model_validator(mode="after")
    def _reps_match_sets(self) -> ExerciseEntry:
        reps_per_set(self.reps, self.sets)
        return self

    @model_validator(mode="after")
    def _set_type_agrees(self) -> ExerciseEntry:
        if self.set_type is None:
            self.set_type = "warmup" if self.warmup else "normal"
        elif self.warmup and self.set_type != "warmup":
            raise ValueError(f"a warm-up row cannot have set_type '{self.set_type}'")
        self.warmup = self.set_type == "warmup"
        return self


class WorkoutCreate(StrictBody):
    """A workout as logged; exercise order is kept."""

    date: dt.date = PydanticField(description="YYYY-MM-DD, at most one day in the future.")
    workout_name: str = PydanticField(min_length=1, max_length=MAX_WORKOUT_NAME_LENGTH)
    notes: str = PydanticField(default="", max_length=MAX_NOTES_LENGTH)
    exercises: list[ExerciseEntry] = PydanticField(min_length=1, max_length=MAX_EXERCISES)
    duration_minutes: int | None = PydanticField(
        default=None,
        ge=1,
        le=MAX_DURATION_MINUTES,
        description="Cadence extension: session length, used for session-RPE training load "
        "(estimated from the set count when missing).",
    )

    @field_validator("workout_name")
    @classmethod
    def _workout_name_not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("workout_name must not be blank")
        return value

    @field_validator("date")
    @classmethod
    def _date_in_range(cls, value: dt.date) -> dt.date:
        latest = utcnow().date() + dt.timedelta(days=1)
        if value > latest:
            raise ValueError(f"date must not be after {latest.isoformat()} (one day from today)")
        if value < EARLIEST_DATE:
            raise ValueError(f"date must not be before {EARLIEST_DATE.isoformat()}")
        return value


class WorkoutUpdate(WorkoutCreate):
    """PUT body: replaces the whole workout as sent (same fields and rules as create)."""


# --- response schemas ---------------------------------------------------------------------------


class ExercisePublic(BaseModel):
    name: str
    sets: int
    reps: str
    weight_kg: float
    rpe: float | None = None
    warmup: bool = PydanticField(
        default=False,
        description="Cadence extension: a warm-up row (volume only; no bests, e1RM or PRs).",
    )
    set_type: SetType = "normal"
    superset: int | None = None


class WorkoutPublic(BaseModel):
    id: int
    date: dt.date
    workout_name: str
    notes: str
    exercises: list[ExercisePublic]
    duration_minutes: int | None = PydanticField(
        default=None, description="Cadence extension: session length in minutes, if recorded."
    )
    created_at: UtcDatetime
    updated_at: UtcDatetime


class WorkoutPage(BaseModel):
    workouts: list[WorkoutPublic]
    page: int
    per_page: int
    total: int


class WorkoutSummary(BaseModel):
    """A workout's totals, for the dashboard and training-load analytics."""

    id: int
    date: dt.date
    workout_name: str
    exercise_count: int
    total_sets: int
    volume_kg: float
    minutes: int = PydanticField(description="duration_minutes, or the estimate from sets.")
    session_rpe: float
    load: float = PydanticField(description="session RPE * minutes (DESIGN §6).")


class LibraryExercise(BaseModel):
    name: str = PydanticField(description="The most recent spelling.")
    times_logged: int = PydanticField(description="Number of workouts containing the exercise.")
    last_performed: dt.date
    best_weight_kg: float | None
    best_e1rm_kg: float | None
    total_volume_kg: float


class ExerciseLibrary(BaseModel):
    exercises: list[LibraryExercise]


class HistoryPoint(BaseModel):
    """One workout's figures for one exercise (warm-up rows excluded from top set and e1RM)."""

    date: dt.date
    workout_id: int
    top_weight_kg: float | None
    top_reps: int | None
    e1rm_kg: float | None
    volume_kg: float
    e1rm_pr: bool
    weight_pr: bool


class ExerciseHistory(BaseModel):
    name: str
    points: list[HistoryPoint]
