"""The coach's evaluation suite (``python -m cadence eval``): questions over generated users whose
truth is known, answered by the offline coach or any OpenAI-compatible model, and scored.

Each question names the tools a right answer calls, the facts it must state (fields of those
tools' results, read from the tools themselves, so the truth is Cadence's own computation), what
it must admit when a fact is missing, and what it must not say. Each answer is scored on tool
selection, faithfulness (numbers traced by the checker in ``verify``), invented numbers (stated
but found nowhere), facts missed, latency to the first token, tokens and cost.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from cadence.db import session_scope
from cadence.models.chat import OFFLINE_MODEL_ID, Verification
from cadence.models.health import ActivityIn, DailyMetricIn
from cadence.models.workout import ExerciseEntry, WorkoutCreate
from cadence.services import activities, auth, demo, metrics, workouts
from cadence.services.chat import agent, offline, verify
from cadence.services.chat.events import TokenEvent, ToolStartEvent, UsageEvent, VerifyEvent
from cadence.services.chat.tools import execute_tool

EVAL_TODAY = dt.date(2026, 11, 30)
"""The eval's fixed "today" (a Monday), so every run sees the same data."""
EVAL_PASSWORD = "eval-password-1"


# --- users whose truth is known -------------------------------------------------------------------


def _demo(session: Session, user_id: int) -> None:
    demo.generate_demo_data(session=session, user_id=user_id, end=EVAL_TODAY)


def _three_days(session: Session, user_id: int) -> None:
    demo.generate_demo_data(session=session, user_id=user_id, end=EVAL_TODAY, days=3)


def _stopped(session: Session, user_id: int) -> None:
    demo.generate_demo_data(session=session, user_id=user_id, end=EVAL_TODAY - timedelta(days=7))


def _strength_only(session: Session, user_id: int) -> None:
    for week in range(6):
        day = EVAL_TODAY - timedelta(days=40 - 7 * week)
        lifts = [
            ExerciseEntry(name="Bench Press", sets=3, reps="5", weight_kg=70 + 2.5 * week),
            ExerciseEntry(name="Back Squat", sets=3, reps="5", weight_kg=90 + 5 * week),
        ]
        workouts.create_workout(
            session=session,
            user_id=user_id,
            data=WorkoutCreate(date=day, workout_name="Strength A", notes="", exercises=lifts),
        )


def _apple_sdnn(session: Session, user_id: int) -> None:
    days = [
        DailyMetricIn(
            date=EVAL_TODAY - timedelta(days=n),
            source="apple_health",
            hrv_sdnn_ms=48.0 + (n % 5),
            resting_hr=56.0 + (n % 3),
            sleep_seconds=25_200.0 + 600 * (n % 4),
            steps=8_000 + 250 * n,
        )
        for n in range(30)
    ]
    metrics.upsert_daily_metrics(session=session, user_id=user_id, days=days)


def _two_sources(session: Session, user_id: int) -> None:
    runs = []
    for n in range(6):
        start = datetime.combine(EVAL_TODAY - timedelta(days=2 * n), dt.time(7, 0), tzinfo=UTC)
        for source, shift in (("garmin", 0), ("strava", 60)):
            runs.append(
                ActivityIn(
                    source=source,
                    external_id=f"{source}-run-{n}",
                    sport="running",
                    start_time=start + timedelta(seconds=shift),
                    duration_s=2_700.0 + 60 * n,
                    distance_m=8_000.0 + 200 * n,
                    avg_hr=148.0,
                    max_hr=170.0,
                )
            )
    activities.upsert_activities(session=session, user_id=user_id, activities=runs)


USERS: dict[str, Callable[[Session, int], None]] = {
    "demo": _demo,
    "three_days": _three_days,
    "stopped_week_ago": _stopped,
    "strength_only": _strength_only,
    "apple_sdnn": _apple_sdnn,
    "two_sources": _two_sources,
}


# --- questions -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Template:
    """A question asked of every user: the tools (with the arguments the truth is read with),
    the facts (``tool``, dotted field) a right answer states when the data has them, the words
    one of which it must use when a fact is missing, and patterns it must not match."""

    key: str
    question: str
    tools: tuple[tuple[str, dict[str, Any]], ...]
    facts: tuple[tuple[str, str], ...] = ()
    admit: tuple[str, ...] = ("no ", "not ", "needs")
    must_not: tuple[str, ...] = ()


