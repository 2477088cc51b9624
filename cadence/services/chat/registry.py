"""A registry of typed tool functions whose JSON schemas come from their signatures.

A tool is ``def name(ctx: ToolContext, *, arg: Annotated[int, Field(...)] = 7) -> ToolResult``;
its docstring is the description and its keyword arguments the parameters. The registry knows
nothing about the agent, so the same tools can be served over other protocols (MCP).
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, get_type_hints

from pydantic import BaseModel, ConfigDict, ValidationError, create_model
from sqlmodel import Session

from cadence.models.coach import ChartSpec
from cadence.services.errors import DomainError

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ToolContext:
    """What every tool gets: the database session, the user and the user's today."""

    session: Session
    user_id: int
    today: date


@dataclass(slots=True)
class ToolResult:
    """``summary`` goes to the model (compact, factual); ``data`` is the tool's own result model
    (``cadence.models.coach``), which the offline coach reads by attribute; ``payload()`` is its
    JSON for MCP and the checker; ``chart`` is shown inline in the chat.

    The gym tools still pass plain dicts until their confirmation flow settles."""

    summary: str
    data: BaseModel | dict[str, Any] | None = None
    chart: ChartSpec | None = None
    ok: bool = True

    def payload(self) -> dict[str, Any]:
        """``data`` as JSON: ``model_dump(mode="json")`` of the result model."""
        if isinstance(self.data, BaseModel):
            return self.data.model_dump(mode="json")
        return dict(self.data or {})

    def chart_payload(self) -> dict[str, Any] | None:
        """The ``chart`` event's JSON."""
        return None if self.chart is None else self.chart.model_dump(mode="json")


ToolFunction = Callable[..., ToolResult]


@dataclass(frozen=True, slots=True)
class ToolEffect:
    """What a tool does to the user's data (served as MCP tool annotations)."""

    writes: bool = False
    destructive: bool = False  # may change or remove what is stored, not only add to it
    idempotent: bool = True  # the same call again changes nothing more


READS = ToolEffect()


@dataclass(frozen=True, slots=True)
class Tool:
    name: str
    description: str
    function: ToolFunction
    arguments_model: type[BaseModel]
    effect: ToolEffect = READS

    @property
    def parameters_schema(self) -> dict[str, Any]:
        """The JSON schema of the keyword arguments (titles dropped to stay compact)."""
        return _strip_titles(self.arguments_model.model_json_schema())

    def openai_schema(self) -> dict[str, Any]:
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters_schema,
            },
        }


class ToolRegistry:
    """Named tools; ``call`` validates arguments and turns every failure into an error result."""

    def __init__(self) -> None:
        self._tools: dict[str, Tool] = {}
        self._openai_tools: list[dict[str, Any]] | None = None

    def register(self, function: ToolFunction | None = None, *, effect: ToolEffect = READS) -> Any:
        """Decorator: add ``function`` under its own name (``@register`` for a read-only tool,
        ``@register(effect=ToolEffect(writes=True, ...))`` for one that writes)."""
        if function is None:
            return lambda fn: self.register(fn, effect=effect)
        tool = _build_tool(function, effect)
        if tool.name in self._tools:
            raise ValueError(f"tool {tool.name!r} registered twice")
        self._tools[tool.name] = tool
        self._openai_tools = None
        return function

    def get(self, name: str) -> Tool | None:
        return self._tools.get(name)

    @property
    def names(self) -> list[str]:
        return list(self._tools)

    def openai_tools(self) -> list[dict[str, Any]]:
        """Every tool's chat-completions definition (built once: schemas cost ~20 ms)."""
        if self._openai_tools is None:
            self._openai_tools = [tool.openai_schema() for tool in self._tools.values()]
        return self._openai_tools

    def parse(self, name: str, arguments: dict[str, Any] | str) -> tuple[Tool, BaseModel]:
        """The named tool and its validated arguments; ``BadToolCall`` says what is wrong
        (an unknown name, bad JSON, invalid arguments) in words for the model."""
        tool = self._tools.get(name)
        if tool is None:
            raise BadToolCall(f"Unknown tool {name!r}. Available tools: {', '.join(self.names)}.")
        if isinstance(arguments, str):
            try:
                arguments = json.loads(arguments) if arguments.strip() else {}
            except ValueError as exc:
                raise BadToolCall(f"Arguments are not valid JSON: {exc}.") from None
        if not isinstance(arguments, dict):
            raise BadToolCall("Arguments must be a JSON object.")
        try:
            return tool, tool.arguments_model.model_validate(arguments)
        except ValidationError as exc:
            raise BadToolCall(f"Invalid arguments for {name}: {_short_errors(exc)}.") from None

    def call(self, name: str, arguments: dict[str, Any] | str, ctx: ToolContext) -> ToolResult:
        """Run a tool; unknown names, bad JSON, invalid arguments and failures become
        ``ToolResult(ok=False)`` whose summary tells the model what went wrong."""
        try:
            tool, parsed = self.parse(name, arguments)
        except BadToolCall as exc:
            return error_result(str(exc))
        try:
            return tool.function(ctx, **dict(parsed))
        except DomainError as exc:
            return error_result(exc.message)
        except Exception:
            logger.exception("tool %s failed", name)
            return error_result(f"{name} failed unexpectedly; the data could not be read.")


class BadToolCall(Exception):
    """A tool call that cannot run: its message says why."""


def error_result(message: str) -> ToolResult:
    return ToolResult(summary=f"Error: {message}", ok=False)


def _build_tool(function: ToolFunction, effect: ToolEffect) -> Tool:
    signature = inspect.signature(function)
    hints = get_type_hints(function, include_extras=True)
    fields: dict[str, Any] = {}
    for index, (param_name, param) in enumerate(signature.parameters.items()):
        if index == 0:
            continue  # the ToolContext
        if param.kind is not inspect.Parameter.KEYWORD_ONLY:
            raise TypeError(f"{function.__name__}: tool arguments must be keyword-only")
        default = ... if param.default is inspect.Parameter.empty else param.default
        fields[param_name] = (hints[param_name], default)
    model = create_model(
        f"{function.__name__}_arguments",
        __config__=ConfigDict(extra="forbid"),
        **fields,
    )
    description = inspect.cleandoc(function.__doc__ or function.__name__)
    return Tool(
        name=function.__name__,
        description=description,
        function=function,
        arguments_model=model,
        effect=effect,
    )


def _strip_titles(schema: Any, *, is_properties: bool = False) -> Any:
    """Drop pydantic's generated ``title`` strings (but not a property named ``title``)."""
    if isinstance(schema, dict):
        return {
            key: _strip_titles(value, is_properties=key == "properties" and not is_properties)
            for key, value in schema.items()
            if is_properties or not (key == "title" and isinstance(value, str))
        }
    if isinstance(schema, list):
        return [_strip_titles(item) for item in schema]
    return schema


def _short_errors(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        location = ".".join(str(part) for part in error["loc"]) or "arguments"
        parts.append(f"{location}: {error['msg']}")
    return "; ".join(parts)
