"""``POST /api/v1/chat`` over real HTTP, parsed by a real SSE client (httpx-sse), plus the
conversations, models and LLM-settings endpoints."""
# ruff: noqa: F811  (pytest fixtures imported from tests.fakes.chat_fixtures)

from __future__ import annotations

import io
import json
import time
import zipfile

import httpx
import pytest
from httpx_sse import connect_sse
from sqlalchemy import text
from sqlmodel import select

from cadence.db import get_engine, session_scope
from cadence.models.chat import ChatMessage
from cadence.models.common import utcnow
from cadence.services import demo
from tests.fakes.chat_fixtures import fake_llm, live_api  # noqa: F401
from tests.fakes.openai_server import Status, Text, ToolCalls

PAYLOAD_KEYS = {
    "token": {"text"},
    "tool_start": {"id", "name", "arguments"},
    "tool_end": {"id", "name", "ok", "summary"},
    "chart": {"id", "kind", "title", "x", "series", "data"},
    "verify": {"verified", "unverified", "advice"},
    "usage": {"model_id", "prompt_tokens", "completion_tokens", "cost_usd"},
    "done": {"conversation_id", "message_id"},
    "error": {"code", "message", "conversation_id"},
}


def _stream(base_url: str, token: str, body: dict) -> tuple[httpx.Response, list[tuple[str, dict]]]:
    with (
        httpx.Client(base_url=base_url, timeout=20) as http,
        connect_sse(
            http,
            "POST",
            "/api/v1/chat",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
        ) as source,
    ):
        events = [(sse.event, json.loads(sse.data)) for sse in source.iter_sse()]
        return source.response, events


def _check_protocol(events: list[tuple[str, dict]]) -> None:
    for name, payload in events:
        assert set(payload) == PAYLOAD_KEYS[name], (name, payload)
    terminal = [name for name, _ in events if name in {"done", "error"}]
    assert len(terminal) == 1 and events[-1][0] == terminal[0]


