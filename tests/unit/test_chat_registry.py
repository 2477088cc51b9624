"""The tool registry: schemas from signatures, and every failure as an error result."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import pytest
from pydantic import Field

from cadence.services.chat.registry import ToolContext, ToolRegistry, ToolResult
from cadence.services.chat.tools import TOOLS, execute_tool
from cadence.services.errors import NotFound

DESIGN_TOOLS = {
    "get_daily_brief",
    "get_readiness",
    "get_sleep_history",
    "get_hrv_trend",
    "get_training_load",
    "get_activities",
    "get_strength_history",
    "get_exercise_progress",
    "list_workouts",
    "log_workout",
    "get_weekly_summary",
    "get_coaching_profile",
    "update_coaching_profile",
    "render_chart",
    "get_activity",  # issue 14: one session's laps, zones and splits
    "get_metrics",  # issue 14: any stored daily field over any range
    # issue 13 (gym mode)
    "search_exercise_catalog",
    "list_routines",
    "start_workout_from_routine",
    "update_workout",
    "delete_workout",
}


def _registry() -> ToolRegistry:
    registry = ToolRegistry()

    @registry.register
    def plot(
        ctx: ToolContext,
        *,
        title: Annotated[str, Field(description="Shown above the chart.")],
        kind: Literal["line", "bar"] = "line",
        days: Annotated[int, Field(ge=1, le=30)] = 7,
    ) -> ToolResult:
        """Draw something."""
        return ToolResult(summary=f"{title} {kind} {days}")

    @registry.register
    def missing(ctx: ToolContext) -> ToolResult:
        """Always missing."""
        raise NotFound("Nothing here.")

    @registry.register
    def broken(ctx: ToolContext) -> ToolResult:
        """Always broken."""
        raise RuntimeError("boom")

    return registry


CTX = ToolContext(session=None, user_id=1, today=dt.date(2026, 11, 29))  # type: ignore[arg-type]


def test_schema_comes_from_the_signature() -> None:
    schema = _registry().get("plot").openai_schema()
    assert schema["function"]["name"] == "plot"
    assert schema["function"]["description"] == "Draw something."
    params = schema["function"]["parameters"]
    assert params["required"] == ["title"]
    assert params["additionalProperties"] is False
    assert params["properties"]["title"] == {
        "description": "Shown above the chart.",
        "type": "string",
    }
    assert params["properties"]["kind"]["enum"] == ["line", "bar"]
    assert params["properties"]["days"] == {
        "default": 7,
        "maximum": 30,
        "minimum": 1,
        "type": "integer",
    }


def test_call_validates_and_runs() -> None:
    registry = _registry()
    assert registry.call("plot", '{"title": "Sleep", "days": 3}', CTX).summary == "Sleep line 3"
    assert registry.call("plot", {"title": "HRV", "kind": "bar"}, CTX).summary == "HRV bar 7"


@pytest.mark.parametrize(
    ("name", "arguments", "expected"),
    [
        ("nope", "{}", "Unknown tool 'nope'"),
        ("plot", '{"title": ', "not valid JSON"),
        ("plot", "[1, 2]", "must be a JSON object"),
        ("plot", '{"title": "x", "days": 99}', "days: Input should be less than or equal to 30"),
        ("plot", '{"title": "x", "colour": "red"}', "colour: Extra inputs are not permitted"),
        ("plot", "{}", "title: Field required"),
        ("missing", "{}", "Nothing here."),
        ("broken", "", "broken failed unexpectedly"),
    ],
)
def test_failures_become_error_results(name: str, arguments: str, expected: str) -> None:
    result = _registry().call(name, arguments, CTX)
    assert result.ok is False
    assert result.summary.startswith("Error: ")
    assert expected in result.summary


def test_registering_a_positional_argument_is_refused() -> None:
    registry = ToolRegistry()

    def bad(ctx: ToolContext, days: int) -> ToolResult:
        return ToolResult(summary="")

    with pytest.raises(TypeError):
        registry.register(bad)


def test_the_coach_registry_has_every_design_tool_with_a_schema() -> None:
    assert set(TOOLS.names) == DESIGN_TOOLS
    for spec in TOOLS.openai_tools():
        function = spec["function"]
        assert function["description"]
        assert function["parameters"]["type"] == "object"


def test_execute_tool_reads_the_coaching_profile(account) -> None:
    today = dt.date(2026, 11, 29)
    user_id = account.user["id"]
    saved = execute_tool(
        user_id=user_id,
        today=today,
        name="update_coaching_profile",
        arguments={"text": "Goal: sub-20 5k."},
    )
    assert saved.ok, saved.summary
    read = execute_tool(user_id=user_id, today=today, name="get_coaching_profile", arguments="")
    assert read.summary == "Coaching profile: Goal: sub-20 5k."
