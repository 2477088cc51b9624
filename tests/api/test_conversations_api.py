"""One conversation (``GET``), renaming it (``PATCH``) and answering a failed question again
(``POST /chat/retry``), over real HTTP against the fake provider."""
# ruff: noqa: F811  (pytest fixtures imported from tests.fakes.chat_fixtures)

from __future__ import annotations

import json

import httpx
from httpx_sse import connect_sse
from sqlmodel import col, select

from cadence.db import session_scope
from cadence.models.chat import ChatMessage
from tests.fakes.chat_fixtures import fake_llm, live_api  # noqa: F401
from tests.fakes.openai_server import Status, Text


def _stream(base_url: str, token: str, path: str, body: dict) -> list[tuple[str, dict]]:
    with (
        httpx.Client(base_url=base_url, timeout=20) as http,
        connect_sse(
            http, "POST", path, json=body, headers={"Authorization": f"Bearer {token}"}
        ) as source,
    ):
        assert source.response.status_code == 200, source.response.read()
        return [(sse.event, json.loads(sse.data)) for sse in source.iter_sse()]


def _messages(conversation_id: int) -> list[tuple[str, str, str]]:
    with session_scope() as session:
        rows = session.exec(
            select(ChatMessage)
            .where(ChatMessage.conversation_id == conversation_id)
            .order_by(col(ChatMessage.id))
        ).all()
        return [(m.role, m.status, m.content) for m in rows]


def test_get_and_rename_one_conversation(client, account, make_account) -> None:
    chat = client.post(
        "/api/v1/chat",
        json={"message": "How did I sleep?", "model_id": "cadence/offline"},
        headers=account.headers,
    )
    conversation_id = int(chat.headers["x-conversation-id"])
    one = client.get(f"/api/v1/conversations/{conversation_id}", headers=account.headers)
    assert one.status_code == 200
    assert one.json()["title"] == "How did I sleep?" and one.json()["message_count"] == 2

    renamed = client.patch(
        f"/api/v1/conversations/{conversation_id}",
        json={"title": "  Sleep   questions "},
        headers=account.headers,
    )
    assert renamed.status_code == 200 and renamed.json()["title"] == "Sleep questions"
    listed = client.get("/api/v1/conversations", headers=account.headers).json()
    assert [c["title"] for c in listed["conversations"]] == ["Sleep questions"]

    blank = client.patch(
        f"/api/v1/conversations/{conversation_id}", json={"title": "   "}, headers=account.headers
    )
    assert blank.status_code == 422
    other = make_account(email="other@example.com")
    for response in (
        client.get(f"/api/v1/conversations/{conversation_id}", headers=other.headers),
        client.patch(
            f"/api/v1/conversations/{conversation_id}", json={"title": "x"}, headers=other.headers
        ),
    ):
        assert response.status_code == 404
    assert client.get("/api/v1/conversations/999999", headers=account.headers).status_code == 404


def test_retry_after_a_provider_failure_answers_once_without_an_empty_answer(
    live_api, fake_llm, account
) -> None:
    fake_llm.queue(Status(500, "upstream exploded"))
    events = _stream(
        live_api, account.token, "/api/v1/chat", {"message": "hi", "model_id": "fake/model"}
    )
    assert [name for name, _ in events] == ["error"]
    conversation_id = events[0][1]["conversation_id"]
    assert _messages(conversation_id) == [("user", "complete", "hi"), ("assistant", "error", "")]

    fake_llm.queue(Text("Hello again."))
    events = _stream(
        live_api,
        account.token,
        "/api/v1/chat/retry",
        {"conversation_id": conversation_id, "model_id": "fake/model"},
    )
    assert events[-1][0] == "done"
    # the question is stored once, the failed empty answer is gone
    assert _messages(conversation_id) == [
        ("user", "complete", "hi"),
        ("assistant", "complete", "Hello again."),
    ]
    with httpx.Client(base_url=live_api, timeout=20) as http:
        again = http.post(
            "/api/v1/chat/retry",
            json={"conversation_id": conversation_id},
            headers={"Authorization": f"Bearer {account.token}"},
        )
    assert again.status_code == 422  # answered: nothing to retry
    assert "no unanswered question" in again.text


def test_retry_with_the_offline_coach(live_api, fake_llm, account) -> None:
    fake_llm.queue(Status(500, "down"))
    events = _stream(
        live_api,
        account.token,
        "/api/v1/chat",
        {"message": "How is my training load?", "model_id": "fake/model"},
    )
    conversation_id = events[-1][1]["conversation_id"]
    events = _stream(
        live_api,
        account.token,
        "/api/v1/chat/retry",
        {"conversation_id": conversation_id, "model_id": "cadence/offline"},
    )
    names = [name for name, _ in events]
    assert "tool_start" in names and names[-1] == "done"
    roles = _messages(conversation_id)
    assert [r[:2] for r in roles] == [("user", "complete"), ("assistant", "complete")]
    assert roles[1][2]  # the offline coach answered in words
