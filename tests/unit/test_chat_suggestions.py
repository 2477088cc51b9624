"""Suggested questions on an empty chat follow the data the user has stored."""

from __future__ import annotations

import datetime as dt

from cadence.models.health import DailyMetric
from cadence.services.chat.suggestions import (
    MAX_SUGGESTIONS,
    DataOnFile,
    data_on_file,
    questions_for,
    suggested_questions,
)

NOTHING = DataOnFile(sleep=False, hrv=False, activities=False, workouts=False)


def test_no_data_suggests_questions_that_need_none() -> None:
    chosen = questions_for(NOTHING)
    assert "Log bench press 3x8 at 80 kg" in chosen
    assert not any("sleep" in q.lower() or "hrv" in q.lower() for q in chosen)


def test_each_kind_of_data_brings_its_questions() -> None:
    sleep_only = questions_for(DataOnFile(sleep=True, hrv=False, activities=False, workouts=False))
    assert "How did I sleep last night?" in sleep_only
    assert "What was my last workout?" not in sleep_only
    lifts = questions_for(DataOnFile(sleep=False, hrv=False, activities=False, workouts=True))
    assert "What was my last workout?" in lifts and "How did I sleep last night?" not in lifts
    everything = questions_for(DataOnFile(sleep=True, hrv=True, activities=True, workouts=True))
    assert len(everything) == MAX_SUGGESTIONS


def test_read_from_the_users_own_rows(session, make_account) -> None:
    mine = make_account(email="mine@example.com").user["id"]
    other = make_account(email="other@example.com").user["id"]
    session.add(
        DailyMetric(user_id=other, date=dt.date(2026, 11, 1), source="demo", sleep_seconds=25_000)
    )
    session.flush()
    assert data_on_file(session=session, user_id=mine) == NOTHING
    assert data_on_file(session=session, user_id=other).sleep is True
    assert "How did I sleep last night?" in suggested_questions(session=session, user_id=other)
