"""The chat agent: one async generator of typed events serves the SSE route and the UI state.

``start_turn`` stores the user's message (before any model is called) and resolves the model;
``stream_turn`` runs the offline coach or the tool-calling LLM loop, records what streamed and
stores the assistant's message: complete on success, the partial text on a provider error, a
client disconnect or a stop. It always ends with exactly one ``done`` or ``error`` event unless
the consumer stops listening.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

from sqlmodel import Session

from cadence.db import session_scope
from cadence.models.chat import ChatMessage, Verification
from cadence.services import preferences, users
from cadence.services.chat import (
    conversations,
    limits,
    llm,
    llm_settings,
    offline,
    pending,
    verify,
)
from cadence.services.chat.events import (
    ChartEvent,
    ChatEvent,
    DoneEvent,
    ErrorEvent,
    TokenEvent,
    ToolEndEvent,
    ToolStartEvent,
    UsageEvent,
    VerifyEvent,
)
from cadence.services.chat.prompts import build_system_prompt
from cadence.services.chat.tools import TOOLS
from cadence.services.chat.turn import ChatTurn, run_tool, tool_end, tool_start
from cadence.services.errors import InvalidInput

logger = logging.getLogger(__name__)

MAX_TOOL_ROUNDS = 10
ROUND_LIMIT_NOTE = "\n\n(I stopped after 10 rounds of looking up data; ask a narrower question.)"


def start_turn(
    *,
    session: Session,
    user_id: int,
    message: str,
    conversation_id: int | None,
    model_id: str | None,
    today: date | None = None,
) -> ChatTurn:
    """Validate the model, store the user's message (starting a conversation when needed)."""
    if not message.strip():
        raise InvalidInput("The message is empty.", field="message")
    chosen, config = _model(session=session, user_id=user_id, model_id=model_id)
    stored = conversations.add_user_message(
        session=session, user_id=user_id, conversation_id=conversation_id, content=message
    )
    return _turn(
        session=session, user_id=user_id, stored=stored, model_id=chosen, config=config, today=today
    )


def retry_turn(
    *,
    session: Session,
    user_id: int,
    conversation_id: int,
    model_id: str | None,
    today: date | None = None,
) -> ChatTurn:
    """Answer a conversation's last question again (after a failed answer), with ``model_id``
    (e.g. the offline coach when the provider is unreachable); the question is not stored twice."""
    chosen, config = _model(session=session, user_id=user_id, model_id=model_id)
    stored = conversations.unanswered_message(
        session=session, user_id=user_id, conversation_id=conversation_id
    )
    return _turn(
        session=session, user_id=user_id, stored=stored, model_id=chosen, config=config, today=today
    )


def _model(
    *, session: Session, user_id: int, model_id: str | None
) -> tuple[str, llm.LlmConfig | None]:
    """The model to answer with (the user's default when none is named) and its provider
    settings (``None``: the offline coach); ``InvalidInput`` (or ``RateLimited``, past the
    user's turn rate or daily budget) before anything is stored."""
    chosen = model_id or llm_settings.default_model_id(session=session, user_id=user_id)
    config = llm_settings.llm_config(session=session, user_id=user_id, model_id=chosen)
    limits.check_turn(
        session=session,
        user_id=user_id,
        on_shared_key=config is not None and not config.own_key,
    )
    return chosen, config


def _turn(
    *,
    session: Session,
    user_id: int,
    stored: ChatMessage,
    model_id: str,
    config: llm.LlmConfig | None,
    today: date | None,
) -> ChatTurn:
    today = today or preferences.user_day(session=session, user_id=user_id).today()
    prompt = _prompt(session=session, user_id=user_id, stored=stored, today=today) if config else []
    earlier = conversations.earlier_tool_outputs(
        session=session, conversation_id=stored.conversation_id, before_message_id=stored.id
    )
    return ChatTurn(
        user_id=user_id,
        conversation_id=stored.conversation_id,
        user_message_id=stored.id,
        message=stored.content,
        model_id=model_id,
        today=today,
        config=config,
        prompt=prompt,
        earlier_tools=earlier,
    )


def _prompt(
    *, session: Session, user_id: int, stored: ChatMessage, today: date
) -> list[dict[str, Any]]:
    """System prompt, recent history and the new message, as chat-completions messages."""
    user = users.get_user(session=session, user_id=user_id)
    system = build_system_prompt(
        display_name=user.display_name, today=today, coaching_profile=user.coaching_profile
    )
    past = conversations.history(
        session=session, conversation_id=stored.conversation_id, before_message_id=stored.id
    )
    question = {"role": "user", "content": stored.content}
    return [{"role": "system", "content": system}, *past, question]


