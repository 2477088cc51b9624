"""The offline coach (``cadence/offline``): deterministic, no API key, same tools and events.

It recognises the common questions with patterns, calls the tools the LLM agent would call
(emitting ``tool_start``/``tool_end``/``chart``), and writes an answer from their numbers.
Anything else gets an honest fallback that lists what it can answer.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

from cadence.db import session_scope
from cadence.display import signed
from cadence.models.coach import (
    ActivityFound,
    DailyBriefOut,
    ExerciseProgressOut,
    HrvTrendOut,
    LoggedWorkout,
    MetricsOut,
    SleepHistoryOut,
    StrengthHistoryOut,
    WeeklySummaryOut,
    WorkoutsOut,
)
from cadence.models.dashboard import ReadinessOut, TrainingLoadNow
from cadence.models.workout import exercise_name_key
from cadence.services import exercises
from cadence.services.analytics import ACWR_FLAG, ACWR_LOW, HRV_LABELS
from cadence.services.chat import pending, tools
from cadence.services.chat.events import ChatEvent, TokenEvent, UsageEvent
from cadence.services.chat.registry import ToolResult
from cadence.services.chat.turn import ChatTurn, run_tool, tool_end, tool_start
from cadence.services.userday import age_words

TOKEN_DELAY_SECONDS = 0.01
_WORDS = re.compile(r"\S+\s*|\s+")

M = TypeVar("M", bound=BaseModel)
Call = tuple[str, dict[str, Any]]
Results = dict[str, ToolResult]


@dataclass(frozen=True, slots=True)
class Plan:
    """The tools to call and how to write the answer from their results."""

    calls: list[Call]
    compose: Callable[[Results], str]


async def answer(turn: ChatTurn) -> AsyncIterator[ChatEvent]:
    """Plan, call the tools (streaming their events), then stream the written answer."""
    plan = await asyncio.to_thread(make_plan, turn)
    results: Results = {}
    for number, (name, arguments) in enumerate(plan.calls, start=1):
        call_id = f"offline_{turn.user_message_id}_{number}"
        yield tool_start(call_id, name, arguments)
        result = await run_tool(turn, name, arguments)
        results[name] = result
        for event in tool_end(call_id, name, result):
            yield event
    for piece in _WORDS.findall(plan.compose(results)):
        yield TokenEvent(text=piece)
        await asyncio.sleep(TOKEN_DELAY_SECONDS)
    yield UsageEvent(model_id=turn.model_id)


def make_plan(turn: ChatTurn) -> Plan:
    """Match the message against the known questions (first match wins)."""
    text = " ".join(turn.message.lower().split())
    if match := _LOG.search(text):
        return _log_plan(match)
    if plan := _metric_plan(turn, text):
        return plan
    if plan := _activity_plan(turn, text):
        return plan
    if _PR.search(text):
        name = _exercise_in(turn, text)
        if name:
            return Plan(
                [
                    ("get_exercise_progress", {"exercise": name}),
                    ("render_chart", {"metric": "exercise_e1rm", "exercise": name}),
                ],
                _compose_progress,
            )
        return Plan([("get_strength_history", {"days": 90})], _compose_strength)
    if _LAST_WORKOUT.search(text):
        return Plan([("list_workouts", {"limit": 3})], _compose_last_workout)
    if _HRV.search(text):
        return Plan(
            [("get_hrv_trend", {"days": 14}), ("render_chart", {"metric": "hrv", "days": 30})],
            _compose_hrv,
        )
    if _SLEEP.search(text):
        week = bool(_WEEK.search(text))
        return Plan(
            [
                ("get_sleep_history", {"days": 7}),
                ("render_chart", {"metric": "sleep_hours", "days": 14}),
            ],
            lambda r: _compose_sleep(r, week=week),
        )
    if _READINESS.search(text):
        return Plan([("get_readiness", {})], _compose_readiness)
    if _LOAD.search(text):
        return Plan(
            [
                ("get_training_load", {"days": 42}),
                ("render_chart", {"metric": "training_load", "days": 42}),
            ],
            _compose_load,
        )
    if _WEEK.search(text) or _SUMMARY.search(text):
        return Plan([("get_weekly_summary", {})], _compose_week)
    if _BRIEF.search(text):
        return Plan([("get_daily_brief", {})], _compose_brief)
    return Plan([], _compose_fallback)


# --- question patterns -------------------------------------------------------------------------

_LOG = re.compile(
    r"\blog(?:ged)?\s+(?:an?\s+|my\s+)?(?P<name>[a-z][a-z0-9 '\-]*?)\s*[:,]?\s+"
    r"(?P<sets>\d{1,3})\s*[x\u00d7]\s*(?P<reps>\d{1,3})"
    r"(?:\s*(?:@|at|with|of)?\s*(?P<weight>\d{1,4}(?:[.,]\d+)?)\s*(?:kg|kilos?)?)?"
)
_PR = re.compile(r"\b(best|pr|prs|personal (best|record)|heaviest|max|1rm|e1rm|progress)\b")
_LAST_WORKOUT = re.compile(
    r"\b(last|latest|previous|recent)\s+(workout|session|lift(ing)?|training|gym)\b"
    r"|\bwhat did i (do|lift|train)\b"
)
_HRV = re.compile(r"\bhrv\b|heart rate variability")
_SLEEP = re.compile(r"\bsle(e)?p|\bslept\b|\bbed ?time\b")
_READINESS = re.compile(
    r"\bread(y|iness)\b|\brecover(ed|y)\b|should i (train|work ?out|rest|run|lift)"
    r"|\btrain (hard )?today\b"
)
_LOAD = re.compile(
    r"\b(training )?load\b|\bacwr\b|\bfitness\b|\bfatigue\b|\bform\b|overtrain"
    r"|acute.{0,10}chronic"
)
_SUMMARY = re.compile(r"\bsummar(y|ise|ize)\b|\brecap\b")
_BRIEF = re.compile(r"\bbrief\b|\btoday\b|\bhow am i\b|\boverview\b|\bmorning\b")
_WEEK = re.compile(r"\b(week|weekly|7 (days|nights)|seven)\b")
_PR_TAIL = re.compile(
    r"(?:best|pr|prs|personal (?:best|record)|heaviest|max|1rm|e1rm|progress)\s+"
    r"(?:lift\s+)?(?:(?:on|for|in|at|with)\s+)?(?:the\s+|my\s+)?"
    r"(?P<name>[a-z][a-z0-9 \-]+?)\s*[?.!]*$"
)


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_SESSION_WORDS = {
    "run": "running",
    "ride": "cycling",
    "bike": "cycling",
    "cycle": "cycling",
    "swim": "swimming",
    "walk": "walking",
    "hike": "walking",
    "triathlon": "multisport",
}
_ACTIVITY = re.compile(
    r"\bhow (did|was|were) (my|the|that|i)\b.*?\b(?P<kind>run|ride|bike|cycle|swim|walk|hike|"
    r"triathlon|session|activity)s?\b"
)
_DAY_WORD = re.compile(r"\b(?P<day>today|yesterday|" + "|".join(_WEEKDAYS) + r")\b")
_METRIC_WORDS = {
    "weight": "weight_kg",
    "steps": "steps",
    "resting heart rate": "resting_hr",
    "resting hr": "resting_hr",
    "hrv": "hrv_rmssd_ms",
    "spo2": "spo2_pct",
    "blood oxygen": "spo2_pct",
    "stress": "stress_avg",
    "body battery": "body_battery",
    "respiratory rate": "respiratory_rate",
    "breathing rate": "respiratory_rate",
}
_SINCE = re.compile(r"\b(since|from|over|in)\s+(?P<month>" + "|".join(_MONTHS) + r")\b")
_TREND = re.compile(r"\b(moved|changed|trend|trended|gone|going|evolved|progressed|since)\b")


def _activity_plan(turn: ChatTurn, text: str) -> Plan | None:
    """ "How did my long run on Sunday go?": that day's session (the longest of that sport)."""
    match = _ACTIVITY.search(text)
    if match is None:
        return None
    arguments: dict[str, Any] = {}
    if sport := _SESSION_WORDS.get(match.group("kind")):
        arguments["sport"] = sport
    if day := _day_named(turn, text):
        arguments["date"] = day.isoformat()
    return Plan([("get_activity", arguments)], _compose_activity)


