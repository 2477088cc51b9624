"""``/chat``: the streamed coaching chat (DESIGN §4) and the models a user can pick."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from cadence.api.deps import CurrentUser, SessionDep
from cadence.api.responses import error_responses
from cadence.models.chat import ChatModelsResponse, ChatRequest, ChatRetryRequest
from cadence.services.chat import agent, llm_settings
from cadence.services.chat.events import to_sse
from cadence.services.chat.turn import ChatTurn

router = APIRouter(prefix="/chat", tags=["chat"])

_SSE_SCHEMA = {
    "type": "object",
    "description": "One Server-Sent Event: `event` names it, `data` is its JSON (DESIGN §4).",
    "properties": {
        "event": {
            "type": "string",
            "enum": [
                "token",
                "tool_start",
                "tool_end",
                "chart",
                "verify",
                "usage",
                "done",
                "error",
            ],
        },
        "data": {"type": "string", "contentMediaType": "application/json"},
    },
    "required": ["event", "data"],
}
_SSE_EXAMPLE = (
    'event: tool_start\ndata: {"id": "call_1", "name": "get_sleep_history", "arguments": {}}\n\n'
    'event: token\ndata: {"text": "You slept 7.1 h"}\n\n'
    'event: verify\ndata: {"verified": [{"text": "7.1 h", "start": 10, "end": 15, '
    '"tool": "get_sleep_history", "field": "avg_hours", "day": null}], "unverified": [], '
    '"advice": []}\n\n'
    'event: done\ndata: {"conversation_id": 12, "message_id": 345}\n\n'
)

_SSE_DESCRIPTION = (
    "Server-Sent Events: `token`, `tool_start`, `tool_end`, `chart`, then one `verify` after the "
    "last `token` (`{verified: [{text, start, end, tool, field, day}], unverified: [{text, start, "
    "end}], advice: [...]}`: the answer's numbers traced to the tool results; clients may ignore "
    "it), `usage`, then exactly one `done` or `error`. The `X-Conversation-Id` header names the "
    "conversation."
)


_STREAM_RESPONSES = {
    200: {
        "description": _SSE_DESCRIPTION,
        "content": {"text/event-stream": {"schema": _SSE_SCHEMA, "example": _SSE_EXAMPLE}},
    },
    **error_responses(401, 404, 422, 429),
}


@router.post("", response_class=StreamingResponse, responses=_STREAM_RESPONSES)
def chat(body: ChatRequest, user: CurrentUser, session: SessionDep) -> StreamingResponse:
    """Send a message; the answer streams back as events (the message is stored first)."""
    turn = agent.start_turn(
        session=session,
        user_id=user.id,
        message=body.message,
        conversation_id=body.conversation_id,
        model_id=body.model_id,
    )
    session.commit()  # the user's message is stored before the model is called
    return _streaming(turn)


@router.post("/retry", response_class=StreamingResponse, responses=_STREAM_RESPONSES)
def retry(body: ChatRetryRequest, user: CurrentUser, session: SessionDep) -> StreamingResponse:
    """Answer the conversation's last question again after a failed answer (422 when it already
    has one); the question is not stored twice and the failed empty answer is removed."""
    turn = agent.retry_turn(
        session=session,
        user_id=user.id,
        conversation_id=body.conversation_id,
        model_id=body.model_id,
    )
    session.commit()
    return _streaming(turn)


def _streaming(turn: ChatTurn) -> StreamingResponse:
    return StreamingResponse(
        _event_stream(turn),
        media_type="text/event-stream",
        headers={
            "X-Conversation-Id": str(turn.conversation_id),
            "Cache-Control": "no-cache",
            "X-Accel-Buffering": "no",
        },
    )


async def _event_stream(turn: ChatTurn) -> AsyncIterator[str]:
    async for event in agent.stream_turn(turn):
        yield to_sse(event)


@router.get("/models", response_model=ChatModelsResponse, responses=error_responses(401))
def models(user: CurrentUser, session: SessionDep) -> ChatModelsResponse:
    """The offline coach and the configured models (``available`` when a key exists)."""
    return ChatModelsResponse(models=llm_settings.list_models(session=session, user_id=user.id))
