"""The agent end to end: real openai client → fake provider over HTTP → tools → database."""
# ruff: noqa: F811  (pytest fixtures imported from tests.fakes.chat_fixtures)

from __future__ import annotations

import asyncio
import json
from datetime import date

import pytest
from sqlmodel import select

from cadence.db import session_scope
from cadence.models.chat import ChatMessage, Conversation
from cadence.models.user import User
from cadence.services import users
from cadence.services.chat import agent, conversations, llm_settings
from cadence.services.chat.events import (
    ChartEvent,
    DoneEvent,
    ErrorEvent,
    TokenEvent,
    ToolEndEvent,
    ToolStartEvent,
    UsageEvent,
)
from cadence.services.errors import InvalidInput, NotFound
from tests.fakes.chat_fixtures import fake_llm, kinds, run_turn, text_of  # noqa: F401
from tests.fakes.openai_server import Hang, Malformed, Repeat, Status, Text, ToolCalls


def _messages(conversation_id: int) -> list[ChatMessage]:
    with session_scope() as session:
        return list(
            session.exec(
                select(ChatMessage)
                .where(ChatMessage.conversation_id == conversation_id)
                .order_by(ChatMessage.id)
            ).all()
        )


def _start(user_id: int, message: str) -> agent.ChatTurn:
    with session_scope() as session:
        return agent.start_turn(
            session=session,
            user_id=user_id,
            message=message,
            conversation_id=None,
            model_id="fake/model",
        )


def test_text_answer_streams_and_is_stored(fake_llm, account) -> None:
    fake_llm.queue(Text("You slept well.", chunk_chars=3))
    turn, events = run_turn(account.user["id"], "How did I sleep?", model_id="fake/model")
    assert kinds(events) == ["token", "verify", "usage", "done"]
    assert text_of(events) == "You slept well."
    usage = next(e for e in events if isinstance(e, UsageEvent))
    assert (usage.model_id, usage.prompt_tokens, usage.completion_tokens) == ("fake/model", 42, 5)
    done = events[-1]
    assert isinstance(done, DoneEvent) and done.conversation_id == turn.conversation_id
    stored = _messages(turn.conversation_id)
    assert [(m.role, m.content, m.status) for m in stored] == [
        ("user", "How did I sleep?", "complete"),
        ("assistant", "You slept well.", "complete"),
    ]
    assert stored[1].id == done.message_id and stored[1].prompt_tokens == 42
    system = fake_llm.requests[0]["messages"][0]
    assert system["role"] == "system" and "Today is " in system["content"]
    assert {t["function"]["name"] for t in fake_llm.requests[0]["tools"]} >= {"render_chart"}


def test_tool_round_then_answer(fake_llm, account) -> None:
    fake_llm.queue(
        ToolCalls(
            [
                ("update_coaching_profile", json.dumps({"text": "Goal: marathon in April"})),
                ("get_coaching_profile", "{}"),
            ],
            fragment_chars=4,
        ),
        Text("Noted your marathon goal."),
    )
    turn, events = run_turn(account.user["id"], "Remember my goal", model_id="fake/model")
    assert kinds(events) == [
        "tool_start",
        "tool_end",
        "tool_start",
        "tool_end",
        "token",
        "verify",
        "usage",
        "done",
    ]
    start = next(e for e in events if isinstance(e, ToolStartEvent))
    assert start.arguments == {"text": "Goal: marathon in April"}
    ends = [e for e in events if isinstance(e, ToolEndEvent)]
    assert all(e.ok for e in ends)
    assert ends[1].summary == "Coaching profile: Goal: marathon in April"
    second_request = fake_llm.requests[1]["messages"]
    assistant_call = second_request[-3]
    assert assistant_call["role"] == "assistant"
    assert [c["function"]["name"] for c in assistant_call["tool_calls"]] == [
        "update_coaching_profile",
        "get_coaching_profile",
    ]
    assert second_request[-1] == {
        "role": "tool",
        "tool_call_id": ends[1].id,
        "content": "Coaching profile: Goal: marathon in April",
    }
    stored = _messages(turn.conversation_id)[-1]
    assert [c["name"] for c in stored.tool_calls] == [
        "update_coaching_profile",
        "get_coaching_profile",
    ]
    assert all(c["ok"] for c in stored.tool_calls)
    usage = next(e for e in events if isinstance(e, UsageEvent))
    assert usage.prompt_tokens == 84  # both rounds counted