def _day_named(turn: ChatTurn, text: str) -> dt.date | None:
    """The most recent day the message names (``Sunday`` is the last Sunday up to today)."""
    match = _DAY_WORD.search(text)
    if match is None:
        return None
    word = match.group("day")
    if word == "today":
        return turn.today
    if word == "yesterday":
        return turn.today - dt.timedelta(days=1)
    back = (turn.today.weekday() - _WEEKDAYS.index(word)) % 7
    return turn.today - dt.timedelta(days=back)


def _metric_plan(turn: ChatTurn, text: str) -> Plan | None:
    """ "How has my weight moved since June?": the field from the 1st of that month."""
    fields = [field for word, field in _METRIC_WORDS.items() if word in text]
    since = _SINCE.search(text)
    if not fields or since is None or not _TREND.search(text):
        return None
    month = _MONTHS.index(since.group("month")) + 1
    year = turn.today.year if month <= turn.today.month else turn.today.year - 1
    arguments = {"fields": list(dict.fromkeys(fields)), "start": f"{year}-{month:02d}-01"}
    return Plan([("get_metrics", arguments)], _compose_metrics)


def _exercise_in(turn: ChatTurn, text: str) -> str | None:
    """The logged exercise named in the message (longest name wins); else the name after
    "best ..." ("best squat" finds "Back Squat", the most recently trained match)."""
    with session_scope() as session:
        names = [e.name for e in exercises.library(session=session, user_id=turn.user_id).exercises]
    squashed = exercise_name_key(text)
    found = [n for n in names if exercise_name_key(n) and exercise_name_key(n) in squashed]
    if found:
        return max(found, key=len)
    match = _PR_TAIL.search(text)
    if match is None:
        return None
    named = match.group("name").strip()
    key = exercise_name_key(named)
    partial = [n for n in names if key and key in exercise_name_key(n)]  # library: newest first
    return partial[0] if partial else named


