"""The offline coach in a real browser: a sleep question streams an answer with a tool chip and
an inline chart; the conversation is found again after a reload; raw HTML shows as text; the
page fits a 375 px phone."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    PHONE,
    ROOT,
    has_horizontal_scroll,
    screenshot,
    signup_through_ui,
    wait_for_path,
)

pytestmark = pytest.mark.e2e

EMAIL = "coach@example.com"


def _load_demo_data(live_server) -> None:
    cadence = Path(sys.executable).parent / "python"
    subprocess.run(
        [str(cadence), "-m", "cadence", "demo-data", EMAIL],
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
