"""The coach page as a user meets it: the composer and the newest answer stay on screen after ten
questions (phone and desktop), "Jump to latest" when the reader scrolled up, no empty bubble
when the provider fails but "Retry" and "Answer with the offline coach", and the conversation
list on a phone with rename and delete."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    _free_port,
    screenshot,
    signup_through_ui,
    wait_for_path,
)
from tests.e2e.test_chat_e2e import _admin_llm

pytestmark = pytest.mark.e2e

IN_VIEW = """(selector) => {
    const box = document.querySelector(selector).getBoundingClientRect();
    return box.top >= 0 && box.bottom <= window.innerHeight + 1 && box.height > 0;
}"""
LAST_ANSWER_END_IN_VIEW = """() => {
    const all = document.querySelectorAll('.chat-message.assistant');
    const box = all[all.length - 1].getBoundingClientRect();
    const composer = document.querySelector('#chat-composer').getBoundingClientRect();
    return box.bottom <= composer.top + 2 && box.bottom > 0;
}"""


def _ask(page, question: str) -> None:
    page.fill("#chat-input", question)
    expect(page.locator("#chat-send")).to_be_enabled()  # the previous turn has fully ended
    page.keyboard.press("Enter")
    answers = page.locator(".chat-message.assistant")
    expect(answers.last).to_have_attribute("data-status", "complete")


def test_the_composer_and_the_newest_answer_stay_in_view_after_ten_questions(new_page) -> None:
    page = new_page(PHONE)
    signup_through_ui(page, email="ten@example.com", password="steady-pace-9", name="Ten")
    page.goto("/chat")
    wait_for_path(page, "/chat")
    expect(page.locator(".suggestion").first).to_be_visible()  # suggestions on an empty chat
    for n in range(10):
        _ask(page, f"Question {n + 1}: how is my training load?")
        expect(page.locator(".chat-message.assistant")).to_have_count(n + 1)
        assert page.evaluate(IN_VIEW, "#chat-input"), f"composer off screen after {n + 1}"
        assert page.evaluate(LAST_ANSWER_END_IN_VIEW), f"answer {n + 1} not followed"
    screenshot(page, "coach-ten-questions-375")
    page.set_viewport_size(DESKTOP)
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    assert page.evaluate(IN_VIEW, "#chat-input")
    screenshot(page, "coach-ten-questions-1280")

    # scrolled up by the reader: the page stays where they are and offers a way down
    page.mouse.move(640, 300)
    page.mouse.wheel(0, -20_000)
    page.wait_for_function("window.scrollY < 50")
    _ask(page, "One more: how is my training load?")
    assert page.evaluate("window.scrollY") < 50  # not pulled down while reading
    expect(page.locator("#jump-latest")).to_be_visible()
    page.click("#jump-latest")
    page.wait_for_function(
        "window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 120"
    )
    expect(page.locator("#jump-latest")).to_be_hidden()


def test_an_unreachable_provider_offers_retry_and_the_offline_coach(new_page, live_server) -> None:
    nobody_listens = f"http://127.0.0.1:{_free_port()}/v1"
    _admin_llm(live_server, base_url=nobody_listens, models=["fake/model"])
    try:
        page = new_page(PHONE)
        signup_through_ui(page, email="retry@example.com", password="steady-pace-9", name="R")
        page.goto("/settings")
        wait_for_path(page, "/settings")
        page.fill("#llm-api-key", "sk-test-unreachable-1234")
        page.fill("#llm-default-model", "fake/model")
        page.click("#llm-save")
        expect(page.locator("#llm-key-last4")).to_have_text("ends in …1234")

        page.goto("/chat")
        wait_for_path(page, "/chat")
        page.fill("#chat-input", "How is my training load?")
        page.click("#chat-send")
        expect(page.get_by_text("The model provider cannot be reached.")).to_be_visible()
        expect(page.locator(".chat-message.assistant")).to_have_count(0)  # no empty bubble
        expect(page.locator("#chat-retry")).to_be_visible()
        screenshot(page, "coach-provider-unreachable-375")

        page.click("#chat-retry")  # still unreachable: the same words, still no bubble
        expect(page.locator("#chat-retry")).to_be_visible()
        expect(page.locator(".chat-message.assistant")).to_have_count(0)

        page.click("#chat-offline")
        answer = page.locator(".chat-message.assistant")
        expect(answer).to_have_count(1)
        expect(answer).to_have_attribute("data-status", "complete")
        expect(page.locator("#chat-retry")).to_be_hidden()
        page.reload()
        page.click("#history-menu")
        page.get_by_role("dialog").locator(".conversation-item").first.click()
        expect(page.locator(".chat-message.user")).to_have_count(1)  # asked once
        expect(page.locator(".chat-message.assistant")).to_have_count(1)
    finally:
        _admin_llm(live_server, base_url="", models=[])


def test_phone_history_renames_and_deletes(new_page) -> None:
    page = new_page(PHONE)
    signup_through_ui(page, email="history@example.com", password="steady-pace-9", name="H")
    page.goto("/chat")
    wait_for_path(page, "/chat")
    _ask(page, "What was my last workout?")
    page.click("#history-menu")
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Rename conversation").click()
    page.get_by_label("Title").fill("   ")
    page.click("#rename-save")
    expect(page.locator("#rename-error")).to_have_text("Give the conversation a title.")
    page.get_by_label("Title").fill("Lifting log")
    page.click("#rename-save")
    page.click("#history-menu")
    expect(page.get_by_role("dialog").locator(".conversation-item")).to_contain_text("Lifting log")
    screenshot(page, "coach-history-375")
    page.get_by_role("dialog").get_by_role("button", name="Delete conversation").click()
    expect(page.get_by_role("dialog")).to_contain_text("No conversations yet.")


def test_a_dropped_connection_shows_reconnecting_not_a_websocket_toast(new_page) -> None:
    page = new_page(PHONE)
    signup_through_ui(page, email="offline@example.com", password="steady-pace-9", name="O")
    page.goto("/chat")
    wait_for_path(page, "/chat")
    expect(page.locator("#reconnecting")).to_have_count(0)
    page.context.set_offline(True)
    banner = page.locator("#reconnecting")
    expect(banner).to_be_visible(timeout=30_000)
    expect(banner).to_have_text("Reconnecting…")
    expect(page.get_by_text("Cannot connect to server")).to_have_count(0)
    assert banner.evaluate("el => getComputedStyle(el).pointerEvents") == "none"
    screenshot(page, "reconnecting-375")
    page.context.set_offline(False)
    expect(banner).to_have_count(0, timeout=30_000)