def test_unknown_tool_and_invalid_arguments_go_back_to_the_model(fake_llm, account) -> None:
    fake_llm.queue(
        ToolCalls([("get_weather", "{}"), ("get_sleep_history", '{"days": "many"')]),
        Text("Sorry, I could not read that."),
    )
    _, events = run_turn(account.user["id"], "Weather?", model_id="fake/model")
    ends = [e for e in events if isinstance(e, ToolEndEvent)]
    assert [e.ok for e in ends] == [False, False]
    assert "Unknown tool 'get_weather'" in ends[0].summary
    assert "not valid JSON" in ends[1].summary
    tool_messages = [m for m in fake_llm.requests[1]["messages"] if m["role"] == "tool"]
    assert [m["content"] for m in tool_messages] == [e.summary for e in ends]
    assert isinstance(events[-1], DoneEvent)


def test_tool_arguments_failing_validation(fake_llm, account) -> None:
    fake_llm.queue(ToolCalls([("get_sleep_history", '{"days": 5000}')]), Text("ok"))
    _, events = run_turn(account.user["id"], "Sleep?", model_id="fake/model")
    end = next(e for e in events if isinstance(e, ToolEndEvent))
    assert not end.ok and "days: Input should be less than or equal to 90" in end.summary


def test_at_most_ten_tool_rounds(fake_llm, account) -> None:
    fake_llm.queue(Repeat(ToolCalls([("get_coaching_profile", "{}")])))
    turn, events = run_turn(account.user["id"], "Loop forever", model_id="fake/model")
    assert len(fake_llm.requests) == agent.MAX_TOOL_ROUNDS + 1
    assert all("tools" in r for r in fake_llm.requests[:-1])
    assert "tools" not in fake_llm.requests[-1]
    assert sum(isinstance(e, ToolStartEvent) for e in events) == agent.MAX_TOOL_ROUNDS
    assert "stopped after 10 rounds" in text_of(events)
    assert isinstance(events[-1], DoneEvent)
    assert _messages(turn.conversation_id)[-1].status == "complete"


@pytest.mark.parametrize(
    ("replies", "code", "partial"),
    [
        ([Status(401, "bad key")], "provider_auth", ""),
        ([Status(429, "slow down", headers={"retry-after": "0"})], "provider_rate_limited", ""),
        ([Status(500, "boom")], "provider_error", ""),
        ([Hang(seconds=20, text_before="Half an ans")], "provider_timeout", "Half an ans"),
        ([Malformed(text_before="Broken")], "provider_bad_response", "Broken"),
        (
            [ToolCalls([("get_coaching_profile", "{}")]), Status(500, "boom")],
            "provider_error",
            "",
        ),
    ],
)
def test_provider_failures_end_with_one_error_and_keep_the_partial_text(
    fake_llm, account, replies, code, partial
) -> None:
    fake_llm.queue(*replies)
    turn, events = run_turn(account.user["id"], "Hello", model_id="fake/model")
    terminal = [e for e in events if isinstance(e, DoneEvent | ErrorEvent)]
    assert len(terminal) == 1 and events[-1] is terminal[0]
    assert isinstance(terminal[0], ErrorEvent)
    assert terminal[0].code == code and terminal[0].conversation_id == turn.conversation_id
    assert text_of(events) == partial
    stored = _messages(turn.conversation_id)
    assert [m.role for m in stored] == ["user", "assistant"]
    assert stored[1].status == "error" and stored[1].content == partial


def test_stopping_mid_stream_stores_the_partial_text(fake_llm, account) -> None:
    fake_llm.queue(Text("one two three four five six seven", chunk_chars=4, delay=0.05))
    turn = _start(account.user["id"], "Count")

    async def consume_two_tokens() -> str:
        stream = agent.stream_turn(turn)
        seen = []
        async for event in stream:
            if isinstance(event, TokenEvent):
                seen.append(event.text)
            if len(seen) == 2:
                break
        await stream.aclose()
        return "".join(seen)

    seen = asyncio.run(consume_two_tokens())
    stored = _messages(turn.conversation_id)[-1]
    assert (stored.role, stored.status, stored.content) == ("assistant", "partial", seen)


def test_cancelling_the_task_stores_the_partial_text(fake_llm, account) -> None:
    fake_llm.queue(Text("a b c d e f g h i j k l", chunk_chars=2, delay=0.05))
    turn = _start(account.user["id"], "Count")
    seen: list[str] = []

    async def consume() -> None:
        async for event in agent.stream_turn(turn):
            if isinstance(event, TokenEvent):
                seen.append(event.text)

    async def run_and_stop() -> None:
        task = asyncio.create_task(consume())
        while len(seen) < 3:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(run_and_stop())
    stored = _messages(turn.conversation_id)[-1]
    assert stored.status == "partial" and stored.content == "".join(seen)


