"""Chat on a shared key: only the models the admin offers (``model_not_found`` otherwise), a
per-user turn rate and an optional daily token budget; a user's own key may use any model."""
# ruff: noqa: F811  (pytest fixtures imported from tests.fakes.chat_fixtures)

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlmodel import func, select

from cadence.db import session_scope
from cadence.models.chat import ChatMessage
from cadence.models.user import User
from cadence.services.chat import llm_settings
from tests.conftest import reset_caches
from tests.fakes.chat_fixtures import fake_llm  # noqa: F401

CHAT = "/api/v1/chat"


def _chat(client, account, model_id: str):
    return client.post(CHAT, json={"message": "hi", "model_id": model_id}, headers=account.headers)


def _messages() -> int:
    with session_scope() as session:
        return session.exec(select(func.count()).select_from(ChatMessage)).one()


def test_shared_environment_key_accepts_only_offered_models(client, fake_llm, account) -> None:
    refused = _chat(client, account, "anthropic/claude-opus-4")
    assert refused.status_code == 422
    [detail] = refused.json()["detail"]
    assert detail["type"] == "model_not_found" and detail["loc"] == ["body", "model_id"]
    assert "fake/model" in detail["msg"]
    assert _messages() == 0 and fake_llm.requests == []  # nothing stored, nothing sent
    assert _chat(client, account, "fake/model").status_code == 200


def test_admin_key_accepts_only_the_admins_models(client, fake_llm, make_account) -> None:
    admin = make_account()
    member = make_account()
    with session_scope() as session:
        llm_settings.update_admin_llm_settings(
            session=session,
            actor=session.get(User, admin.user["id"]),
            api_key=fake_llm.provider.api_key,
            models=["fake/other"],
        )
    assert _chat(client, member, "fake/model").json()["detail"][0]["type"] == "model_not_found"
    assert _chat(client, member, "fake/other").status_code == 200
    assert [r["model"] for r in fake_llm.requests] == ["fake/other"]


def test_own_key_may_use_any_model(client, fake_llm, account) -> None:
    with session_scope() as session:
        llm_settings.update_user_llm_settings(
            session=session,
            user_id=account.user["id"],
            api_key=fake_llm.provider.api_key,
            default_model_id="vendor/anything-1",
        )
    response = _chat(client, account, "vendor/anything-1")
    assert response.status_code == 200 and "event: done" in response.text
    assert fake_llm.requests[-1]["model"] == "vendor/anything-1"
    models = client.get(f"{CHAT}/models", headers=account.headers).json()["models"]
    assert "vendor/anything-1" in [m["id"] for m in models]


def test_per_user_turn_rate_limit(client, make_account, monkeypatch) -> None:
    monkeypatch.setenv("CADENCE_CHAT_MAX_PER_MINUTE", "3")
    reset_caches()
    busy, other = make_account(), make_account()
    statuses = [_chat(client, busy, "cadence/offline").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = _chat(client, busy, "cadence/offline")
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    assert _chat(client, other, "cadence/offline").status_code == 200  # per user


def test_daily_token_budget_on_the_shared_key(client, fake_llm, make_account, monkeypatch) -> None:
    monkeypatch.setenv("CADENCE_CHAT_DAILY_TOKEN_BUDGET", "40")
    reset_caches()
    admin, member = make_account(), make_account()
    assert _chat(client, member, "fake/model").status_code == 200  # 42 prompt tokens + answer
    over = _chat(client, member, "fake/model")
    assert over.status_code == 429 and "00:00 UTC" in over.json()["detail"]
    assert int(over.headers["Retry-After"]) <= 86_400
    assert _chat(client, member, "cadence/offline").status_code == 200  # offline costs nothing
    users = client.get("/api/v1/admin/users", headers=admin.headers).json()["users"]
    row = next(u for u in users if u["id"] == member.user["id"])
    assert row["chat_tokens_today"] == row["chat_tokens"] > 40
    assert client.get("/api/v1/admin/llm", headers=admin.headers).json()["daily_token_budget"] == 40
    with session_scope() as session:  # the user's own key is theirs to spend
        llm_settings.update_user_llm_settings(
            session=session, user_id=member.user["id"], api_key=fake_llm.provider.api_key
        )
    assert _chat(client, member, "fake/model").status_code == 200


def test_own_key_is_sent_only_to_the_url_it_was_saved_for(client, fake_llm, make_account) -> None:
    """The admin moving the provider URL does not carry a user's key along: the chat refuses
    (nothing sent anywhere) until the user saves the key again, seeing the new URL."""
    admin, member = make_account(), make_account()
    saved = client.put(
        "/api/v1/settings/llm",
        json={"api_key": fake_llm.provider.api_key},
        headers=member.headers,
    ).json()
    assert saved["key_base_url"] == saved["base_url"] == fake_llm.base_url
    moved = client.put(
        "/api/v1/admin/llm", json={"base_url": "http://127.0.0.1:9/v1"}, headers=admin.headers
    )
    assert moved.status_code == 200
    shown = client.get("/api/v1/settings/llm", headers=member.headers).json()
    assert shown["base_url"] == "http://127.0.0.1:9/v1" != shown["key_base_url"]
    refused = _chat(client, member, "fake/model")
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["type"] == "provider_changed"
    assert "http://127.0.0.1:9/v1" in refused.json()["detail"][0]["msg"]
    assert fake_llm.requests == []
    assert client.get(f"{CHAT}/models", headers=member.headers).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest",
        "http://[fe80::1]/v1",
        "http://metadata.google.internal/computeMetadata/v1",
        "http://100.100.100.200/latest",
        "http://[fd00:ec2::254]/v1",
        "http://[::ffff:169.254.169.254]/v1",
    ],
)
def test_admin_base_url_refuses_link_local_and_metadata(client, make_account, url) -> None:
    admin = make_account()
    response = client.put("/api/v1/admin/llm", json={"base_url": url}, headers=admin.headers)
    assert response.status_code == 422, url
    assert "metadata" in response.json()["detail"][0]["msg"]


