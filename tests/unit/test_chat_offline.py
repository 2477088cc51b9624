"""The offline coach answers the common questions with the numbers the services compute on the
demo data (the expected values are read from the analytics/dashboard services, not typed in)."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from cadence.db import session_scope
from cadence.services import analytics, dashboard, demo, exercises, metrics, workouts
from cadence.services.chat import pending
from cadence.services.chat.events import ChartEvent, DoneEvent, ToolEndEvent, ToolStartEvent
from tests.fakes.chat_fixtures import run_turn, text_of

TODAY = date(2026, 11, 25)


@pytest.fixture
def demo_user(account) -> int:
    user_id = account.user["id"]
    with session_scope() as session:
        demo.generate_demo_data(session=session, user_id=user_id, end=TODAY)
    return user_id


def _ask(user_id: int, question: str):
    turn, events = run_turn(user_id, question, today=TODAY)
    assert turn.model_id == "cadence/offline"
    assert isinstance(events[-1], DoneEvent)
    tools = [e.name for e in events if isinstance(e, ToolStartEvent)]
    assert all(e.ok for e in events if isinstance(e, ToolEndEvent)), events
    charts = [e.chart for e in events if isinstance(e, ChartEvent)]
    return text_of(events), tools, charts


def test_sleep_last_night(demo_user) -> None:
    text, tools, charts = _ask(demo_user, "How did I sleep last night?")
    with session_scope() as session:
        days = metrics.get_daily_metrics(
            session=session, user_id=demo_user, start=TODAY - timedelta(days=13), end=TODAY
        )
    nights = [d for d in days if d.sleep_seconds is not None]
    last = nights[-1]
    week = [d.sleep_seconds / 3600 for d in nights if d.date > TODAY - timedelta(days=7)]
    assert tools == ["get_sleep_history", "render_chart"]
    hours = last.sleep_seconds / 3600
    assert f"Last night ({last.date.isoformat()}) you slept **{hours:.1f} h**" in text
    assert f"averaging **{sum(week) / len(week):.1f} h**" in text
    assert len(charts) == 1 and charts[0]["kind"] == "bar"
    assert [p["sleep_hours"] for p in charts[0]["data"]] == [
        round(d.sleep_seconds / 3600, 1) for d in nights
    ]


def test_sleep_this_week_leads_with_the_week(demo_user) -> None:
    text, _, charts = _ask(demo_user, "How was my sleep this week?")
    assert text.startswith("Over the last 7 days you recorded")
    assert charts


def test_readiness_today_and_why(demo_user) -> None:
    text, tools, _ = _ask(demo_user, "Am I ready to train today?")
    with session_scope() as session:
        day = dashboard.latest_metric_day(session=session, user_id=demo_user, on_or_before=TODAY)
        expected = dashboard.readiness_on(session=session, user_id=demo_user, day=day)
    assert tools == ["get_readiness"]
    assert f"**{expected.score}/100** ({expected.color})" in text
    assert expected.why in text
    for contributor in expected.contributors:
        assert contributor.detail in text


def test_hrv_trend(demo_user) -> None:
    text, tools, charts = _ask(demo_user, "What's my HRV trend?")
    with session_scope() as session:
        days = metrics.get_daily_metrics(
            session=session, user_id=demo_user, start=TODAY - timedelta(days=89), end=TODAY
        )
    hrv = {d.date: d.hrv_rmssd_ms for d in days if d.hrv_rmssd_ms is not None}
    baseline = analytics.hrv_baseline(hrv, on=max(hrv))
    assert tools == ["get_hrv_trend", "render_chart"]
    assert f"Your latest HRV is **{hrv[max(hrv)]:.1f} ms**" in text
    assert f"7-day mean {math.exp(baseline.short_mean):.1f} ms" in text
    assert f"baseline {math.exp(baseline.long_mean):.1f} ms" in text
    half = analytics.HRV_SWC_SD * baseline.long_sd
    low, high = math.exp(baseline.long_mean - half), math.exp(baseline.long_mean + half)
    week = round(math.exp(baseline.short_mean), 1)
    status = analytics.band_status(week, low=round(low, 1), high=round(high, 1))
    assert f"(normal range {low:.1f}-{high:.1f} ms): {status} the normal range" in text
    assert charts[0]["series"][0]["unit"] == "ms"


def test_training_load_and_acwr(demo_user) -> None:
    text, tools, charts = _ask(demo_user, "How is my training load and ACWR?")
    with session_scope() as session:
        load = dashboard.training_load(session=session, user_id=demo_user, today=TODAY, days=42)
    assert tools == ["get_training_load", "render_chart"]
    assert f"Fitness is **{load.fitness:.1f}**" in text
    assert f"fatigue **{load.fatigue:.1f}**" in text
    assert f"ACWR) is **{load.acwr:.2f}**" in text
    assert [p["fitness"] for p in charts[0]["data"]] == [p.fitness for p in load.series]


def test_last_workout(demo_user) -> None:
    text, tools, _ = _ask(demo_user, "What was my last workout?")
    with session_scope() as session:
        latest = workouts.latest_workout(session=session, user_id=demo_user)
    assert tools == ["list_workouts"]
    assert f"**{latest.workout_name}** on {latest.date.isoformat()}" in text
    for exercise in latest.exercises:
        assert f"{exercise.name}: {exercise.sets} x {exercise.reps}" in text


def test_best_lift_for_a_named_exercise(demo_user) -> None:
    text, tools, charts = _ask(demo_user, "What's my best bench press?")
    with session_scope() as session:
        history = exercises.exercise_history(session=session, user_id=demo_user, name="bench press")
    best = max((p for p in history.points if p.e1rm_kg), key=lambda p: p.e1rm_kg)
    heaviest = max(history.points, key=lambda p: p.top_weight_kg or 0)
    assert tools == ["get_exercise_progress", "render_chart"]
    assert f"**{best.e1rm_kg:.1f} kg** on {best.date.isoformat()}" in text
    assert f"**{heaviest.top_weight_kg:g} kg x {heaviest.top_reps}**" in text
    assert charts[0]["title"].startswith("Bench Press")
    assert len(charts[0]["data"]) == len(history.points)


def test_a_partial_exercise_name_finds_the_logged_one(demo_user) -> None:
    text, tools, _ = _ask(demo_user, "What's my best squat?")
    with session_scope() as session:
        history = exercises.exercise_history(session=session, user_id=demo_user, name="back squat")
    best = max((p for p in history.points if p.e1rm_kg), key=lambda p: p.e1rm_kg)
    assert tools == ["get_exercise_progress", "render_chart"]
    assert text.startswith("**Back Squat**")
    assert f"**{best.e1rm_kg:.1f} kg** on {best.date.isoformat()}" in text


def test_best_lift_for_an_exercise_never_logged(demo_user) -> None:
    _, events = run_turn(demo_user, "What is my best pistol squat?", today=TODAY)
    ends = [e for e in events if isinstance(e, ToolEndEvent)]
    assert ends and ends[0].ok is False
    assert "No exercise named 'pistol squat'" in text_of(events)
    assert isinstance(events[-1], DoneEvent)


def test_weekly_summary(demo_user) -> None:
    text, tools, _ = _ask(demo_user, "Give me a summary of this week")
    monday = TODAY - timedelta(days=TODAY.weekday())
    with session_scope() as session:
        history = dashboard.load_history(
            session=session,
            user_id=demo_user,
            end=TODAY,
            metrics_from=monday - timedelta(days=7),
            load_from=monday - timedelta(days=7),
            today=TODAY,
        )
    stats = dashboard.weekly_stats(history)
    assert tools == ["get_weekly_summary"]
    assert f"| Sessions | {stats.this_week.sessions} | {stats.last_week.sessions} |" in text
    assert f"| Load | {stats.this_week.load:.0f} AU | {stats.last_week.load:.0f} AU |" in text


def _workouts_named(user_id: int, name: str) -> list:
    with session_scope() as session:
        latest = workouts.list_workouts(session=session, user_id=user_id, per_page=20).workouts
    return [w for w in latest if w.date == TODAY and w.workout_name == name]


def test_logging_a_workout_is_proposed_then_confirmed_once(demo_user) -> None:
    turn, events = run_turn(demo_user, "Log bench press 3x8 at 80 kg", today=TODAY)
    (end,) = [e for e in events if isinstance(e, ToolEndEvent)]
    assert end.name == "log_workout" and end.pending is not None
    line = f"{TODAY.isoformat()} Bench Press: Bench Press 3x8 @ 80 kg"
    assert end.pending.summary == f"Log {line}" and end.pending.status == "pending"
    assert "Press **Confirm** to save it" in text_of(events)
    assert _workouts_named(demo_user, "Bench Press") == []  # nothing written before the yes

    _, again = run_turn(
        demo_user, "Log bench press 3x8 at 80 kg", conversation_id=turn.conversation_id, today=TODAY
    )
    (repeat,) = [e for e in again if isinstance(e, ToolEndEvent)]
    assert repeat.pending.id == end.pending.id  # a repeated message proposes it once

    with session_scope() as session:
        done = pending.confirm(
            session=session,
            user_id=demo_user,
            conversation_id=turn.conversation_id,
            action_id=end.pending.id,
        )
    (logged,) = _workouts_named(demo_user, "Bench Press")
    assert [(e.name, e.sets, e.reps, e.weight_kg) for e in logged.exercises] == [
        ("Bench Press", 3, "8", 80.0)
    ]
    assert done.status == "confirmed" and done.href == f"/workouts/view?id={logged.id}"

    text, tools, _ = _ask(demo_user, "Log bench press 3x8 at 80 kg")  # asked a third time
    assert tools == ["log_workout"]
    assert f"Already logged: {line} ([workout #{logged.id}]" in text  # no new proposal
    assert len(_workouts_named(demo_user, "Bench Press")) == 1


def test_daily_brief(demo_user) -> None:
    text, tools, _ = _ask(demo_user, "Give me my brief for today")
    assert tools == ["get_daily_brief"]
    assert "Readiness" in text and "Fitness" in text


def test_unknown_questions_get_an_honest_fallback(demo_user) -> None:
    text, tools, charts = _ask(demo_user, "What should I eat before a race?")
    assert tools == [] and charts == []
    assert "offline coach" in text and "Settings → LLM key" in text


def test_a_new_user_without_data_is_told_what_is_missing(account) -> None:
    for question, missing in [
        ("What's my HRV trend?", "No HRV readings"),
        ("Am I ready to train today?", "No recovery data yet"),
        ("What was my last workout?", "No workouts logged yet"),
        ("How is my training load?", "No training recorded yet"),
    ]:
        text = text_of(run_turn(account.user["id"], question, today=TODAY)[1])
        assert missing in text, (question, text)