def _log_plan(match: re.Match[str]) -> Plan:
    name = " ".join(word.capitalize() for word in match.group("name").split())
    weight = float((match.group("weight") or "0").replace(",", "."))
    entry = {
        "name": name,
        "sets": int(match.group("sets")),
        "reps": match.group("reps"),
        "weight_kg": weight,
    }
    return Plan([("log_workout", {"exercises": [entry]})], _compose_logged)


# --- answers ---------------------------------------------------------------------------------


def _data(
    results: Results, name: str, model: type[M], *, found: Callable[[M], Any] = bool
) -> M | str:
    """The tool's result model, or the reply to give instead: its error, or (when it is not a
    ``model`` or ``found`` says there is nothing) its summary, which says what is missing."""
    result = results.get(name)
    if result is None:
        return "I could not read that data."
    if not result.ok:
        return result.summary.removeprefix("Error: ")
    data = result.data
    return data if isinstance(data, model) and found(data) else result.summary


def _compose_sleep(results: Results, *, week: bool) -> str:
    sleep = _data(results, "get_sleep_history", SleepHistoryOut, found=lambda d: d.nights)
    if isinstance(sleep, str):
        return sleep
    last = sleep.last_night
    assert last is not None  # nights > 0
    colour = _sleep_colour(last.hours, sleep.need_hours)
    score = f", sleep score **{last.score:.0f}**" if last.score is not None else ""
    week_line = (
        f"Over the last {sleep.days} days you recorded {sleep.nights} nights averaging "
        f"**{sleep.avg_hours} h** (range {sleep.min_hours}-{sleep.max_hours} h)."
    )
    when = (
        f"Last night ({last.date})"
        if last.age_days == 0
        else f"Your latest recorded night ({last.date}, {age_words(last.age_days)})"
    )
    last_line = f"{when} you slept **{last.hours} h**{score}: {colour}."
    lines = [week_line, last_line] if week else [last_line, week_line]
    debt = sleep.debt
    if debt.debt_hours is not None:
        verdict = (
            "**Red:** aim for an earlier night or two before hard training"
            if debt.debt_flagged
            else "**Green:** on track"
        )
        lines.append(f"{tools.debt_sentence(debt)} {verdict}.")
    lines.append("The chart shows your last 14 nights.")
    return "\n\n".join(lines)


def _sleep_colour(hours: float, need: float) -> str:
    if hours >= need - 0.5:
        return "**green**, a full night"
    if hours >= need - 1.5:
        return "**yellow**, a bit short"
    return "**red**, a short night"


_HRV_MOOD = {
    "red": "**red**: recovery is lagging, keep intensity low",
    "yellow": "**yellow**: lower than usual, keep an eye on it",
    "green": "**green**",
}
"""Advice per HRV colour (``HrvNow.color``, decided by the service)."""


def _compose_hrv(results: Results) -> str:
    trend = _data(results, "get_hrv_trend", HrvTrendOut, found=lambda d: d.readings)
    if isinstance(trend, str):
        return trend
    latest, now = trend.latest, trend.now
    assert latest is not None and now is not None  # readings > 0
    name = HRV_LABELS[now.metric]
    lines = [
        f"Your latest {name} is **{latest.ms:.1f} ms** ({latest.date}, "
        f"{age_words(latest.age_days)})."
    ]
    if now.color is not None:
        lines.append(f"{tools.hrv_sentence(now)} That is {_HRV_MOOD[now.color]}.")
    else:
        lines.append(
            f"The {trend.days}-day average is {trend.avg_ms:.1f} ms. {tools.hrv_sentence(now)}"
        )
    lines.append("The chart shows the last 30 days.")
    return "\n\n".join(lines)


