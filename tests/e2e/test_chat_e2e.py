"""The chat on the real prod server: the offline coach streams a sleep answer with tool chips and
an inline chart, found again after a reload; raw HTML shows as text; 375 px fits; stop keeps the
partial answer; the LLM key is write-only; with a key the same page runs the tool-calling agent
against a fake provider; SSE tokens are flushed one by one."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import httpx
import pytest
from httpx_sse import connect_sse
from playwright.sync_api import expect

from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    ROOT,
    has_horizontal_scroll,
    screenshot,
    signup_through_ui,
    wait_for_path,
)
from tests.fakes.openai_server import FakeOpenAIServer, Text, ToolCalls

pytestmark = pytest.mark.e2e

EMAIL = "coach@example.com"


def _load_demo_data(live_server, email: str = EMAIL) -> None:
    subprocess.run(
        [sys.executable, "-m", "cadence", "demo-data", email],
        cwd=ROOT,
        env=live_server.env,
        check=True,
        capture_output=True,
    )


def _answer_lengths(page, seconds: float) -> list[int]:
    """Sample the answer's text length while it streams."""
    answer = page.locator(".chat-message.assistant").last
    lengths = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        lengths.append(len(answer.inner_text()))
        if answer.get_attribute("data-status") == "complete":
            break
        time.sleep(0.05)
    return lengths


def test_offline_coach_streams_tools_and_a_chart(new_page, live_server) -> None:
    page = new_page()
    signup_through_ui(page, email=EMAIL, password="steady-pace-9", name="Cory")
    _load_demo_data(live_server)
    page.goto("/chat")
    wait_for_path(page, "/chat")
    page.get_by_role("button", name="How did I sleep last night?").click()

    chip = page.locator(".tool-chip").first
    expect(chip).to_be_visible()
    lengths = _answer_lengths(page, 20)
    growing = sorted(set(lengths))
    assert len(growing) >= 3, f"the answer did not stream: {lengths}"
    answer = page.locator(".chat-message.assistant").last
    expect(answer).to_have_attribute("data-status", "complete")
    expect(answer).to_contain_text("you slept")
    expect(answer.locator(".tool-chip")).to_have_count(2)
    expect(answer.locator(".tool-chip[data-status=ok]")).to_have_count(2)
    expect(answer.locator(".chat-chart svg.recharts-surface")).to_be_visible()
    expect(answer.locator(".chat-chart .recharts-bar-rectangle").first).to_be_attached()
    screenshot(page, "chat-1280")

    page.reload()
    conversation = page.locator("#conversation-list .conversation-item").first
    expect(conversation).to_contain_text("How did I sleep last night?")
    conversation.click()
    restored = page.locator(".chat-message.assistant").last
    expect(restored).to_contain_text("you slept")
    expect(restored.locator(".chat-chart svg.recharts-surface")).to_be_visible()

    payload = "<img src=x onerror=\"document.body.dataset.pwned='1'\"> hello"
    page.fill("#chat-input", payload)
    page.click("#chat-send")
    expect(page.locator(".chat-message.user").last).to_contain_text(payload)
    expect(page.locator(".chat-message.assistant").last).to_have_attribute(
        "data-status", "complete"
    )
    assert page.locator(".chat-message img").count() == 0
    assert page.evaluate("document.body.dataset.pwned") is None

    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator("#history-menu")).to_be_visible()
    expect(page.locator("#chat-input")).to_be_visible()
    assert not has_horizontal_scroll(page)
    screenshot(page, "chat-375")


def test_stop_keeps_the_partial_answer_and_the_llm_key_is_write_only(new_page) -> None:
    page = new_page()
    signup_through_ui(page, email="stopper@example.com", password="steady-pace-9", name="Sam")
    page.goto("/chat")
    wait_for_path(page, "/chat")
    page.fill("#chat-input", "What can you do?")
    page.click("#chat-send")
    answer = page.locator(".chat-message.assistant").last
    expect(answer).to_contain_text("offline coach")
    page.click("#chat-stop")
    expect(answer).to_have_attribute("data-status", "partial")
    expect(answer).to_contain_text("Stopped.")
    expect(page.locator("#chat-send")).to_be_visible()
    shown = answer.inner_text()
    assert "pick a model" not in shown  # the end of the fallback never arrived

    page.reload()
    page.locator("#conversation-list .conversation-item").first.click()
    stored = page.locator(".chat-message.assistant").last
    expect(stored).to_have_attribute("data-status", "partial")
    assert "pick a model" not in stored.inner_text()

    page.goto("/settings")
    wait_for_path(page, "/settings")
    page.fill("#llm-api-key", "sk-e2e-secret-ABCD")
    page.click("#llm-save")
    expect(page.locator("#llm-key-last4")).to_have_text("ends in …ABCD")
    expect(page.locator("#llm-api-key")).to_have_value("")
    page.reload()
    expect(page.locator("#llm-key-last4")).to_have_text("ends in …ABCD")
    assert "sk-e2e-secret" not in page.content()
    page.click("#llm-remove-key")
    expect(page.get_by_text("No key saved.")).to_be_visible()


