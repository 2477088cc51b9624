"""Pytest fixtures for the chat tests: the fake OpenAI server wired into the settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import reset_caches
from tests.fakes.openai_server import FakeOpenAIServer


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
