"""Admin-wide LLM settings (the row issue 7's admin panel edits): validation and round trip."""

from __future__ import annotations

import pytest

from cadence.models.user import User
from cadence.services import admin
from cadence.services.chat import llm_settings
from cadence.services.errors import InvalidInput, NotFound


@pytest.fixture
def actor(session, make_account) -> User:
    make_account(email="root@example.com")
    return admin.make_admin_by_email(session=session, email="root@example.com")


def test_only_an_admin_reads_or_changes_the_shared_settings(session, make_account) -> None:
    assert make_account(email="first@example.com").user["is_admin"]  # the first account is admin
    account = make_account(email="someone@example.com")
    someone = session.get(User, account.user["id"])
    with pytest.raises(NotFound):
        llm_settings.update_admin_llm_settings(session=session, actor=someone, api_key="sk-x-12345")
    with pytest.raises(NotFound):
        llm_settings.admin_llm_settings(session=session, actor=someone)


@pytest.mark.parametrize(
    "base_url", ["ftp://host/v1", "http://", "http://host/\x00", "http://hö.st/v1", "http://a b/v1"]
)
def test_admin_base_url_must_be_a_plain_http_url(session, actor, base_url) -> None:
    with pytest.raises(InvalidInput):
        llm_settings.update_admin_llm_settings(session=session, actor=actor, base_url=base_url)


def test_admin_settings_round_trip(session, actor) -> None:
    saved = llm_settings.update_admin_llm_settings(
        session=session,
        actor=actor,
        api_key="sk-admin-0000-9876",
        base_url="http://127.0.0.1:11434/v1/",
        models=["llama3.2", "llama3.2", " ", "qwen2.5:7b"],
    )
    assert saved == llm_settings.AdminLlmSettings(
        has_api_key=True,
        api_key_last4="9876",
        base_url="http://127.0.0.1:11434/v1",
        models=["llama3.2", "qwen2.5:7b"],
        daily_token_budget=0,
    )
    cleared = llm_settings.update_admin_llm_settings(
        session=session, actor=actor, api_key="", base_url=""
    )
    assert (cleared.has_api_key, cleared.base_url) == (False, "https://openrouter.ai/api/v1")
