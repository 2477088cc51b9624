"""The LLM transport: one streamed chat-completions round against an OpenAI-compatible API.

Uses ``chat.completions.create(stream=True)`` and accumulates tool-call fragments by index (the
``.stream()`` helper rejects non-strict tools). Provider failures become ``LlmError`` with a
stable ``code`` for the ``error`` event. The ``openai`` package (about a quarter of importing
the app) is imported by the first turn that calls a provider, not at start.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

if TYPE_CHECKING:
    import openai


@dataclass(frozen=True, slots=True)
class LlmConfig:
    api_key: str
    base_url: str
    model_id: str
    timeout_seconds: float
    max_retries: int
    own_key: bool = False  # the user's own key (else a shared one: budgets apply)


@dataclass(slots=True)
class ToolCallRequest:
    id: str
    name: str
    arguments: str = ""


@dataclass(slots=True)
class RoundResult:
    """What one streamed completion produced besides its text deltas."""

    text: str = ""
    tool_calls: list[ToolCallRequest] = field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    finish_reason: str | None = None


class LlmError(Exception):
    """A provider failure; ``code`` is the ``error`` event's code, ``message`` is user-facing."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@lru_cache(maxsize=1)
def _tls_context() -> ssl.SSLContext:
    """One TLS context for every client: loading the CA store costs ~100 ms per client."""
    return ssl.create_default_context()


def make_client(config: LlmConfig) -> openai.AsyncOpenAI:
    """A client for one turn (cheap: it shares the TLS context; close it when done)."""
    import openai

    return openai.AsyncOpenAI(
        api_key=config.api_key,
        base_url=config.base_url,
        timeout=config.timeout_seconds,
        max_retries=config.max_retries,
        http_client=openai.DefaultAsyncHttpxClient(
            verify=_tls_context(), timeout=config.timeout_seconds
        ),
    )


async def stream_round(
    client: openai.AsyncOpenAI,
    *,
    model_id: str,
    messages: list[dict[str, Any]],
    tools: list[dict[str, Any]] | None,
) -> AsyncIterator[str | RoundResult]:
    """Yield text deltas as they arrive, then one ``RoundResult`` (tool calls and usage)."""
    import openai  # loaded already: ``make_client`` made ``client``

    result = RoundResult()
    calls: dict[int, ToolCallRequest] = {}
    parts: list[str] = []
    kwargs: dict[str, Any] = {"tools": tools} if tools else {}
    try:
        stream = await client.chat.completions.create(
            model=model_id,
            messages=messages,
            stream=True,
            stream_options={"include_usage": True},
            **kwargs,
        )
        async with stream:
            async for chunk in stream:
                if chunk.usage is not None:
                    _add_usage(result, chunk.usage)
                for choice in chunk.choices:
                    delta = choice.delta
                    if delta is not None and delta.content:
                        parts.append(delta.content)
                        yield delta.content
                    if delta is not None and delta.tool_calls:
                        _accumulate_tool_calls(calls, delta.tool_calls)
                    if choice.finish_reason:
                        result.finish_reason = choice.finish_reason
    except openai.APIError as exc:
        raise _llm_error(exc) from exc
    except (ValueError, ValidationError) as exc:  # malformed JSON chunk or unexpected shape
        raise LlmError(
            "provider_bad_response", "The model provider sent a malformed response."
        ) from exc
    result.text = "".join(parts)
    result.tool_calls = [calls[index] for index in sorted(calls)]
    yield result


def _accumulate_tool_calls(calls: dict[int, ToolCallRequest], deltas: list[Any]) -> None:
    """Merge streamed fragments: the id and name arrive once, the arguments in pieces."""
    for position, delta in enumerate(deltas):
        index = delta.index if delta.index is not None else position
        slot = calls.setdefault(index, ToolCallRequest(id="", name=""))
        if delta.id:
            slot.id = delta.id
        function = delta.function
        if function is None:
            continue
        if function.name and not slot.name:
            slot.name = function.name
        if function.arguments:
            slot.arguments += function.arguments
    for index, slot in calls.items():
        if not slot.id:
            slot.id = f"call_{index}"


def _add_usage(result: RoundResult, usage: Any) -> None:
    result.prompt_tokens += usage.prompt_tokens or 0
    result.completion_tokens += usage.completion_tokens or 0
    cost = (usage.model_extra or {}).get("cost")
    if isinstance(cost, int | float):
        result.cost_usd = (result.cost_usd or 0.0) + float(cost)


def _llm_error(exc: openai.APIError) -> LlmError:
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return LlmError("provider_timeout", "The model provider did not answer in time.")
    if isinstance(exc, openai.APIConnectionError):
        return LlmError("provider_unreachable", "The model provider cannot be reached.")
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return LlmError(
            "provider_auth", "The model provider rejected the API key: check it in Settings."
        )
    if isinstance(exc, openai.RateLimitError):
        return LlmError(
            "provider_rate_limited", "The model provider is rate limiting requests; retry shortly."
        )
    if isinstance(exc, openai.NotFoundError):
        return LlmError("model_not_found", "The model provider does not know this model.")
    if isinstance(exc, openai.APIStatusError):
        return LlmError(
            "provider_error", f"The model provider failed (HTTP {exc.status_code}); retry later."
        )
    return LlmError("provider_error", f"The model provider reported an error: {_short(exc)}")


def _short(exc: openai.APIError) -> str:
    message = exc.message if isinstance(exc.message, str) else json.dumps(exc.body)[:200]
    return message[:200]
