"""``pending.run_in_chat``: only the listed writes are proposed; a call that could not run is an
error result and proposes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from cadence.db import session_scope
from cadence.models.chat import ChatAction
from cadence.services.chat import conversations, pending

TODAY = date(2026, 11, 25)


@pytest.fixture
def conversation(account) -> tuple[int, int]:
    with session_scope() as session:
        stored = conversations.add_user_message(
            session=session, user_id=account.user["id"], conversation_id=None, content="hi"
        )
        return account.user["id"], stored.conversation_id


def _run(conversation: tuple[int, int], name: str, arguments: dict):
    user_id, conversation_id = conversation
    return pending.run_in_chat(
        user_id=user_id,
        conversation_id=conversation_id,
        today=TODAY,
        name=name,
        arguments=arguments,
    )


def _stored_actions() -> int:
    with session_scope() as session:
        return len(session.exec(select(ChatAction)).all())


def test_calls_that_cannot_run_propose_nothing(conversation) -> None:
    row = {"name": "Squat", "sets": 5, "reps": "5", "weight_kg": 100}
    later = (TODAY + timedelta(days=30)).isoformat()
    future = _run(conversation, "log_workout", {"exercises": [row], "date": later})
    assert not future.ok and future.summary.startswith("Error: date must not be after")
    invalid = _run(conversation, "log_workout", {"exercises": [{**row, "sets": 0}]})
    assert not invalid.ok and invalid.summary.startswith("Error: Invalid arguments for log_workout")
    missing = _run(conversation, "delete_workout", {"workout_id": 999_999})
    assert not missing.ok and "not found" in missing.summary.lower()
    assert _stored_actions() == 0


def test_only_the_listed_writes_are_proposed(conversation) -> None:
    read = _run(conversation, "list_workouts", {"limit": 3})
    assert read.ok and not isinstance(read, pending.Proposal)
    row = {"name": "Squat", "sets": 5, "reps": "5", "weight_kg": 100}
    proposed = _run(conversation, "log_workout", {"exercises": [row]})
    assert isinstance(proposed, pending.Proposal) and proposed.action.status == "pending"
    assert proposed.summary.startswith("Not done yet")
    assert set(pending.CONFIRMED_IN_CHAT) == {"log_workout", "update_workout", "delete_workout"}
    assert _stored_actions() == 1
