"""``/api/v1/admin``: only admins see it (404 for everyone else), disabling revokes tokens at once,
usage figures come from the real tables, and the shared LLM key is write-only."""

from __future__ import annotations

import pytest
from sqlmodel import select

from cadence.models.chat import AppLlmSetting, ChatMessage, Conversation
from cadence.models.device import DeviceConnection
from cadence.services.crypto import decrypt_secret

ADMIN_ENDPOINTS = [
    ("get", "/api/v1/admin/users", None),
    ("patch", "/api/v1/admin/users/1", {"is_active": False}),
    ("patch", "/api/v1/admin/users/1", {"bogus": 1}),
    ("patch", "/api/v1/admin/users/999", {"is_admin": True}),
    ("get", "/api/v1/admin/llm", None),
    ("put", "/api/v1/admin/llm", {"api_key": "sk-test-12345678"}),
    ("put", "/api/v1/admin/llm", {"models": "not a list"}),
    ("get", "/api/v1/admin/usage/models", None),
]
WORKOUT = {
    "date": "2026-11-20",
    "workout_name": "Upper A",
    "exercises": [{"name": "Bench Press", "sets": 3, "reps": "5", "weight_kg": 80}],
}


@pytest.fixture
def admin(make_account):
    first = make_account(email="admin@example.com")
    assert first.user["is_admin"] is True
    return first


@pytest.mark.parametrize(("method", "path", "payload"), ADMIN_ENDPOINTS)
def test_non_admin_gets_404_everywhere(client, admin, make_account, method, path, payload):
    member = make_account()
    assert member.user["is_admin"] is False
    kwargs = {"json": payload} if payload is not None else {}
    response = client.request(method.upper(), path, headers=member.headers, **kwargs)
    assert response.status_code == 404, response.text
    assert response.json() == {"detail": "Not found."}
    anonymous = client.request(method.upper(), path, **kwargs)
    assert anonymous.status_code == 401


def test_user_list_counts_usage(client, admin, make_account, session):
    member = make_account(email="member@example.com", name="Member")
    for _ in range(2):
        assert (
            client.post("/api/v1/workouts", json=WORKOUT, headers=member.headers).status_code == 201
        )
    member_id = member.user["id"]
    conversation = Conversation(user_id=member_id, title="Sleep")
    session.add(conversation)
    session.flush()
    session.add_all(
        [
            ChatMessage(conversation_id=conversation.id, role="user", content="How did I sleep?"),
            ChatMessage(
                conversation_id=conversation.id,
                role="assistant",
                content="7.1 h",
                prompt_tokens=120,
                completion_tokens=30,
            ),
            DeviceConnection(user_id=member_id, provider="whoop", status="ok", credentials="x"),
            DeviceConnection(user_id=member_id, provider="garmin", status="disconnected"),
        ]
    )
    session.commit()

    response = client.get("/api/v1/admin/users", headers=admin.headers)
    assert response.status_code == 200, response.text
    rows = {row["email"]: row for row in response.json()["users"]}
    assert list(rows) == ["admin@example.com", "member@example.com"]
    row = rows["member@example.com"]
    assert row["workouts"] == 2
    assert row["devices"] == 1  # only the connected one
    assert (row["conversations"], row["chat_messages"], row["chat_tokens"]) == (1, 1, 150)
    assert row["is_active"] is True and row["is_admin"] is False
    assert row["created_at"].endswith("Z")
    assert row["last_active_at"] is not None  # member made authenticated requests
    assert rows["admin@example.com"]["workouts"] == 0


def test_disable_revokes_tokens_at_once_and_enable_needs_new_login(client, admin, make_account):
    member = make_account()
    url = f"/api/v1/admin/users/{member.user['id']}"
    assert client.get("/api/v1/auth/me", headers=member.headers).status_code == 200

    disabled = client.patch(url, json={"is_active": False}, headers=admin.headers)
    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["is_active"] is False
    assert client.get("/api/v1/auth/me", headers=member.headers).status_code == 401
    login = {"email": member.email, "password": member.password}
    assert client.post("/api/v1/auth/login", json=login).status_code == 401

    enabled = client.patch(url, json={"is_active": True}, headers=admin.headers)
    assert enabled.json()["is_active"] is True
    assert client.get("/api/v1/auth/me", headers=member.headers).status_code == 401  # old token
    fresh = client.post("/api/v1/auth/login", json=login)
    assert fresh.status_code == 200
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {fresh.json()['token']}"})
    assert me.status_code == 200


def test_make_admin_grants_access(client, admin, make_account):
    member = make_account()
    url = f"/api/v1/admin/users/{member.user['id']}"
    promoted = client.patch(url, json={"is_admin": True}, headers=admin.headers)
    assert promoted.status_code == 200 and promoted.json()["is_admin"] is True
    assert client.get("/api/v1/admin/users", headers=member.headers).status_code == 200
    assert client.get("/api/v1/auth/me", headers=member.headers).json()["is_admin"] is True


def test_admin_cannot_lock_themselves_out(client, admin):
    url = f"/api/v1/admin/users/{admin.user['id']}"
    assert client.patch(url, json={"is_active": False}, headers=admin.headers).status_code == 409
    assert client.patch(url, json={"is_admin": False}, headers=admin.headers).status_code == 409
    assert client.get("/api/v1/admin/users", headers=admin.headers).status_code == 200


def test_unknown_user_is_404_for_admin(client, admin):
    response = client.patch(
        "/api/v1/admin/users/999", json={"is_active": False}, headers=admin.headers
    )
    assert response.status_code == 404


