"""Chat test helpers: the fake OpenAI server wired into the settings, and turn runners."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date

import pytest

from cadence.db import session_scope
from cadence.services.chat import agent
from cadence.services.chat.events import ChatEvent, TokenEvent
from cadence.services.chat.turn import ChatTurn
from tests.conftest import reset_caches
from tests.fakes.openai_server import FakeOpenAIServer, ThreadedServer


@pytest.fixture
def fake_llm(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAIServer]:
    """A running fake provider; the environment key and base URL point at it."""
    with FakeOpenAIServer() as server:
        monkeypatch.setenv("CADENCE_LLM_BASE_URL", server.base_url)
        monkeypatch.setenv("CADENCE_LLM_API_KEY", server.provider.api_key)
        monkeypatch.setenv("CADENCE_LLM_TIMEOUT_SECONDS", "1.5")
        monkeypatch.setenv("CADENCE_LLM_MAX_RETRIES", "0")
        monkeypatch.setenv("CADENCE_LLM_MODELS", "fake/model,fake/other")
        reset_caches()
        yield server


@pytest.fixture
def live_api(fake_llm: FakeOpenAIServer) -> Iterator[str]:
    """The real API app served over HTTP (for SSE clients and disconnects); yields its URL."""
    from cadence.api.app import create_api

    server = ThreadedServer(create_api())
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


def run_turn(
    user_id: int,
    message: str,
    *,
    model_id: str | None = None,
    conversation_id: int | None = None,
    today: date | None = None,
) -> tuple[ChatTurn, list[ChatEvent]]:
    """Start a turn (storing the user's message) and collect every event the agent yields."""
    with session_scope() as session:
        turn = agent.start_turn(
            session=session,
            user_id=user_id,
            message=message,
            conversation_id=conversation_id,
            model_id=model_id,
            today=today,
        )

    async def collect() -> list[ChatEvent]:
        return [event async for event in agent.stream_turn(turn)]

    return turn, asyncio.run(collect())


def text_of(events: list[ChatEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, TokenEvent))


def kinds(events: list[ChatEvent]) -> list[str]:
    """Event kinds with consecutive tokens collapsed into one ``token``."""
    out: list[str] = []
    for event in events:
        if not (event.kind == "token" and out and out[-1] == "token"):
            out.append(event.kind)
    return out