def _signup_api(live_server, email: str) -> str:
    response = httpx.post(
        f"{live_server.url}/api/v1/auth/signup",
        json={"email": email, "password": "steady-pace-9", "display_name": "Api"},
    )
    assert response.status_code == 201, response.text
    return response.json()["token"]


def test_the_prod_server_flushes_each_token(live_server) -> None:
    """Through the real server (granian), token events arrive one by one, not buffered."""
    token = _signup_api(live_server, "sse@example.com")
    arrivals = []
    with (
        httpx.Client(base_url=live_server.url, timeout=30) as http,
        connect_sse(
            http,
            "POST",
            "/api/v1/chat",
            json={"message": "What can you do?", "conversation_id": None},
            headers={"Authorization": f"Bearer {token}"},
        ) as source,
    ):
        assert source.response.headers["x-conversation-id"].isdigit()
        events = []
        for sse in source.iter_sse():
            events.append(sse.event)
            if sse.event == "token":
                arrivals.append(time.monotonic())
    assert events[-3:] == ["verify", "usage", "done"]
    assert len(arrivals) > 50
    spread = arrivals[-1] - arrivals[0]
    assert spread > 0.3, f"all {len(arrivals)} tokens arrived within {spread:.3f} s"
    distinct = len({round(t, 3) for t in arrivals})
    assert distinct > len(arrivals) / 2


def test_with_a_key_the_same_page_runs_the_tool_calling_agent(new_page, live_server) -> None:
    with FakeOpenAIServer() as fake:
        _admin_llm(live_server, base_url=fake.base_url, models=["fake/model"])
        try:
            page = keyed_page(new_page(), fake, email="keyed@example.com")
            fake.queue(
                ToolCalls([("render_chart", '{"metric": "sleep_hours", "days": 7}')]),
                Text("No sleep recorded yet: connect a device first.", chunk_chars=3),
            )
            page.goto("/chat")
            wait_for_path(page, "/chat")
            page.fill("#chat-input", "Chart my sleep")
            page.click("#chat-send")
            answer = page.locator(".chat-message.assistant").last
            expect(answer).to_have_attribute("data-status", "complete")
            expect(answer).to_contain_text("No sleep recorded yet: connect a device first.")
            expect(answer.locator(".tool-chip")).to_have_text("Chart")
            request = fake.requests[-1]
            assert request["model"] == "fake/model"
            assert request["messages"][-1]["role"] == "tool"
            assert "render_chart" in {t["function"]["name"] for t in request["tools"]}
        finally:
            _admin_llm(live_server, base_url="", models=[])


def keyed_page(page, fake: FakeOpenAIServer, *, email: str):
    """Sign up through the UI and save the fake provider's key and ``fake/model`` in Settings."""
    signup_through_ui(page, email=email, password="steady-pace-9", name="K")
    page.goto("/settings")
    wait_for_path(page, "/settings")
    page.fill("#llm-api-key", fake.provider.api_key)
    page.fill("#llm-default-model", "fake/model")
    page.click("#llm-save")
    expect(page.locator("#llm-key-last4")).to_have_text("ends in …1234")
    return page


def _admin_llm(live_server, *, base_url: str, models: list[str]) -> None:
    """Point the server's admin-wide LLM settings at the fake (through the service)."""
    script = (
        "import json, sys\n"
        "from cadence.db import session_scope\n"
        "from cadence.models.user import User\n"
        "from cadence.services.chat import llm_settings\n"
        "actor = User(email='setup@example.com', display_name='Setup', is_admin=True)\n"
        "with session_scope() as session:\n"
        "    llm_settings.update_admin_llm_settings(session=session, actor=actor,\n"
        "        base_url=sys.argv[1], models=json.loads(sys.argv[2]))\n"
    )
    subprocess.run(
        [sys.executable, "-c", script, base_url, json.dumps(models)],
        cwd=ROOT,
        env=live_server.env,
        check=True,
    )


