"""The checked numbers in the chat on the real prod server: the offline coach's sleep answer
shows verified marks whose popover names tool, field and day, the same after a reload; a model's
wrong number shows "not found in your data" and its advice is marked apart; 375 px fits."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    PHONE,
    has_horizontal_scroll,
    screenshot,
    signup_through_ui,
    wait_for_path,
)
from tests.e2e.test_chat_e2e import _admin_llm, _ask, _load_demo_data, keyed_page
from tests.e2e.test_pages_screens_e2e import make_admin
from tests.fakes.openai_server import FakeOpenAIServer, Text, ToolCalls

pytestmark = pytest.mark.e2e


def test_verified_marks_name_their_source_and_survive_a_reload(new_page, live_server) -> None:
    page = new_page()
    signup_through_ui(page, email="marks@example.com", password="steady-pace-9", name="Mo")
    _load_demo_data(live_server, "marks@example.com")
    page.goto("/chat")
    wait_for_path(page, "/chat")
    answer = _ask(page, "How did I sleep last night?")
    verified = answer.locator(".check-mark[data-kind=verified]")
    expect(verified.first).to_be_visible()
    count = verified.count()
    assert count >= 4
    expect(answer.locator(".check-mark[data-kind=unverified]")).to_have_count(0)
    verified.nth(1).click()
    detail = page.locator(".check-detail")
    expect(detail).to_contain_text("Found in your data: Sleep history · last_night.hours · ")
    screenshot(page, "chat-verify-1280")
    page.keyboard.press("Escape")

    page.reload()
    page.locator("#conversation-list .conversation-item").first.click()
    restored = page.locator(".chat-message.assistant").last
    expect(restored.locator(".check-mark[data-kind=verified]")).to_have_count(count)

    page.set_viewport_size(PHONE)
    expect(restored.locator(".check-mark").first).to_be_visible()
    restored.locator(".check-mark").first.click()
    expect(page.locator(".check-detail")).to_be_visible()
    assert not has_horizontal_scroll(page)
    screenshot(page, "chat-verify-375")


def test_a_models_invented_number_is_shown_in_words(new_page, live_server) -> None:
    with FakeOpenAIServer() as fake:
        _admin_llm(live_server, base_url=fake.base_url, models=["fake/model"])
        try:
            page = keyed_page(new_page(), fake, email="invent@example.com")
            fake.queue(
                ToolCalls([("get_sleep_history", '{"days": 7}')]),
                Text("You slept 7.9 h last night. You should aim for 8.5 h tonight."),
            )
            page.goto("/chat")
            wait_for_path(page, "/chat")
            answer = _ask(page, "How did I sleep?")
            unverified = answer.locator(".check-mark[data-kind=unverified]")
            expect(unverified).to_have_text("7.9 h — not found in your data")
            expect(answer.locator(".check-mark[data-kind=advice]")).to_have_text("8.5 h (advice)")
            screenshot(page, "chat-verify-unverified-1280")

            make_admin(live_server, "invent@example.com")  # the admin sees which model invents
            page.set_viewport_size(PHONE)
            page.goto("/admin")
            row = page.locator(".model-usage", has_text="fake/model")
            expect(row).to_contain_text("0/1")
            expect(row).to_contain_text("0%")
            assert not has_horizontal_scroll(page)
            screenshot(page, "admin-models-375")
        finally:
            _admin_llm(live_server, base_url="", models=[])