def test_offline_answer_streams_every_event_kind(live_api, account) -> None:
    with session_scope() as session:
        demo.generate_demo_data(session=session, user_id=account.user["id"])
    response, events = _stream(
        live_api,
        account.token,
        {
            "message": "How did I sleep last night?",
            "conversation_id": None,
            "model_id": "cadence/offline",
        },
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    conversation_id = int(response.headers["x-conversation-id"])
    _check_protocol(events)
    names = [name for name, _ in events]
    first_token = names.index("token")
    assert names[:first_token] == ["tool_start", "tool_end", "tool_start", "tool_end", "chart"]
    assert names[-3:] == ["verify", "usage", "done"]
    assert sum(name == "token" for name in names) > 10  # streamed piece by piece
    assert events[-1][1]["conversation_id"] == conversation_id
    assert events[-2][1]["model_id"] == "cadence/offline"
    chart = dict(events)["chart"]
    assert chart["kind"] == "bar" and chart["x"] == "date" and chart["data"]
    answer = "".join(p["text"] for n, p in events if n == "token")
    assert "you slept **" in answer


def test_model_answer_with_tools_keeps_the_payload_shapes(live_api, fake_llm, account) -> None:
    fake_llm.queue(
        ToolCalls([("render_chart", json.dumps({"metric": "sleep_hours", "days": 7}))]),
        Text("Here is the chart."),
    )
    response, events = _stream(
        live_api, account.token, {"message": "chart my sleep", "model_id": "fake/model"}
    )
    _check_protocol(events)
    names = [name for name, _ in events]
    assert names[:2] == ["tool_start", "tool_end"]
    assert names[-3:] == ["verify", "usage", "done"]
    start, end = events[0][1], events[1][1]
    assert start["arguments"] == {"metric": "sleep_hours", "days": 7}
    assert end["id"] == start["id"] and end["ok"] is True
    assert end["summary"].startswith("No sleep data in the last 7 days to chart.")
    usage = events[-2][1]
    assert usage == {
        "model_id": "fake/model",
        "prompt_tokens": 84,
        "completion_tokens": usage["completion_tokens"],
        "cost_usd": None,
    }
    with session_scope() as session:
        stored = session.get(ChatMessage, events[-1][1]["message_id"])
        assert stored.content == "Here is the chart." and stored.tool_calls[0]["ok"] is True
        assert stored.conversation_id == int(response.headers["x-conversation-id"])


def test_provider_failure_is_one_error_event(live_api, fake_llm, account) -> None:
    fake_llm.queue(Status(500, "upstream exploded"))
    response, events = _stream(live_api, account.token, {"message": "hi", "model_id": "fake/model"})
    _check_protocol(events)
    assert response.status_code == 200
    assert events == [
        (
            "error",
            {
                "code": "provider_error",
                "message": "The model provider failed (HTTP 500); retry later.",
                "conversation_id": int(response.headers["x-conversation-id"]),
            },
        )
    ]


def test_client_disconnect_stores_the_partial_answer(live_api, fake_llm, account) -> None:
    full = "word " * 200
    fake_llm.queue(Text(full, chunk_chars=5, delay=0.02))
    seen = []
    with (
        httpx.Client(base_url=live_api, timeout=20) as http,
        connect_sse(
            http,
            "POST",
            "/api/v1/chat",
            json={"message": "talk a lot", "model_id": "fake/model"},
            headers=account.headers,
        ) as source,
    ):
        conversation_id = int(source.response.headers["x-conversation-id"])
        for sse in source.iter_sse():
            if sse.event == "token":
                seen.append(json.loads(sse.data)["text"])
            if len(seen) == 5:
                break
    received = "".join(seen)
    deadline = time.monotonic() + 10
    stored = None
    while time.monotonic() < deadline:
        with session_scope() as session:
            stored = session.exec(
                select(ChatMessage).where(
                    ChatMessage.conversation_id == conversation_id,
                    ChatMessage.role == "assistant",
                )
            ).first()
        if stored is not None:
            break
        time.sleep(0.1)
    assert stored is not None, "the partial answer was not stored"
    assert stored.status == "partial"
    assert stored.content.startswith(received) and len(stored.content) < len(full)


# --- request validation (before any stream starts) -----------------------------------------


def test_a_hosted_model_without_a_key_is_422(client, account) -> None:
    response = client.post(
        "/api/v1/chat",
        json={"message": "hi", "model_id": "openai/gpt-4o-mini"},
        headers=account.headers,
    )
    assert response.status_code == 422
    assert "No API key" in response.json()["detail"][0]["msg"]
    assert client.get("/api/v1/conversations", headers=account.headers).json() == {
        "conversations": []
    }


@pytest.mark.parametrize(
    "body",
    [
        {"message": ""},
        {"message": "x" * 8001},
        {"message": "hi", "extra": 1},
        {"message": "hi", "model_id": "has spaces"},
        {"message": "nul \x00 byte"},
        {"message": "hi", "conversation_id": 0},
        {"message": "hi", "conversation_id": 2**40},
        {},
    ],
)
def test_bad_chat_bodies_are_422(client, account, body) -> None:
    response = client.post("/api/v1/chat", json=body, headers=account.headers)
    assert response.status_code == 422, response.text


def test_chat_requires_a_token(client) -> None:
    assert client.post("/api/v1/chat", json={"message": "hi"}).status_code == 401


# --- conversations -------------------------------------------------------------------------


def _offline_chat(client, account, message: str, conversation_id: int | None = None) -> int:
    response = client.post(
        "/api/v1/chat",
        json={"message": message, "conversation_id": conversation_id},
        headers=account.headers,
    )
    assert response.status_code == 200
    assert "event: done" in response.text
    return int(response.headers["x-conversation-id"])


def test_conversations_list_messages_and_delete(client, account) -> None:
    first = _offline_chat(client, account, "What's my HRV trend?")
    second = _offline_chat(client, account, "Hello there")
    assert _offline_chat(client, account, "What was my last workout?", first) == first
    listed = client.get("/api/v1/conversations", headers=account.headers).json()["conversations"]
    assert [c["id"] for c in listed] == [first, second]  # most recently updated first
    assert listed[0]["title"] == "What's my HRV trend?"
    assert [c["message_count"] for c in listed] == [4, 2]
    assert listed[0]["created_at"].endswith("Z")
    messages = client.get(
        f"/api/v1/conversations/{first}/messages", headers=account.headers
    ).json()["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]
    assert messages[1]["tool_calls"][0]["name"] == "get_hrv_trend"
    assert messages[1]["tool_calls"][0]["ok"] is True
    assert messages[0]["tool_calls"] is None
    deleted = client.delete(f"/api/v1/conversations/{first}", headers=account.headers)
    assert deleted.status_code == 204
    assert (
        client.get(f"/api/v1/conversations/{first}/messages", headers=account.headers).status_code
        == 404
    )
    with get_engine().connect() as connection:
        left = connection.execute(
            text("SELECT count(*) FROM chat_message WHERE conversation_id = :c"), {"c": first}
        ).scalar_one()
    assert left == 0


@pytest.mark.parametrize("conversation_id", [0, -1, 2**40])
def test_out_of_range_conversation_ids_are_422(client, account, conversation_id) -> None:
    for method, path in [
        ("GET", f"/api/v1/conversations/{conversation_id}/messages"),
        ("DELETE", f"/api/v1/conversations/{conversation_id}"),
    ]:
        assert client.request(method, path, headers=account.headers).status_code == 422


def test_conversations_are_private(client, make_account) -> None:
    alice, bob = make_account(), make_account()
    conversation = _offline_chat(client, alice, "my secret question")
    assert client.get("/api/v1/conversations", headers=bob.headers).json() == {"conversations": []}
    for method, path in [
        ("GET", f"/api/v1/conversations/{conversation}/messages"),
        ("DELETE", f"/api/v1/conversations/{conversation}"),
    ]:
        response = client.request(method, path, headers=bob.headers)
        assert response.status_code == 404
        assert response.json() == {"detail": "Conversation not found."}
    response = client.post(
        "/api/v1/chat",
        json={"message": "append", "conversation_id": conversation},
        headers=bob.headers,
    )
    assert response.status_code == 404
    assert (
        len(
            client.get(
                f"/api/v1/conversations/{conversation}/messages", headers=alice.headers
            ).json()["messages"]
        )
        == 2
    )


def test_raw_html_is_stored_as_text(client, account) -> None:
    payload = "<img src=x onerror=alert(1)>"
    conversation = _offline_chat(client, account, payload)
    messages = client.get(
        f"/api/v1/conversations/{conversation}/messages", headers=account.headers
    ).json()["messages"]
    assert messages[0]["content"] == payload


# --- models and LLM settings -----------------------------------------------------------------


def test_models_without_and_with_a_key(client, account) -> None:
    models = client.get("/api/v1/chat/models", headers=account.headers).json()["models"]
    assert models[0] == {
        "id": "cadence/offline",
        "label": "Offline coach (no API key needed)",
        "available": True,
    }
    assert len(models) > 1 and not any(m["available"] for m in models[1:])
    client.put(
        "/api/v1/settings/llm",
        json={"api_key": "sk-user-abcdefgh1234", "default_model_id": "mistral/small-3"},
        headers=account.headers,
    )
    models = client.get("/api/v1/chat/models", headers=account.headers).json()["models"]
    assert models[1] == {"id": "mistral/small-3", "label": "small-3 (mistral)", "available": True}
    assert all(m["available"] for m in models)


def test_llm_key_is_write_only_and_encrypted(client, account) -> None:
    url = "/api/v1/settings/llm"
    provider = {"base_url": "https://openrouter.ai/api/v1"}
    assert client.get(url, headers=account.headers).json() == {
        "has_api_key": False,
        "api_key_last4": None,
        "default_model_id": None,
        "key_base_url": None,
        **provider,
    }
    response = client.put(url, json={"api_key": "sk-secret-value-WXYZ"}, headers=account.headers)
    assert response.json() == {
        "has_api_key": True,
        "api_key_last4": "WXYZ",
        "default_model_id": None,
        "key_base_url": "https://openrouter.ai/api/v1",
        **provider,
    }
    assert "sk-secret" not in client.get(url, headers=account.headers).text
    with get_engine().connect() as connection:
        stored = connection.execute(text("SELECT api_key_encrypted FROM user_llm_setting")).scalar()
    assert stored and "sk-secret" not in stored
    kept = client.put(url, json={"default_model_id": "openai/gpt-4o"}, headers=account.headers)
    assert kept.json()["has_api_key"] is True
    assert kept.json()["default_model_id"] == "openai/gpt-4o"
    removed = client.put(url, json={"api_key": ""}, headers=account.headers).json()
    assert removed == {
        "has_api_key": False,
        "api_key_last4": None,
        "default_model_id": "openai/gpt-4o",
        "key_base_url": None,
        **provider,
    }


@pytest.mark.parametrize(
    "body",
    [
        {"api_key": "short"},
        {"api_key": "has a space here"},
        {"default_model_id": "bad id"},
        {"default_model_id": "nul\x00"},
        {"api_key": "sk-\x00-nul-byte"},
        {"api_key": "sk-\u00fcnicode-key"},
        {"api_key": "x" * 501},
        {"unknown": True},
    ],
)
def test_bad_llm_settings_are_422(client, account, body) -> None:
    assert client.put("/api/v1/settings/llm", json=body, headers=account.headers).status_code == 422


def test_openapi_documents_the_chat_endpoints(client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "text/event-stream" in paths["/api/v1/chat"]["post"]["responses"]["200"]["content"]
    for path in [
        "/api/v1/chat/models",
        "/api/v1/conversations",
        "/api/v1/conversations/{conversation_id}/messages",
        "/api/v1/conversations/{conversation_id}",
        "/api/v1/settings/llm",
    ]:
        assert path in paths


def test_utc_timestamps(client, account) -> None:
    before = utcnow()
    _offline_chat(client, account, "hello")
    listed = client.get("/api/v1/conversations", headers=account.headers).json()["conversations"]
    assert listed[0]["updated_at"] >= before.isoformat()[:19]


def test_verify_event_is_stored_shown_after_reload_and_exported(live_api, account) -> None:
    with session_scope() as session:
        demo.generate_demo_data(session=session, user_id=account.user["id"])
    response, events = _stream(
        live_api,
        account.token,
        {"message": "How did I sleep last night?", "model_id": "cadence/offline"},
    )
    answer = "".join(p["text"] for n, p in events if n == "token")
    verify = dict(events)["verify"]
    assert verify["verified"] and verify["unverified"] == []
    first = verify["verified"][0]
    assert set(first) == {"text", "start", "end", "tool", "field", "day"}
    assert answer[first["start"] : first["end"]] == first["text"]
    assert first["tool"] == "get_sleep_history"
    conversation_id = int(response.headers["x-conversation-id"])
    headers = {"Authorization": f"Bearer {account.token}"}
    with httpx.Client(base_url=live_api, timeout=20, headers=headers) as http:
        stored = http.get(f"/api/v1/conversations/{conversation_id}/messages").json()
        archive = zipfile.ZipFile(io.BytesIO(http.get("/api/v1/export").content))
    assert stored["messages"][-1]["verify"] == verify
    assert stored["messages"][0]["verify"] is None  # the user's own message is not checked
    exported = json.loads(archive.read("conversations.json"))
    message = exported[0]["messages"][-1]
    assert message["verify"] == verify
    assert message["numbers_stated"] == message["numbers_verified"] == len(verify["verified"])