def _compose_progress(results: Results) -> str:
    data = _data(results, "get_exercise_progress", ExerciseProgressOut)
    if isinstance(data, str):
        return f"{data} Ask about an exercise you have logged, e.g. 'best bench press'."
    lines = [f"**{data.name}** — {data.sessions} sessions logged."]
    if weight := data.best_weight:
        lines.append(f"Heaviest set: **{weight.kg:g} kg x {weight.reps}** on {weight.date}.")
    if e1rm := data.best_e1rm:
        lines.append(f"Best estimated 1RM (Epley): **{e1rm.kg:.1f} kg** on {e1rm.date}.")
    last = data.last
    if last.top_weight_kg is not None:
        lines.append(
            f"Last session ({last.date}): top set {last.top_weight_kg:g} kg x {last.top_reps}."
        )
    if data.e1rm_change_kg is not None:
        lines.append(f"Your e1RM changed by {signed(data.e1rm_change_kg, 1)} kg since you started.")
    lines.append(f"PR sessions: {data.prs}. The chart shows e1RM and top set per session.")
    return "\n\n".join(lines)


def _compose_strength(results: Results) -> str:
    data = _data(results, "get_strength_history", StrengthHistoryOut, found=lambda d: d.sessions)
    if isinstance(data, str):
        return data
    lifts = "\n".join(
        f"- {lift.name}: e1RM **{lift.best_e1rm_kg:.1f} kg**"
        for lift in data.top_lifts
        if lift.best_e1rm_kg is not None
    )
    return (
        f"In the last 90 days you did **{data.sessions} strength sessions** "
        f"({data.sets} sets, volume load {data.volume_kg} kg). Your best lifts:\n\n"
        f"{lifts or '- no estimate yet (sets above 12 reps have none)'}\n\n"
        "Name an exercise (e.g. 'best squat') for its full progress."
    )


def _compose_last_workout(results: Results) -> str:
    data = _data(results, "list_workouts", WorkoutsOut, found=lambda d: d.latest)
    if isinstance(data, str):
        return data
    latest = data.latest
    assert latest is not None  # found
    rows = "\n".join(
        f"- {e.name}: {e.sets} x {e.reps}"
        + (f" @ {e.weight_kg:g} kg" if e.weight_kg else " (bodyweight)")
        for e in latest.exercises
    )
    earlier = data.lines[1:]
    tail = ("\n\nBefore that: " + "; ".join(earlier)) if earlier else ""
    return (
        f"Your last workout was **{latest.name}** on {latest.date}:\n\n{rows}"
        f"{tail}\n\nYou have {data.total} workouts logged."
    )


def _compose_logged(results: Results) -> str:
    if isinstance(proposal := results.get("log_workout"), pending.Proposal):
        action = proposal.action
        if action.add_to:
            return (
                f"Ready when you are: {action.summary}. You already logged a workout today, so "
                "you can add it there or save it on its own; nothing is saved until you choose."
            )
        return (
            f"Ready when you are: {action.summary}. Press **Confirm** to save it, or "
            "**Cancel**; nothing is saved until then."
        )
    data = _data(results, "log_workout", LoggedWorkout)
    if isinstance(data, str):
        return f"I could not log that: {data}"
    link = f"[workout #{data.workout_id}]({data.href})"
    if data.repeated:
        return f"Already logged: {data.line} ({link}); I did not save it twice."
    return f"Logged: {data.line} ({link}). Open it to edit or add sets."


def _compose_readiness(results: Results) -> str:
    data = _data(results, "get_readiness", ReadinessOut, found=lambda d: d.status == "ok")
    if isinstance(data, str):
        return data
    age = data.age_days
    when = "today" if age == 0 else f"on the latest day with data ({age_words(age)})"
    lines = [
        f"Your readiness {when} ({data.date}) is **{data.score}/100** ({data.color}). {data.why}"
    ]
    rows = [
        f"- {c.label}: {c.detail}"
        + (f" — score {c.score:.0f}, weight {c.weight:.0%}" if c.score is not None else "")
        for c in data.contributors
    ]
    lines.append("Why:\n\n" + "\n".join(rows))
    if device := data.device_score:
        lines.append(f"{device.label} reports {device.value:.0f} for the same day.")
    assert data.color is not None  # status ok
    lines.append(_READINESS_ADVICE[data.color])
    return "\n\n".join(lines)


