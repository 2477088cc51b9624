"""Hanging dependencies never hang a request: the LLM (``CADENCE_LLM_TIMEOUT_SECONDS``) and a
device provider (``CADENCE_DEVICE_HTTP_TIMEOUT_SECONDS``) each fail within their configured
timeout with an error in words, through the real API over HTTP."""
# ruff: noqa: F811  (pytest fixtures imported from tests.fakes.chat_fixtures)

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest
from httpx_sse import connect_sse

from tests.conftest import reset_caches
from tests.fakes.chat_fixtures import fake_llm, live_api  # noqa: F401
from tests.fakes.device_server import FakeProviderServer, Reply
from tests.fakes.openai_server import Hang

DEVICE_TIMEOUT_S = 0.5


def test_a_hanging_llm_ends_the_stream_with_a_timeout_error(live_api, fake_llm, account) -> None:
    """The provider sends a few tokens, then nothing for 30 s; the timeout here is 1.5 s."""
    fake_llm.queue(Hang(seconds=30, text_before="Looking at your sleep"))
    started = time.monotonic()
    with (
        httpx.Client(base_url=live_api, timeout=20) as http,
        connect_sse(
            http,
            "POST",
            "/api/v1/chat",
            json={"message": "how did I sleep?", "model_id": "fake/model"},
            headers=account.headers,
        ) as source,
    ):
        conversation_id = int(source.response.headers["x-conversation-id"])
        events = [(sse.event, json.loads(sse.data)) for sse in source.iter_sse()]
    elapsed = time.monotonic() - started
    assert elapsed < 10, f"the stream hung for {elapsed:.1f} s"
    name, payload = events[-1]
    assert name == "error" and payload["code"] == "provider_timeout", events[-3:]
    messages = httpx.get(
        f"{live_api}/api/v1/conversations/{conversation_id}/messages", headers=account.headers
    ).json()["messages"]
    assert messages[0]["role"] == "user" and messages[0]["content"] == "how did I sleep?"
    assert messages[-1]["role"] == "assistant"
    assert messages[-1]["content"].startswith("Looking at your sleep")  # partial text kept


@pytest.fixture
def hanging_whoop(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeProviderServer]:
    with FakeProviderServer() as server:
        monkeypatch.setenv("CADENCE_WHOOP_API_URL", server.base_url)
        monkeypatch.setenv("CADENCE_WHOOP_CLIENT_ID", "cid")
        monkeypatch.setenv("CADENCE_WHOOP_CLIENT_SECRET", "csecret")
        monkeypatch.setenv("CADENCE_DEVICE_HTTP_TIMEOUT_SECONDS", str(DEVICE_TIMEOUT_S))
        reset_caches()
        yield server


def test_a_hanging_device_provider_fails_the_sync_in_words(client, account, hanging_whoop) -> None:
    hanging_whoop.json(
        "POST",
        "/oauth/oauth2/token",
        {"access_token": "a", "refresh_token": "r", "expires_in": 3600},
    )
    hanging_whoop.default = Reply({"records": [], "next_token": None}, delay=5)
    authorize = client.post("/api/v1/devices/whoop/connect", headers=account.headers).json()
    state = httpx.URL(authorize["authorize_url"]).params["state"]
    started = time.monotonic()
    client.get(
        "/api/v1/devices/whoop/callback",
        params={"state": state, "code": "c"},
        headers=account.headers,
        follow_redirects=False,
    )
    synced = client.post("/api/v1/devices/whoop/sync", headers=account.headers)
    elapsed = time.monotonic() - started
    assert synced.status_code == 200, synced.text
    device = synced.json()
    assert device["status"] == "error"
    assert "did not answer in time" in device["last_error"]
    assert elapsed < 8, f"the sync hung for {elapsed:.1f} s"
