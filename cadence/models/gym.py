"""Gym mode: the exercise catalogue, the user's own exercises and name mappings, routines and
idempotency keys for workout writes.

A logged exercise's identity is the name key (``exercise_name_key``) of its canonical exercise: a
catalogue entry, one of the user's custom exercises, or the name itself until the user maps it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, BaseModel
from pydantic import Field as PydanticField
from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from cadence import routes
from cadence.models.chat import DB_INT_MAX
from cadence.models.common import UtcDatetime, timestamp_field
from cadence.models.user import StrictBody
from cadence.models.workout import (
    MAX_EXERCISE_NAME_LENGTH,
    MAX_EXERCISES,
    MAX_NOTES_LENGTH,
    MAX_WORKOUT_NAME_LENGTH,
    ExerciseEntry,
    ExercisePublic,
)

LOGGER_ROUTE = routes.WORKOUT_LOG
"""The live workout logger's page (served by the API app, not by Reflex: a full page load)."""
MAX_IDEMPOTENCY_KEY_LENGTH = 255
MAX_MUSCLES = 10


def _stripped_not_blank(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


NotBlank = AfterValidator(_stripped_not_blank)


class CustomExercise(SQLModel, table=True):
    """An exercise the user added to their own catalogue."""

    __tablename__ = "custom_exercise"
    __table_args__ = (UniqueConstraint("user_id", "name_key", name="uq_custom_exercise_name"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    name: str = Field(max_length=MAX_EXERCISE_NAME_LENGTH)
    name_key: str = Field(max_length=MAX_EXERCISE_NAME_LENGTH)
    equipment: str | None = Field(default=None, max_length=40)
    primary_muscles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    secondary_muscles: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    created_at: dt.datetime = timestamp_field()


class ExerciseAlias(SQLModel, table=True):
    """A name the user confirmed as another exercise (``"Bench Press (Barbell)"`` is the
    catalogue's ``"Barbell Bench Press - Medium Grip"``)."""

    __tablename__ = "exercise_alias"
    __table_args__ = (UniqueConstraint("user_id", "name_key", name="uq_exercise_alias_name"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    name_key: str = Field(max_length=MAX_EXERCISE_NAME_LENGTH)
    exercise_key: str = Field(max_length=MAX_EXERCISE_NAME_LENGTH)
    exercise_name: str = Field(max_length=MAX_EXERCISE_NAME_LENGTH)


class IdempotencyKey(SQLModel, table=True):
    """The workout a user's ``Idempotency-Key`` created, and a digest of the body it came with."""

    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_idempotency_key_user_key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    key: str = Field(max_length=MAX_IDEMPOTENCY_KEY_LENGTH)
    body_sha256: str = Field(max_length=64)
    workout_id: int = Field(foreign_key="workout.id", ondelete="CASCADE")
    created_at: dt.datetime = timestamp_field()


class Routine(SQLModel, table=True):
    """A workout template: rows as in a workout, kept as sent (``ExerciseEntry`` JSON)."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=MAX_WORKOUT_NAME_LENGTH)
    notes: str = Field(default="", sa_type=Text)
    exercises: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: dt.datetime = timestamp_field()
    updated_at: dt.datetime = timestamp_field()


# --- catalogue ----------------------------------------------------------------------------------


class CatalogExercise(BaseModel):
    """A catalogue entry: built-in (free-exercise-db id) or the user's own (``custom-<n>``)."""

    id: str
    name: str
    category: str
    equipment: str | None
    primary_muscles: list[str]
    secondary_muscles: list[str]
    instructions: list[str]
    custom: bool = PydanticField(default=False, description="One of your own exercises.")


class CatalogPage(BaseModel):
    exercises: list[CatalogExercise]
    total: int


class CustomExerciseCreate(StrictBody):
    name: Annotated[str, NotBlank] = PydanticField(
        min_length=1, max_length=MAX_EXERCISE_NAME_LENGTH
    )
    equipment: str | None = PydanticField(default=None, max_length=40)
    primary_muscles: list[str] = PydanticField(default_factory=list, max_length=MAX_MUSCLES)
    secondary_muscles: list[str] = PydanticField(default_factory=list, max_length=MAX_MUSCLES)


class MappingSuggestion(BaseModel):
    """A logged name that is not yet a catalogue or custom exercise, with likely matches."""

    name: str
    suggestions: list[CatalogExercise]


class MappingSuggestions(BaseModel):
    names: list[MappingSuggestion]


class MappingConfirm(StrictBody):
    """Confirm that ``name`` (as logged or imported) is the exercise ``exercise_id``."""

    name: str = PydanticField(min_length=1, max_length=MAX_EXERCISE_NAME_LENGTH)
    exercise_id: str = PydanticField(min_length=1, max_length=MAX_EXERCISE_NAME_LENGTH + 10)


class MappingPublic(BaseModel):
    name: str
    exercise_id: str
    exercise_name: str
    rows_updated: int = PydanticField(description="Logged rows now counted as this exercise.")


class PreviousSet(BaseModel):
    set_type: str
    weight_kg: float
    reps: int
    rpe: float | None


class PreviousExercise(BaseModel):
    """The sets of the last workout that had this exercise, and the user's bests so far."""

    key: str = PydanticField(description="The exercise's identity (its canonical name key).")
    name: str
    date: dt.date
    sets: list[PreviousSet]
    best_e1rm_kg: float | None
    best_weight_kg: float | None


class PreviousValues(BaseModel):
    exercises: list[PreviousExercise]
    aliases: dict[str, str] = PydanticField(
        default_factory=dict, description="Confirmed mappings: a name's key -> identity key."
    )


# --- routines -----------------------------------------------------------------------------------


class RoutineCreate(StrictBody):
    name: Annotated[str, NotBlank] = PydanticField(min_length=1, max_length=MAX_WORKOUT_NAME_LENGTH)
    notes: str = PydanticField(default="", max_length=MAX_NOTES_LENGTH)
    exercises: list[ExerciseEntry] = PydanticField(min_length=1, max_length=MAX_EXERCISES)


class RoutinePublic(BaseModel):
    id: int
    name: str
    notes: str
    exercises: list[ExercisePublic]
    created_at: UtcDatetime
    updated_at: UtcDatetime


class RoutineList(BaseModel):
    routines: list[RoutinePublic]


class RoutineFromWorkout(StrictBody):
    workout_id: int = PydanticField(ge=1, le=DB_INT_MAX)
    name: str | None = PydanticField(default=None, min_length=1, max_length=MAX_WORKOUT_NAME_LENGTH)


class WorkoutDraft(BaseModel):
    """A workout started from a routine, not yet stored: one row per set, last values filled."""

    routine_id: int
    workout_name: str
    exercises: list[ExercisePublic]


class WorkoutPr(BaseModel):
    """An exercise of a workout that set a PR there (against every earlier session)."""

    name: str
    e1rm: bool
    weight: bool