TEMPLATES = (
    Template(
        "sleep_last",
        "How did I sleep last night?",
        (("get_sleep_history", {"days": 7}),),
        (
            ("get_sleep_history", "last_night.hours"),
            ("get_sleep_history", "last_night.date"),
            ("get_sleep_history", "debt_hours"),
        ),
    ),
    Template(
        "sleep_week",
        "How was my sleep this week?",
        (("get_sleep_history", {"days": 7}),),
        (
            ("get_sleep_history", "avg_hours"),
            ("get_sleep_history", "min_hours"),
            ("get_sleep_history", "max_hours"),
            ("get_sleep_history", "nights"),
        ),
    ),
    Template(
        "hrv",
        "What's my HRV trend?",
        (("get_hrv_trend", {"days": 14}),),
        (
            ("get_hrv_trend", "latest.ms"),
            ("get_hrv_trend", "now.hrv_7d_ms"),
            ("get_hrv_trend", "now.baseline_ms"),
        ),
    ),
    Template(
        "readiness",
        "Am I ready to train today?",
        (("get_readiness", {}),),
        (("get_readiness", "score"),),
    ),
    Template(
        "load",
        "How is my training load?",
        (("get_training_load", {"days": 42}),),
        (
            ("get_training_load", "fitness"),
            ("get_training_load", "fatigue"),
            ("get_training_load", "form"),
        ),
    ),
    Template(
        "week",
        "Give me a summary of this week",
        (("get_weekly_summary", {}),),
        (
            ("get_weekly_summary", "this_week.sessions"),
            ("get_weekly_summary", "this_week.minutes"),
            ("get_weekly_summary", "last_week.sessions"),
            ("get_weekly_summary", "last_week.minutes"),
        ),
        admit=("| 0 |", "\u2014"),
    ),
    Template(
        "last_workout",
        "What was my last workout?",
        (("list_workouts", {"limit": 3}),),
        (("list_workouts", "latest.date"), ("list_workouts", "total")),
    ),
    Template(
        "best_bench",
        "What's my best bench press?",
        (("get_exercise_progress", {"exercise": "Bench Press"}),),
        (
            ("get_exercise_progress", "best_weight.kg"),
            ("get_exercise_progress", "best_e1rm.kg"),
        ),
        admit=("no ", "not ", "could not", "ask about"),
    ),
    Template(
        "run_sunday",
        "How did my run on Sunday go?",
        (("get_activity", {"sport": "running", "date": "2026-11-29"}),),
        (("get_activity", "distance_m"), ("get_activity", "duration_s")),
    ),
    Template(
        "open",
        "Should I sign up for a marathon next spring?",
        (),
        admit=("offline coach", "marathon"),
    ),
)


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    user: str
    template: Template


def questions() -> list[Question]:
    """The bank: every template for every user (60 questions)."""
    return [Question(f"{t.key}@{user}", user, t) for user in USERS for t in TEMPLATES]


# --- results -------------------------------------------------------------------------------------


class QuestionResult(BaseModel):
    id: str
    question: str
    user: str
    covered: bool
    tools_called: list[str]
    tools_expected: list[str]
    tools_right: bool
    facts_required: list[str]
    facts_missed: list[str]
    admitted_missing: bool
    said_forbidden: list[str]
    numbers_stated: int
    numbers_verified: int
    invented: list[str]
    advice: list[str]
    faithfulness: float | None
    first_token_ms: float | None
    tokens: int
    cost_usd: float | None
    answer: str


class Summary(BaseModel):
    model: str
    questions: int
    covered: int
    tools_right: int
    facts_required: int
    facts_missed: int
    honest: int
    """Questions that admitted what is missing and said nothing forbidden."""
    numbers_stated: int
    numbers_verified: int
    invented: int
    faithfulness: float | None
    median_first_token_ms: float | None
    tokens: int
    cost_usd: float | None


class EvalReport(BaseModel):
    questions: list[QuestionResult]
    summary: Summary


@dataclass(slots=True)
class _Run:
    answer: list[str] = field(default_factory=list)
    tools: list[str] = field(default_factory=list)
    verification: Verification = field(default_factory=Verification)
    first_token_ms: float | None = None
    tokens: int = 0
    cost_usd: float | None = None


# --- running -------------------------------------------------------------------------------------


def create_users() -> dict[str, int]:
    """One account per generated user, in the current (the eval's own) database."""
    ids = {}
    with session_scope() as session:
        for name, fill in USERS.items():
            user = auth.signup(
                session=session,
                email=f"eval-{name.replace('_', '-')}@cadence.test",
                password=EVAL_PASSWORD,
                display_name=name,
            )
            assert user.id is not None
            fill(session, user.id)
            ids[name] = user.id
    return ids


async def run_eval(
    *, model_id: str, user_ids: dict[str, int], only: Sequence[Question] | None = None
) -> EvalReport:
    """Ask every question (a fresh conversation each) and score the answers."""
    results = [
        await _ask(question, model_id=model_id, user_id=user_ids[question.user])
        for question in (only if only is not None else questions())
    ]
    return EvalReport(questions=results, summary=_summary(model_id, results))