def test_history_is_sent_on_the_next_turn(fake_llm, account) -> None:
    fake_llm.queue(Text("First answer."), Text("Second answer."))
    turn, _ = run_turn(account.user["id"], "First question", model_id="fake/model")
    run_turn(
        account.user["id"],
        "Second question",
        model_id="fake/model",
        conversation_id=turn.conversation_id,
    )
    sent = [(m["role"], m["content"]) for m in fake_llm.requests[1]["messages"][1:]]
    assert sent == [
        ("user", "First question"),
        ("assistant", "First answer."),
        ("user", "Second question"),
    ]


def test_a_hosted_model_without_any_key_is_refused_before_storing(account) -> None:
    with session_scope() as session, pytest.raises(InvalidInput):
        agent.start_turn(
            session=session,
            user_id=account.user["id"],
            message="hi",
            conversation_id=None,
            model_id="openai/gpt-4o-mini",
        )
    with session_scope() as session:
        assert session.exec(select(Conversation)).all() == []


def test_another_users_conversation_is_not_found(make_account) -> None:
    alice, bob = make_account(), make_account()
    turn, _ = run_turn(alice.user["id"], "hello")
    with session_scope() as session, pytest.raises(NotFound):
        agent.start_turn(
            session=session,
            user_id=bob.user["id"],
            message="peek",
            conversation_id=turn.conversation_id,
            model_id=None,
        )
    with session_scope() as session, pytest.raises(NotFound):
        conversations.list_messages(
            session=session, user_id=bob.user["id"], conversation_id=turn.conversation_id
        )


def test_key_precedence_user_then_admin_then_environment(fake_llm, account, monkeypatch) -> None:
    user_id = account.user["id"]
    with session_scope() as session:
        assert llm_settings.resolve_api_key(session=session, user_id=user_id) == (
            llm_settings.ResolvedKey(api_key=fake_llm.provider.api_key, own=False)
        )
        actor = User(email="root@example.com", display_name="Root", is_admin=True, is_active=True)
        llm_settings.update_admin_llm_settings(
            session=session, actor=actor, api_key="sk-admin-key-5678"
        )
    with session_scope() as session:
        assert llm_settings.resolve_api_key(session=session, user_id=user_id) == (
            llm_settings.ResolvedKey(api_key="sk-admin-key-5678", own=False)
        )
        llm_settings.update_user_llm_settings(
            session=session, user_id=user_id, api_key="sk-user-key-9999"
        )
    with session_scope() as session:
        assert llm_settings.resolve_api_key(session=session, user_id=user_id) == (
            llm_settings.ResolvedKey(
                api_key="sk-user-key-9999", own=True, saved_for=fake_llm.base_url
            )
        )
    # the user's key reaches the provider (which rejects it: it only knows the env key)
    _, events = run_turn(user_id, "hi", model_id="fake/model")
    assert isinstance(events[-1], ErrorEvent) and events[-1].code == "provider_auth"


def test_offline_is_the_default_without_a_key_and_uses_the_same_tools(account) -> None:
    turn, events = run_turn(account.user["id"], "How did I sleep last night?")
    assert turn.model_id == "cadence/offline"
    starts = [e.name for e in events if isinstance(e, ToolStartEvent)]
    assert starts == ["get_sleep_history", "render_chart"]
    assert "No sleep data in the last 7 days" in text_of(events)
    assert not any(isinstance(e, ChartEvent) for e in events)  # nothing to chart yet
    assert isinstance(events[-1], DoneEvent)


def test_the_system_prompt_carries_date_units_profile_and_persona(fake_llm, account) -> None:
    with session_scope() as session:
        user = users.get_user(session=session, user_id=account.user["id"])
        users.set_coaching_profile(session=session, user=user, coaching_profile="Knee injury.")
    today = date(2026, 11, 25)
    run_turn(account.user["id"], "hi", model_id="fake/model", today=today)
    system = fake_llm.requests[0]["messages"][0]["content"]
    assert "Today is 2026-11-25 (Wednesday)." in system
    assert "Knee injury." in system
    assert "HRV as rMSSD in ms" in system and "weights in kg" in system
    assert "ACWR) above 1.3" in system and "sleep debt over 2 h" in system
    assert "green / yellow / red" in system
