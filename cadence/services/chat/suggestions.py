"""Suggested questions for an empty chat, chosen from the data the user has: a question about
sleep only when nights are stored, about lifts only when workouts are, and, with no data at all,
the questions that need none (logging a workout, what the coach can read)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists
from sqlmodel import Session, col, select

from cadence.models.health import Activity, DailyMetric
from cadence.models.workout import Workout

MAX_SUGGESTIONS = 4


@dataclass(frozen=True, slots=True)
class DataOnFile:
    """Which kinds of data the user has stored."""

    sleep: bool
    hrv: bool
    activities: bool
    workouts: bool


def data_on_file(*, session: Session, user_id: int) -> DataOnFile:
    def has(*conditions) -> bool:
        return bool(session.exec(select(exists().where(*conditions))).one())

    return DataOnFile(
        sleep=has(DailyMetric.user_id == user_id, col(DailyMetric.sleep_seconds).is_not(None)),
        hrv=has(DailyMetric.user_id == user_id, col(DailyMetric.hrv_rmssd_ms).is_not(None)),
        activities=has(Activity.user_id == user_id),
        workouts=has(Workout.user_id == user_id),
    )


def questions_for(data: DataOnFile) -> list[str]:
    """At most ``MAX_SUGGESTIONS`` questions the coach can answer from ``data``."""
    chosen: list[str] = []
    if data.sleep or data.hrv:
        chosen.append("Am I ready to train today?")
    if data.sleep:
        chosen.append("How did I sleep last night?")
    if data.hrv:
        chosen.append("What's my HRV trend?")
    if data.activities or data.workouts:
        chosen.append("How is my training load?")
        chosen.append("Give me a summary of this week")
    if data.workouts:
        chosen.append("What was my last workout?")
    if not chosen:
        chosen = [
            "Log bench press 3x8 at 80 kg",
            "What can you read about me?",
            "How should I start training for a 5 km run?",
        ]
    return chosen[:MAX_SUGGESTIONS]


def suggested_questions(*, session: Session, user_id: int) -> list[str]:
    return questions_for(data_on_file(session=session, user_id=user_id))
