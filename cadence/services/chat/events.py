"""Typed chat events (DESIGN §4): the agent yields them; SSE and the UI state consume them."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from cadence.models.chat import ChatActionPublic, Verification


@dataclass(frozen=True, slots=True)
class TokenEvent:
    kind: ClassVar[str] = "token"
    text: str


@dataclass(frozen=True, slots=True)
class ToolStartEvent:
    kind: ClassVar[str] = "tool_start"
    id: str
    name: str
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ToolEndEvent:
    """``data`` (the tool's result as JSON) stays on the server: the checker reads it, the
    ``tool_end`` event does not carry it. ``pending``: the write the tool proposed instead of
    running it (sent only then, as ``pending: {id, tool, summary, status, ..., confirm_url,
    cancel_url}``)."""

    kind: ClassVar[str] = "tool_end"
    id: str
    name: str
    ok: bool
    summary: str
    data: Any = field(default=None, compare=False, repr=False)
    pending: ChatActionPublic | None = None

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "ok": self.ok,
            "summary": self.summary,
        }
        if self.pending is not None:
            body["pending"] = self.pending.model_dump(mode="json")
        return body


@dataclass(frozen=True, slots=True)
class ChartEvent:
    """``chart``: ``{id, kind, title, x, series: [{key, label, unit}], data: [{...}]}``."""

    kind: ClassVar[str] = "chart"
    chart: dict[str, Any]

    def payload(self) -> dict[str, Any]:
        return dict(self.chart)


@dataclass(frozen=True, slots=True)
class UsageEvent:
    kind: ClassVar[str] = "usage"
    model_id: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None


@dataclass(frozen=True, slots=True)
class VerifyEvent:
    """``verify``: after the last ``token``, before ``done``: the answer's numbers, traced."""

    kind: ClassVar[str] = "verify"
    verification: Verification

    def payload(self) -> dict[str, Any]:
        return self.verification.model_dump(mode="json")


@dataclass(frozen=True, slots=True)
class DoneEvent:
    kind: ClassVar[str] = "done"
    conversation_id: int
    message_id: int


@dataclass(frozen=True, slots=True)
class ErrorEvent:
    kind: ClassVar[str] = "error"
    code: str
    message: str
    conversation_id: int | None = None


ChatEvent = (
    TokenEvent
    | ToolStartEvent
    | ToolEndEvent
    | ChartEvent
    | VerifyEvent
    | UsageEvent
    | DoneEvent
    | ErrorEvent
)
TERMINAL_EVENTS = (DoneEvent, ErrorEvent)


def event_payload(event: ChatEvent) -> dict[str, Any]:
    """The JSON body of an event, exactly as DESIGN §4 shows it."""
    if isinstance(event, ChartEvent | ToolEndEvent | VerifyEvent):
        return event.payload()
    return asdict(event)


def to_sse(event: ChatEvent) -> str:
    """Serialise one event as a Server-Sent Events frame."""
    data = json.dumps(event_payload(event), ensure_ascii=False, separators=(",", ":"))
    return f"event: {event.kind}\ndata: {data}\n\n"