class _Recorder:
    """What streamed so far, and the one-time save of the assistant's message."""

    def __init__(self, turn: ChatTurn) -> None:
        self.turn = turn
        self.parts: list[str] = []
        self.tool_calls: list[dict[str, Any]] = []
        self.outputs: list[verify.ToolOutput] = []
        self.verification: Verification | None = None
        self.charts: list[dict[str, Any]] = []
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.cost_usd: float | None = None
        self.message_id: int | None = None
        self.action_ids: list[str] = []
        self._lock = threading.Lock()

    def apply(self, event: ChatEvent) -> None:
        if isinstance(event, TokenEvent):
            self.parts.append(event.text)
        elif isinstance(event, ToolStartEvent):
            self.tool_calls.append(
                {"id": event.id, "name": event.name, "arguments": event.arguments}
            )
        elif isinstance(event, ToolEndEvent):
            for call in self.tool_calls:
                if call["id"] == event.id:
                    call.update(ok=event.ok, summary=event.summary)
                    if event.pending is not None:
                        call["action_id"] = event.pending.id
                        self.action_ids.append(event.pending.id)
                    if event.ok:
                        self.outputs.append(
                            verify.ToolOutput(
                                tool=event.name,
                                arguments=call["arguments"],
                                data=event.data,
                                summary=event.summary,
                            )
                        )
        elif isinstance(event, ChartEvent):
            self.charts.append(event.chart)
        elif isinstance(event, UsageEvent):
            self.prompt_tokens += event.prompt_tokens
            self.completion_tokens += event.completion_tokens
            if event.cost_usd is not None:
                self.cost_usd = (self.cost_usd or 0.0) + event.cost_usd

    def check(self) -> VerifyEvent:
        """Trace the finished answer's numbers to this turn's and earlier tool results."""
        self.verification = verify.check(
            answer="".join(self.parts),
            outputs=[*self.turn.earlier_tools, *self.outputs],
            today=self.turn.today,
        )
        return VerifyEvent(verification=self.verification)

    def usage(self) -> UsageEvent:
        return UsageEvent(
            model_id=self.turn.model_id,
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            cost_usd=self.cost_usd,
        )

    def save(self, status: str) -> int:
        """Store the assistant's message once (later calls return the same id)."""
        with self._lock:
            if self.message_id is None:
                with session_scope() as session:
                    stored = conversations.save_assistant_message(
                        session=session,
                        conversation_id=self.turn.conversation_id,
                        content="".join(self.parts),
                        status=status,
                        model_id=self.turn.model_id,
                        tool_calls=self.tool_calls,
                        charts=self.charts,
                        prompt_tokens=self.prompt_tokens or None,
                        completion_tokens=self.completion_tokens or None,
                        verification=self.verification,
                    )
                    pending.attach(
                        session=session, action_ids=self.action_ids, message_id=stored.id
                    )
                    self.message_id = stored.id
            return self.message_id


async def stream_turn(turn: ChatTurn) -> AsyncIterator[ChatEvent]:
    """Answer ``turn``: tokens, tool activity and charts, then ``usage`` and ``done`` (or one
    ``error``). If the consumer stops early (disconnect, stop button) the partial text is saved."""
    recorder = _Recorder(turn)
    try:
        engine = offline.answer(turn) if turn.config is None else _llm_answer(turn)
        async for event in engine:
            recorder.apply(event)
            if not isinstance(event, UsageEvent):
                yield event
        yield await asyncio.to_thread(recorder.check)
        usage = recorder.usage()
        message_id = await asyncio.to_thread(recorder.save, "complete")
        yield usage
        yield DoneEvent(conversation_id=turn.conversation_id, message_id=message_id)
    except llm.LlmError as exc:
        await asyncio.to_thread(recorder.save, "error")
        yield ErrorEvent(code=exc.code, message=exc.message, conversation_id=turn.conversation_id)
    except Exception:
        logger.exception("chat turn failed")
        await asyncio.to_thread(recorder.save, "error")
        yield ErrorEvent(
            code="internal_error",
            message="Something went wrong while answering; what streamed so far was saved.",
            conversation_id=turn.conversation_id,
        )
    finally:
        if recorder.message_id is None:
            # Cancelled or closed by the consumer: awaiting is no longer possible, save inline.
            recorder.save("partial")


async def _llm_answer(turn: ChatTurn) -> AsyncIterator[ChatEvent]:
    """The tool-calling loop: at most ``MAX_TOOL_ROUNDS`` rounds of tools, then a final answer."""
    assert turn.config is not None
    messages = list(turn.prompt)
    client = llm.make_client(turn.config)
    tools = TOOLS.openai_tools()
    wrote_text = False
    try:
        for round_number in range(MAX_TOOL_ROUNDS + 1):
            offer_tools = round_number < MAX_TOOL_ROUNDS
            result = llm.RoundResult()
            async for item in llm.stream_round(
                client,
                model_id=turn.config.model_id,
                messages=messages,
                tools=tools if offer_tools else None,
            ):
                if isinstance(item, str):
                    wrote_text = True
                    yield TokenEvent(text=item)
                else:
                    result = item
            yield UsageEvent(
                model_id=turn.model_id,
                prompt_tokens=result.prompt_tokens,
                completion_tokens=result.completion_tokens,
                cost_usd=result.cost_usd,
            )
            if not result.tool_calls:
                return
            if not offer_tools:
                break
            messages.append(_assistant_tool_message(result))
            for call in result.tool_calls:
                yield tool_start(call.id, call.name, call.arguments)
                outcome = await run_tool(turn, call.name, call.arguments)
                for event in tool_end(call.id, call.name, outcome):
                    yield event
                messages.append(
                    {"role": "tool", "tool_call_id": call.id, "content": outcome.summary}
                )
        yield TokenEvent(text=ROUND_LIMIT_NOTE if wrote_text else ROUND_LIMIT_NOTE.strip())
    finally:
        await client.close()


def _assistant_tool_message(result: llm.RoundResult) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": result.text or None,
        "tool_calls": [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments or "{}"},
            }
            for call in result.tool_calls
        ],
    }