def _workouts_via_api(live_server, page) -> list[dict]:
    token = page.evaluate("localStorage.getItem('cadence_token')")
    response = httpx.get(
        f"{live_server.url}/api/v1/workouts", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    return response.json()["workouts"]


def _ask(page, message: str):
    page.fill("#chat-input", message)
    page.click("#chat-send")
    answer = page.locator(".chat-message.assistant").last
    expect(answer).to_have_attribute("data-status", "complete")
    return answer


def test_a_logged_workout_waits_for_confirm_and_is_saved_once(new_page, live_server) -> None:
    page = new_page(PHONE)
    signup_through_ui(page, email="logs-by-chat@example.com", password="steady-pace-9", name="Lee")
    page.goto("/chat")
    wait_for_path(page, "/chat")
    answer = _ask(page, "Log bench press 3x8 at 80 kg")
    card = answer.locator(".action-card")
    expect(card).to_have_attribute("data-status", "pending")
    expect(card).to_contain_text("Bench Press 3x8 @ 80 kg")
    expect(answer.locator(".tool-chip[data-status=proposed]")).to_have_count(1)
    expect(answer).to_contain_text("nothing is saved until then")
    confirm = card.get_by_role("button", name="Confirm")
    cancel = card.get_by_role("button", name="Cancel")
    expect(confirm).to_be_enabled()  # once the answer has finished streaming
    for button in (confirm, cancel):
        assert button.bounding_box()["height"] >= 44
    assert not has_horizontal_scroll(page)
    screenshot(page, "chat-action-375-light")
    page.emulate_media(color_scheme="dark")
    screenshot(page, "chat-action-375-dark")
    page.emulate_media(color_scheme="light")
    assert _workouts_via_api(live_server, page) == []  # nothing saved before the yes

    confirm.click()
    card = page.locator(".action-card").first
    expect(card).to_have_attribute("data-status", "confirmed")
    link = card.get_by_role("link", name="Open the workout")
    expect(link).to_be_visible()
    (saved,) = _workouts_via_api(live_server, page)
    assert saved["workout_name"] == "Bench Press"
    assert link.get_attribute("href").endswith(f"/workouts/view?id={saved['id']}")
    expect(page.locator(".chat-message.assistant").last).to_contain_text("Done: Log")

    again = _ask(page, "Log bench press 3x8 at 80 kg")  # the same message again
    expect(again).to_contain_text("Already logged")
    expect(again.locator(".action-card")).to_have_count(0)
    assert len(_workouts_via_api(live_server, page)) == 1

    squat = _ask(page, "Log squat 5x5 at 100 kg")  # a workout exists today: two ways to save
    squat_card = squat.locator(".action-card")
    expect(squat_card.get_by_role("button", name="Add to today's workout")).to_be_enabled()
    expect(squat_card.get_by_role("button", name="New workout")).to_be_visible()
    assert not has_horizontal_scroll(page)
    screenshot(page, "chat-action-add-375")
    squat_card.get_by_role("button", name="Cancel").click()
    expect(page.locator(".action-card[data-status=cancelled]")).to_have_count(1)
    expect(page.locator(".chat-message.assistant").last).to_contain_text("Nothing changed.")
    assert [w["workout_name"] for w in _workouts_via_api(live_server, page)] == ["Bench Press"]

    deadlift = _ask(page, "Log deadlift 1x5 at 140 kg")
    deadlift.locator(".action-card").get_by_role("button", name="Add to today's workout").click()
    expect(page.locator(".action-card[data-status=confirmed]")).to_have_count(2)
    (bench_day,) = _workouts_via_api(live_server, page)
    assert [e["name"] for e in bench_day["exercises"]] == ["Bench Press", "Deadlift"]

    page.set_viewport_size(DESKTOP)
    page.reload()
    page.locator("#conversation-list .conversation-item").first.click()
    expect(page.locator(".action-card[data-status=confirmed]")).to_have_count(2)
    screenshot(page, "chat-action-1280-light")
    page.emulate_media(color_scheme="dark")
    screenshot(page, "chat-action-1280-dark")
    page.emulate_media(color_scheme="light")
    page.locator(".action-card").first.get_by_role("link", name="Open the workout").click()
    wait_for_path(page, "/workouts/view")
    expect(page.get_by_text("Bench Press").first).to_be_visible()
