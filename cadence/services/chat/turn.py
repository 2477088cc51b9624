"""A chat turn and the tool step shared by the LLM agent and the offline coach."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cadence.services.chat import llm, pending
from cadence.services.chat.events import ChartEvent, ChatEvent, ToolEndEvent, ToolStartEvent
from cadence.services.chat.registry import ToolResult
from cadence.services.chat.verify import ToolOutput


@dataclass(frozen=True, slots=True)
class ChatTurn:
    """One user message on its way to an answer. ``config`` (``None`` for the offline coach) and
    ``prompt`` (system prompt, history, the message) are read when the message is stored."""

    user_id: int
    conversation_id: int
    user_message_id: int
    message: str
    model_id: str
    today: date
    config: llm.LlmConfig | None = field(default=None, repr=False)
    prompt: list[dict[str, Any]] = field(default_factory=list, repr=False)
    earlier_tools: tuple[ToolOutput, ...] = field(default=(), repr=False)
    """The conversation's earlier tool calls (their summaries): the checker's older sources."""


def tool_start(call_id: str, name: str, arguments: dict[str, Any] | str) -> ToolStartEvent:
    return ToolStartEvent(id=call_id, name=name, arguments=display_arguments(arguments))


async def run_tool(turn: ChatTurn, name: str, arguments: dict[str, Any] | str) -> ToolResult:
    """Run a tool off the event loop, in its own transaction (a write is proposed instead:
    a ``Proposal`` the user confirms)."""
    return await asyncio.to_thread(
        pending.run_in_chat,
        user_id=turn.user_id,
        conversation_id=turn.conversation_id,
        today=turn.today,
        name=name,
        arguments=arguments,
    )


def tool_end(call_id: str, name: str, result: ToolResult) -> list[ChatEvent]:
    """``tool_end`` (with the proposal to confirm, for a write) and, when the tool drew one,
    its ``chart``."""
    events: list[ChatEvent] = [
        ToolEndEvent(
            id=call_id,
            name=name,
            ok=result.ok,
            summary=result.summary,
            data=result.payload(),
            pending=result.action if isinstance(result, pending.Proposal) else None,
        )
    ]
    if (chart := result.chart_payload()) is not None:
        events.append(ChartEvent(chart=chart))
    return events


def display_arguments(arguments: dict[str, Any] | str) -> dict[str, Any]:
    """The arguments as an object for ``tool_start`` (unparseable JSON is shown raw)."""
    if isinstance(arguments, dict):
        return arguments
    try:
        parsed = json.loads(arguments) if arguments.strip() else {}
    except ValueError:
        return {"_raw": arguments[:200]}
    return parsed if isinstance(parsed, dict) else {"_raw": arguments[:200]}
