"""The LLM transport driven through the real openai client against the fake server (real HTTP)."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from cadence.services.chat import llm
from tests.fakes.openai_server import FakeOpenAIServer, Hang, Malformed, Status, Text, ToolCalls


@pytest.fixture
def fake():
    with FakeOpenAIServer() as server:
        yield server


def _config(fake: FakeOpenAIServer, *, key: str | None = None, timeout: float = 1.0):
    return llm.LlmConfig(
        api_key=key or fake.provider.api_key,
        base_url=fake.base_url,
        model_id="fake/model",
        timeout_seconds=timeout,
        max_retries=0,
    )


def _round(fake: FakeOpenAIServer, *, tools=None, **config):
    async def run():
        client = llm.make_client(_config(fake, **config))
        items = []
        try:
            async for item in llm.stream_round(
                client,
                model_id="fake/model",
                messages=[{"role": "user", "content": "hi"}],
                tools=tools,
            ):
                items.append(item)
        finally:
            await client.close()
        return items

    return asyncio.run(run())


def test_text_streams_in_deltas_with_usage(fake) -> None:
    fake.queue(Text("Seven point one hours.", chunk_chars=5))
    items = _round(fake)
    deltas, result = items[:-1], items[-1]
    assert deltas == ["Seven", " poin", "t one", " hour", "s."]
    assert result.text == "Seven point one hours."
    assert result.tool_calls == []
    assert (result.prompt_tokens, result.completion_tokens) == (42, 5)
    assert result.finish_reason == "stop"
    assert fake.requests[0]["stream"] is True
    assert fake.requests[0]["stream_options"] == {"include_usage": True}


def test_tool_call_fragments_are_accumulated_by_index(fake) -> None:
    first = json.dumps({"days": 7})
    second = json.dumps({"metric": "sleep_hours", "days": 14})
    fake.queue(
        ToolCalls(
            [("get_sleep_history", first), ("render_chart", second)],
            text="Let me look.",
            fragment_chars=3,
        )
    )
    result = _round(fake, tools=[{"type": "function", "function": {"name": "x"}}])[-1]
    assert [(c.name, json.loads(c.arguments)) for c in result.tool_calls] == [
        ("get_sleep_history", {"days": 7}),
        ("render_chart", {"metric": "sleep_hours", "days": 14}),
    ]
    assert all(c.id.startswith("call_") for c in result.tool_calls)
    assert result.text == "Let me look."
    assert result.finish_reason == "tool_calls"


@pytest.mark.parametrize(
    ("reply", "code"),
    [
        (Status(429, "slow down", headers={"retry-after": "0"}), "provider_rate_limited"),
        (Status(500, "upstream exploded"), "provider_error"),
        (Status(404, "no such model"), "model_not_found"),
        (Malformed(text_before="Half"), "provider_bad_response"),
    ],
)
def test_provider_failures_become_llm_errors(fake, reply, code) -> None:
    fake.queue(reply)
    with pytest.raises(llm.LlmError) as caught:
        _round(fake)
    assert caught.value.code == code
    assert caught.value.message


def test_a_wrong_key_is_provider_auth(fake) -> None:
    with pytest.raises(llm.LlmError) as caught:
        _round(fake, key="sk-wrong-key-0000")
    assert caught.value.code == "provider_auth"
    assert "Settings" in caught.value.message


@pytest.mark.parametrize("text_before", ["", "Partial answer"])
def test_a_hanging_provider_times_out(fake, text_before) -> None:
    fake.queue(Hang(seconds=20, text_before=text_before))
    started = time.monotonic()
    with pytest.raises(llm.LlmError) as caught:
        _round(fake, timeout=0.5)
    assert caught.value.code == "provider_timeout"
    assert time.monotonic() - started < 5


def test_an_unreachable_provider(fake) -> None:
    config = _config(fake)
    dead = llm.LlmConfig(
        api_key=config.api_key,
        base_url="http://127.0.0.1:9/v1",
        model_id="m",
        timeout_seconds=1,
        max_retries=0,
    )

    async def run():
        client = llm.make_client(dead)
        async for _ in llm.stream_round(client, model_id="m", messages=[], tools=None):
            pass

    with pytest.raises(llm.LlmError) as caught:
        asyncio.run(run())
    assert caught.value.code in {"provider_unreachable", "provider_timeout"}
