"""The coach's get_activity and get_metrics (shared with MCP), and the offline coach answering
"how did my long run on Sunday go?" and "how has my weight moved since June?" from data."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from sqlmodel import Session

from cadence.models.health import ActivityIn, DailyMetricIn
from cadence.models.preferences import PreferencesUpdate
from cadence.models.user import User
from cadence.services import activities, metrics, preferences
from cadence.services.chat import offline
from cadence.services.chat.events import TokenEvent, ToolStartEvent
from cadence.services.chat.tools import execute_tool
from cadence.services.chat.turn import ChatTurn
from cadence.services.importers.fit import FitImporter

FIT = Path(__file__).resolve().parent.parent / "fixtures" / "fit"
TODAY = dt.date(2026, 12, 2)  # a Wednesday
SUNDAY = dt.date(2026, 11, 29)


@pytest.fixture
def user_id(session: Session) -> int:
    user = User(email="coach-tools@example.com", display_name="C", password_hash="x")
    session.add(user)
    session.commit()
    preferences.update_preferences(
        session=session,
        user_id=user.id,
        changes=PreferencesUpdate(timezone="Europe/Berlin", distance_unit="km"),
    )
    session.commit()
    return user.id


def _run(start: dt.datetime, minutes: float, km: float, xid: str) -> ActivityIn:
    return ActivityIn(
        source="garmin",
        external_id=xid,
        sport="running",
        start_time=start,
        duration_s=minutes * 60,
        elapsed_s=minutes * 60 + 30,
        distance_m=km * 1000,
        avg_hr=148,
        max_hr=171,
        hr_histogram=[[140, minutes * 30], [156, minutes * 30]],
    )


def _tool(user_id: int, name: str, arguments: dict):
    return execute_tool(user_id=user_id, today=TODAY, name=name, arguments=arguments)


def test_get_activity_finds_the_longest_run_of_the_users_sunday(session, user_id) -> None:
    # 23:30 UTC on Saturday is 00:30 on Sunday in Berlin: it is Sunday's session
    late = dt.datetime(2026, 11, 28, 23, 30, tzinfo=dt.UTC)
    activities.upsert_activities(
        session=session,
        user_id=user_id,
        activities=[
            _run(late, 112, 21.1, "long"),
            _run(dt.datetime(2026, 11, 29, 16, 0, tzinfo=dt.UTC), 30, 5.0, "short"),
            _run(dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC), 50, 10.0, "saturday"),
        ],
    )
    session.commit()
    result = _tool(user_id, "get_activity", {"date": SUNDAY.isoformat(), "sport": "running"})
    assert result.ok and result.payload()["found"]
    assert result.payload()["distance_m"] == 21100 and result.payload()["local_start"].startswith(
        "2026-11-29T00:30:00+01:00"
    )
    summary = result.summary
    assert "Running on Sunday 2026-11-29 00:30 (Europe/Berlin)" in summary
    assert "Moving time 1:52:00" in summary and "Distance 21.10 km" in summary
    assert "Avg pace 5:18 /km" in summary  # 112 min / 21.1 km
    assert "Avg HR 148 bpm, Max HR 171 bpm" in summary and "Garmin Connect" in summary
    assert result.payload()["streams"] is None  # only when asked for
    with_streams = _tool(user_id, "get_activity", {"activity_id": result.payload()["id"]})
    assert with_streams.payload()["id"] == result.payload()["id"]


def test_get_activity_says_when_there_is_none(session, user_id) -> None:
    result = _tool(user_id, "get_activity", {"date": "2026-11-01", "sport": "swimming"})
    assert result.ok and result.payload() == {"found": False}
    assert result.summary.startswith("No swimming session on 2026-11-01 recorded.")
    missing = _tool(user_id, "get_activity", {"activity_id": 999_999})
    assert not missing.ok and "not found" in missing.summary


def test_get_activity_describes_laps_splits_and_zones_of_a_real_file(session, user_id) -> None:
    path = FIT / "activity-small-fenix2-run.fit"
    with path.open("rb") as stream:
        FitImporter().run(
            session=session, user_id=user_id, filename=path.name, stream=stream, dry_run=False
        )
    session.commit()
    result = _tool(user_id, "get_activity", {})
    summary = result.summary
    assert "4 laps: 1: 4:30" in summary
    assert "Splits per km: 1: 5:17" in summary and "9: 8:32" in summary
    assert "Heart-rate zones (default zones): " in summary
    assert len(result.payload()["splits"]) == 9 and len(result.payload()["laps"]) == 4


def test_get_metrics_over_any_range(session, user_id) -> None:
    days = [
        DailyMetricIn(
            date=dt.date(2026, 6, 1) + dt.timedelta(days=n),
            source="garmin",
            weight_kg=round(82.0 - n * 0.02, 2),
            steps=8000 + n,
        )
        for n in range(0, 180, 3)
    ]
    metrics.upsert_daily_metrics(session=session, user_id=user_id, days=days)
    session.commit()
    arguments = {"fields": ["weight_kg", "steps"], "start": "2026-06-01"}
    result = _tool(user_id, "get_metrics", arguments)
    assert result.ok
    weight = result.payload()["fields"]["weight_kg"]
    assert weight["days"] == 60 and weight["first"] == {"date": "2026-06-01", "value": 82.0}
    assert weight["last"] == {"date": "2026-11-25", "value": 78.46}
    assert weight["change"] == -3.54 and weight["min"] == 78.46 and weight["max"] == 82.0
    assert len(weight["values"]) == 60
    assert "weight kg: 60 days with a reading; 82 on 2026-06-01 → 78.46 on 2026-11-25" in (
        result.summary
    )
    empty = _tool(user_id, "get_metrics", {"fields": ["spo2_pct"], "start": "2026-06-01"})
    assert "spo2 pct: no readings in this range." in empty.summary
    too_long = _tool(user_id, "get_metrics", {"fields": ["steps"], "start": "2010-01-01"})
    assert not too_long.ok and "3660 days" in too_long.summary
    unknown = _tool(user_id, "get_metrics", {"fields": ["vo2max"], "start": "2026-06-01"})
    assert not unknown.ok


def _ask(user_id: int, message: str) -> tuple[list[str], str]:
    turn = ChatTurn(
        user_id=user_id,
        conversation_id=1,
        user_message_id=1,
        message=message,
        model_id="cadence/offline",
        today=TODAY,
    )

    async def collect():
        return [event async for event in offline.answer(turn)]

    events = asyncio.run(collect())
    tools = [e.name for e in events if isinstance(e, ToolStartEvent)]
    return tools, "".join(e.text for e in events if isinstance(e, TokenEvent))


def test_the_offline_coach_answers_both_questions_from_data(session, user_id) -> None:
    activities.upsert_activities(
        session=session,
        user_id=user_id,
        activities=[_run(dt.datetime(2026, 11, 29, 8, 0, tzinfo=dt.UTC), 112, 21.1, "sun")],
    )
    metrics.upsert_daily_metrics(
        session=session,
        user_id=user_id,
        days=[
            DailyMetricIn(date=dt.date(2026, 6, 3), source="garmin", weight_kg=81.4),
            DailyMetricIn(date=dt.date(2026, 11, 30), source="garmin", weight_kg=79.9),
            DailyMetricIn(date=dt.date(2026, 5, 30), source="garmin", weight_kg=90.0),
        ],
    )
    session.commit()
    tools, answer = _ask(user_id, "How did my long run on Sunday go?")
    assert tools == ["get_activity"]
    assert "Sunday 2026-11-29" in answer and "21.10 km" in answer and "5:18 /km" in answer
    tools, answer = _ask(user_id, "How has my weight moved since June?")
    assert tools == ["get_metrics"]
    assert "81.4 on 2026-06-03 → 79.9 on 2026-11-30 (change -1.5)" in answer
    assert "90" not in answer  # May is before June