def test_llm_key_is_encrypted_and_write_only(client, admin, session):
    empty = client.get("/api/v1/admin/llm", headers=admin.headers).json()
    assert empty["has_api_key"] is False and empty["api_key_last4"] is None

    body = {"api_key": "sk-admin-secret-9876", "models": ["openai/gpt-4o-mini", "qwen/qwen3-32b"]}
    response = client.put("/api/v1/admin/llm", json=body, headers=admin.headers)
    assert response.status_code == 200, response.text
    shown = response.json()
    assert shown == {
        "has_api_key": True,
        "api_key_last4": "9876",
        "base_url": shown["base_url"],
        "models": ["openai/gpt-4o-mini", "qwen/qwen3-32b"],
        "daily_token_budget": 0,
    }
    assert "sk-admin-secret" not in response.text
    assert "sk-admin-secret" not in client.get("/api/v1/admin/llm", headers=admin.headers).text
    row = session.exec(select(AppLlmSetting)).one()
    assert "sk-admin-secret" not in row.api_key_encrypted
    assert decrypt_secret(row.api_key_encrypted) == "sk-admin-secret-9876"

    member_models = client.get("/api/v1/chat/models", headers=admin.headers).json()["models"]
    assert [m["id"] for m in member_models][1:] == ["openai/gpt-4o-mini", "qwen/qwen3-32b"]
    assert all(m["available"] for m in member_models)

    removed = client.put("/api/v1/admin/llm", json={"api_key": ""}, headers=admin.headers)
    assert removed.json()["has_api_key"] is False
    assert removed.json()["models"] == ["openai/gpt-4o-mini", "qwen/qwen3-32b"]


def test_llm_rejects_bad_model_ids(client, admin):
    response = client.put("/api/v1/admin/llm", json={"models": ["bad id!"]}, headers=admin.headers)
    assert response.status_code == 422


def test_create_admin_command(client, admin, make_account, capsys):
    from cadence.cli import main

    member = make_account(email="promote-me@example.com")
    assert main(["create-admin", "Promote-Me@example.com"]) == 0
    assert "promote-me@example.com is now an admin." in capsys.readouterr().out
    assert client.get("/api/v1/admin/users", headers=member.headers).status_code == 200
    assert main(["create-admin", "nobody@example.com"]) == 1
    assert "No account with the email nobody@example.com" in capsys.readouterr().err


def test_usage_by_model_shows_faithfulness(client, admin, make_account, session):
    member = make_account(email="member@example.com", name="Member")
    conversation = Conversation(user_id=member.user["id"], title="Sleep")
    session.add(conversation)
    session.flush()

    def answer(model_id: str, stated: int | None, verified: int | None) -> ChatMessage:
        return ChatMessage(
            conversation_id=conversation.id,
            role="assistant",
            content="...",
            model_id=model_id,
            prompt_tokens=10,
            completion_tokens=5,
            numbers_stated=stated,
            numbers_verified=verified,
        )

    session.add_all(
        [
            answer("fake/inventive", 4, 1),
            answer("fake/inventive", 6, 4),
            answer("cadence/offline", 3, 3),
            answer("fake/quiet", None, None),  # stated no number: no faithfulness
            ChatMessage(conversation_id=conversation.id, role="user", content="Hi"),
        ]
    )
    session.commit()
    response = client.get("/api/v1/admin/usage/models", headers=admin.headers)
    assert response.status_code == 200
    rows = {row["model_id"]: row for row in response.json()["models"]}
    assert rows["fake/inventive"] == {
        "model_id": "fake/inventive",
        "answers": 2,
        "tokens": 30,
        "numbers_stated": 10,
        "numbers_verified": 5,
        "faithfulness": 0.5,
    }
    assert rows["cadence/offline"]["faithfulness"] == 1.0
    assert rows["fake/quiet"]["faithfulness"] is None
    assert next(iter(rows)) == "fake/inventive"  # most answers first


def test_user_list_searches_sorts_and_pages_in_the_database(client, admin, make_account):
    for n in range(12):
        make_account(email=f"runner-{n:02d}@example.com", name=f"Runner {n:02d}")
    make_account(email="lifter@example.com", name="Big_Lifter")
    get = lambda **params: client.get(  # noqa: E731
        "/api/v1/admin/users", params=params, headers=admin.headers
    )
    first = get(per_page=5).json()
    assert (first["total"], first["page"], first["per_page"], len(first["users"])) == (14, 1, 5, 5)
    assert first["users"][0]["email"] == "admin@example.com"  # oldest first by default
    last = get(per_page=5, page=3).json()
    assert [u["email"] for u in last["users"]] == [
        "runner-09@example.com",
        "runner-10@example.com",
        "runner-11@example.com",
        "lifter@example.com",
    ]
    found = get(q="RUNNER-0", sort="email", order="desc").json()
    assert found["total"] == 10
    assert found["users"][0]["email"] == "runner-09@example.com"
    assert get(q="big_l").json()["total"] == 1  # "_" is a character, not a wildcard
    assert get(q="b%").json()["total"] == 0
    by_name = get(sort="name").json()["users"]
    assert [u["display_name"] for u in by_name][:2] == sorted(u["display_name"] for u in by_name)[
        :2
    ]
    for bad in ({"sort": "password"}, {"per_page": 0}, {"per_page": 101}, {"page": 0}):
        assert get(**bad).status_code == 422, bad