async def _ask(question: Question, *, model_id: str, user_id: int) -> QuestionResult:
    with session_scope() as session:
        turn = agent.start_turn(
            session=session,
            user_id=user_id,
            message=question.template.question,
            conversation_id=None,
            model_id=model_id,
            today=EVAL_TODAY,
        )
    run = _Run()
    started = time.monotonic()
    async for event in agent.stream_turn(turn):
        if isinstance(event, TokenEvent):
            if run.first_token_ms is None:
                run.first_token_ms = round((time.monotonic() - started) * 1000, 1)
            run.answer.append(event.text)
        elif isinstance(event, ToolStartEvent):
            run.tools.append(event.name)
        elif isinstance(event, VerifyEvent):
            run.verification = event.verification
        elif isinstance(event, UsageEvent):
            run.tokens = event.prompt_tokens + event.completion_tokens
            run.cost_usd = event.cost_usd
    covered = model_id != OFFLINE_MODEL_ID or bool(offline.make_plan(turn).calls)
    return _score(question, run, user_id=user_id, covered=covered)


def _score(question: Question, run: _Run, *, user_id: int, covered: bool) -> QuestionResult:
    template = question.template
    answer = "".join(run.answer)
    required, missing_facts = [], False
    truth = {
        name: execute_tool(user_id=user_id, today=EVAL_TODAY, name=name, arguments=arguments)
        for name, arguments in template.tools
    }
    for tool, path in template.facts:
        value = _at(truth[tool].payload(), path) if truth[tool].ok else None
        if value in (None, 0):  # nothing recorded: the answer must say so instead
            missing_facts = True
        else:
            required.append((f"{tool}.{path}", value, tool, path))
    missed = [
        label
        for label, value, tool, path in required
        if not verify.states(answer=answer, today=EVAL_TODAY, tool=tool, field=path, value=value)
    ]
    lowered = answer.lower()
    admitted = not (missing_facts or not template.facts) or any(
        w in lowered for w in template.admit
    )
    expected = [name for name, _ in template.tools]
    verification = run.verification
    return QuestionResult(
        id=question.id,
        question=template.question,
        user=question.user,
        covered=covered,
        tools_called=run.tools,
        tools_expected=expected,
        tools_right=set(expected) <= set(run.tools),
        facts_required=[label for label, *_ in required],
        facts_missed=missed,
        admitted_missing=admitted,
        said_forbidden=[p for p in template.must_not if re.search(p, lowered)],
        numbers_stated=verification.stated,
        numbers_verified=len(verification.verified),
        invented=[s.text for s in verification.unverified],
        advice=[s.text for s in verification.advice],
        faithfulness=verification.faithfulness,
        first_token_ms=run.first_token_ms,
        tokens=run.tokens,
        cost_usd=run.cost_usd,
        answer=answer,
    )


def _at(data: Any, path: str) -> Any:
    for key in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _summary(model_id: str, results: list[QuestionResult]) -> Summary:
    stated = sum(r.numbers_stated for r in results)
    verified = sum(r.numbers_verified for r in results)
    latencies = [r.first_token_ms for r in results if r.first_token_ms is not None]
    costs = [r.cost_usd for r in results if r.cost_usd is not None]
    return Summary(
        model=model_id,
        questions=len(results),
        covered=sum(r.covered for r in results),
        tools_right=sum(r.tools_right for r in results),
        facts_required=sum(len(r.facts_required) for r in results),
        facts_missed=sum(len(r.facts_missed) for r in results),
        honest=sum(r.admitted_missing and not r.said_forbidden for r in results),
        numbers_stated=stated,
        numbers_verified=verified,
        invented=sum(len(r.invented) for r in results),
        faithfulness=round(verified / stated, 4) if stated else None,
        median_first_token_ms=statistics.median(latencies) if latencies else None,
        tokens=sum(r.tokens for r in results),
        cost_usd=round(sum(costs), 6) if costs else None,
    )


def table(report: EvalReport) -> str:
    """The report as a markdown table: one row per question, then the totals."""
    rows = [
        "| question | tools | facts missed | stated | verified | invented | first token |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in report.questions:
        latency = f"{r.first_token_ms:.0f} ms" if r.first_token_ms is not None else "—"
        rows.append(
            f"| {r.id}{'' if r.covered else ' (not covered)'} | "
            f"{'ok' if r.tools_right else 'wrong'} | "
            f"{len(r.facts_missed)}/{len(r.facts_required)} | {r.numbers_stated} | "
            f"{r.numbers_verified} | {', '.join(r.invented) or '0'} | {latency} |"
        )
    s = report.summary
    faith = f"{s.faithfulness:.1%}" if s.faithfulness is not None else "—"
    latency = f"{s.median_first_token_ms:.0f} ms" if s.median_first_token_ms is not None else "—"
    cost = f"${s.cost_usd:.4f}" if s.cost_usd is not None else "—"
    rows.append(
        f"| **total** ({s.questions}, {s.covered} covered) | {s.tools_right}/{s.questions} | "
        f"{s.facts_missed}/{s.facts_required} | {s.numbers_stated} | {s.numbers_verified} | "
        f"{s.invented} | {latency} (median) |"
    )
    rows.append("")
    rows.append(
        f"Model {s.model}: faithfulness {faith}, {s.honest}/{s.questions} honest about missing "
        f"data, {s.tokens} tokens, cost {cost}."
    )
    return "\n".join(rows)