@pytest.mark.parametrize(
    "url",
    [
        "http://2852039166/latest",
        "http://0xa9fea9fe/latest",
        "http://0251.0376.0251.0376/latest",
        "http://169.254.43518/latest",
    ],
)
def test_admin_base_url_is_resolved_before_it_is_saved(client, make_account, url) -> None:
    """Spellings no address parser takes but the system resolver (and so the HTTP client)
    turns into 169.254.169.254: resolved for real, no network involved."""
    assert llm_settings.resolve_host(urlsplit(url).hostname) == ["169.254.169.254"]
    admin = make_account()
    response = client.put("/api/v1/admin/llm", json={"base_url": url}, headers=admin.headers)
    assert response.status_code == 422, url
    assert "resolves to" in response.json()["detail"][0]["msg"]


def _resolver(monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[str]]) -> None:
    """DNS for names only a resolver could answer (the real one for everything else)."""
    real = llm_settings.resolve_host
    monkeypatch.setattr(
        llm_settings, "resolve_host", lambda host: answers[host] if host in answers else real(host)
    )


def test_admin_base_url_naming_a_metadata_address_is_refused(
    client, make_account, monkeypatch
) -> None:
    _resolver(monkeypatch, {"llm.example.test": ["203.0.113.7", "169.254.169.254"]})
    admin = make_account()
    url = "http://llm.example.test/v1"
    response = client.put("/api/v1/admin/llm", json={"base_url": url}, headers=admin.headers)
    assert response.status_code == 422
    assert "llm.example.test is or resolves to" in response.json()["detail"][0]["msg"]


@pytest.mark.parametrize(
    "url",
    ["http://localhost:11434/v1", "http://10.0.0.5:11434/v1", "http://ollama.lan:11434/v1"],
)
def test_loopback_private_and_not_yet_resolvable_base_urls_are_kept(
    client, make_account, monkeypatch, url
) -> None:
    """A local Ollama: loopback (``localhost`` resolved for real), a private address, and a
    name the resolver does not know (yet) are all saved."""
    _resolver(monkeypatch, {"ollama.lan": []})
    admin = make_account()
    response = client.put("/api/v1/admin/llm", json={"base_url": url}, headers=admin.headers)
    assert response.status_code == 200, response.text
    assert response.json()["base_url"] == url


def test_a_name_that_moves_to_a_metadata_address_is_refused_at_the_chat(
    client, fake_llm, make_account, monkeypatch
) -> None:
    """Saved while it pointed at a public address; at the next turn it resolves to the
    metadata service (DNS rebinding): 422 ``base_url_refused``, nothing sent or stored."""
    answers = {"llm.example.test": ["203.0.113.7"]}
    _resolver(monkeypatch, answers)
    admin, member = make_account(), make_account()
    with session_scope() as session:
        llm_settings.update_admin_llm_settings(
            session=session,
            actor=session.get(User, admin.user["id"]),
            api_key=fake_llm.provider.api_key,
            base_url="http://llm.example.test/v1",
            models=["fake/model"],
        )
    answers["llm.example.test"] = ["169.254.169.254"]
    refused = _chat(client, member, "fake/model")
    assert refused.status_code == 422
    [detail] = refused.json()["detail"]
    assert detail["type"] == "base_url_refused" and "Admin → LLM" in detail["msg"]
    assert _messages() == 0 and fake_llm.requests == []
