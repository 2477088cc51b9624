"""SQLModel tables and API schemas, one module per concern.

Importing this package registers every table on ``SQLModel.metadata`` (alembic and tests
rely on it).
"""

from cadence.models.activity import ActivityLap, ActivityStream
from cadence.models.chat import AppLlmSetting, ChatMessage, Conversation, UserLlmSetting
from cadence.models.device import DeviceConnection, DeviceOAuthState
from cadence.models.gym import CustomExercise, ExerciseAlias, IdempotencyKey, Routine
from cadence.models.health import Activity, DailyMetric
from cadence.models.imports import ImportJob
from cadence.models.preferences import UserPreferences
from cadence.models.user import User
from cadence.models.workout import Workout, WorkoutExercise

__all__ = [
    "Activity",
    "ActivityLap",
    "ActivityStream",
    "AppLlmSetting",
    "ChatMessage",
    "Conversation",
    "CustomExercise",
    "DailyMetric",
    "DeviceConnection",
    "DeviceOAuthState",
    "ExerciseAlias",
    "IdempotencyKey",
    "ImportJob",
    "Routine",
    "User",
    "UserLlmSetting",
    "UserPreferences",
    "Workout",
    "WorkoutExercise",
]