_READINESS_ADVICE = {
    "green": "Good day for quality work: intervals or heavy lifting are fine.",
    "yellow": "Train, but keep it moderate: technique, zone 2, or cut a hard session short.",
    "red": "Prioritise recovery today: rest, an easy walk, sleep early.",
}


def _compose_load(results: Results) -> str:
    data = _data(
        results, "get_training_load", TrainingLoadNow, found=lambda d: d.acwr_status != "no_data"
    )
    if isinstance(data, str):
        return data
    lines = [
        f"Fitness is **{data.fitness:.1f}**, fatigue **{data.fatigue:.1f}** and form "
        f"**{signed(data.form, 1)}** (on {data.date}). The last 7 days add up to "
        f"{data.week_load:.0f} AU."
    ]
    acwr, zone = data.acwr, data.acwr_zone
    if zone is not None and acwr is not None:
        verdict = f"**{data.acwr_color}**, {_ACWR_ADVICE[zone]}"
        lines.append(f"Your acute:chronic workload ratio (ACWR) is **{acwr:.2f}**: {verdict}.")
    elif data.acwr_status == "warming_up":
        lines.append(
            f"ACWR is still warming up: {data.warmup_days_left} more days of history needed."
        )
    lines.append("The chart shows fitness, fatigue and form over 42 days.")
    return "\n\n".join(lines)


_ACWR_ADVICE = {
    "high": f"above {ACWR_FLAG}: load jumped faster than your body is used to; ease off",
    "low": f"below {ACWR_LOW}: you are doing less than usual (fine for a taper)",
    "ok": f"within {ACWR_LOW}-{ACWR_FLAG}, the usual safe range",
}


def _compose_week(results: Results) -> str:
    out = _data(results, "get_weekly_summary", WeeklySummaryOut)
    if isinstance(out, str):
        return out
    this, last = out.this_week, out.last_week

    def row(label: str, key: str, unit: str, digits: int = 0) -> str:
        def fmt(value: float | None) -> str:
            return "—" if value is None else f"{value:.{digits}f} {unit}".strip()

        return f"| {label} | {fmt(getattr(this, key))} | {fmt(getattr(last, key))} |"

    head = f"This week so far ({this.days} of 7 days" if this.so_far else "This week ("
    table = "\n".join(
        [
            f"| | {head}{', ' if this.so_far else ''}from {this.start}) | Last week |",
            "|---|---|---|",
            row("Sessions", "sessions", ""),
            row("Minutes", "minutes", "min"),
            row("Distance", "distance", out.distance_unit, 1),
            row("Strength volume", "volume_load", out.weight_unit),
            row("Load", "load", "AU"),
            row("Avg sleep", "avg_sleep_hours", "h", 1),
            row("Avg HRV", "avg_hrv_ms", "ms"),
        ]
    )
    lead = "so far " if this.so_far else ""
    return f"Here is your week {lead}against last week:\n\n{table}"


def _compose_activity(results: Results) -> str:
    data = _data(results, "get_activity", ActivityFound)
    if isinstance(data, str):
        return data
    return results["get_activity"].summary + " Open it on the Activities page for the charts."


def _compose_metrics(results: Results) -> str:
    data = _data(results, "get_metrics", MetricsOut, found=lambda d: d.fields)
    if isinstance(data, str):
        return data
    return results["get_metrics"].summary


def _compose_brief(results: Results) -> str:
    data = _data(results, "get_daily_brief", DailyBriefOut)
    if isinstance(data, str):
        return data
    return "Your brief for today: " + results["get_daily_brief"].summary


FALLBACK = """\
I'm the offline coach: I answer from your data without an AI model, so I only know a few \
questions. Try:

- "How did I sleep last night?" or "How was my sleep this week?"
- "What's my HRV trend?"
- "What's my readiness today?"
- "How is my training load / ACWR?"
- "Give me this week's summary"
- "What was my last workout?"
- "What's my best bench press?"
- "How did my long run on Sunday go?"
- "How has my weight moved since June?"
- "Log bench press 3x8 at 80 kg"

For open questions, add an API key for any OpenAI-compatible provider in **Settings → LLM key** \
and pick a model in the chat's model menu."""


def _compose_fallback(_results: Results) -> str:
    return FALLBACK
