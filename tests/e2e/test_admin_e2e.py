"""Admin panel in the browser: made admin by ``python -m cadence create-admin``; a member sees a
404 at /admin; the admin disables the member (their session ends at once) and sets the shared
LLM key, which is never shown again."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, screenshot, signup_through_ui, wait_for_path
from tests.e2e.test_pages_screens_e2e import make_admin

pytestmark = pytest.mark.e2e
PASSWORD = "admin-panel-3"


def test_admin_manages_users_and_the_shared_key(new_page, live_server) -> None:
    boss = new_page(DESKTOP)  # signs up first: the member is never the first (admin) account
    signup_through_ui(boss, email="boss-e2e@example.com", password=PASSWORD, name="Boss")
    make_admin(live_server, "boss-e2e@example.com")

    member = new_page(PHONE)
    signup_through_ui(member, email="member-e2e@example.com", password=PASSWORD, name="Mem")
    member.goto("/admin")
    expect(member.get_by_role("heading", name="404")).to_be_visible()
    expect(member.get_by_text("boss-e2e@example.com")).to_have_count(0)
    expect(member.get_by_role("link", name="Admin")).to_have_count(0)

    boss.goto("/admin")
    card = boss.locator(".rt-Card", has_text="member-e2e@example.com")
    expect(card).to_be_visible()
    expect(boss.get_by_role("link", name="Admin").first).to_be_visible()
    screenshot(boss, "admin-1280")

    card.get_by_role("button", name="Disable").click()
    expect(card.get_by_text("disabled")).to_be_visible()
    member.goto("/settings")
    wait_for_path(member, "/login")  # the member's token stopped working at once

    card.get_by_role("button", name="Enable").click()
    expect(card.get_by_text("disabled")).to_have_count(0)

    original_models = boss.locator("#admin_models").input_value()
    boss.fill("#admin_api_key", "sk-e2e-shared-key-4321")
    boss.fill("#admin_models", "openai/gpt-4o-mini\nqwen/qwen3-32b")
    boss.get_by_role("button", name="Save LLM settings").click()
    expect(boss.get_by_text("Key set, ending in 4321")).to_be_visible()
    expect(boss.locator("#admin_api_key")).to_have_value("")
    boss.reload()
    expect(boss.get_by_text("Key set, ending in 4321")).to_be_visible()
    expect(boss.locator("#admin_models")).to_have_value("openai/gpt-4o-mini\nqwen/qwen3-32b")
    assert "sk-e2e-shared-key" not in boss.content()

    # Put the shared server back as it was: other e2e tests expect the offline coach by default.
    boss.get_by_role("button", name="Remove key").click()
    expect(boss.get_by_text("No shared key")).to_be_visible()
    boss.fill("#admin_models", original_models)
    boss.get_by_role("button", name="Save LLM settings").click()
    expect(boss.get_by_text("The key is stored encrypted")).to_be_visible()
    boss.reload()
    expect(boss.get_by_text("No shared key")).to_be_visible()
    expect(boss.locator("#admin_models")).to_have_value(original_models)

    boss.set_viewport_size(PHONE)  # phones: Admin is in the account menu, not the bottom bar
    boss.goto("/settings")
    expect(boss.get_by_role("navigation", name="Main navigation")).to_be_visible()
    expect(boss.get_by_role("navigation").get_by_role("link", name="Admin")).to_have_count(0)
    boss.get_by_role("button", name="Account menu").click()
    boss.get_by_role("menuitem", name="Admin").click()
    wait_for_path(boss, "/admin")
