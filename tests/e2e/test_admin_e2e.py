"""Admin panel in the browser: made admin by ``python -m cadence create-admin``; a member sees a
404 at /admin; the admin disables the member (their session ends at once) and sets the shared
LLM key, which is never shown again."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    has_horizontal_scroll,
    screenshot,
    signup_through_ui,
    wait_for_path,
)
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
    expect(member.get_by_text("There is no page at this address.")).to_be_visible()
    expect(member.get_by_text("boss-e2e@example.com")).to_have_count(0)
    expect(member.get_by_role("link", name="Admin")).to_have_count(0)

    boss.goto("/admin")
    card = boss.locator(".admin-user", has_text="member-e2e@example.com")
    expect(card).to_be_visible()
    own = boss.locator(".admin-user", has_text="boss-e2e@example.com")
    expect(own.get_by_text("You")).to_be_visible()  # no way to lock oneself out
    expect(own.get_by_role("button")).to_have_count(0)
    expect(boss.get_by_role("link", name="Admin").first).to_be_visible()
    screenshot(boss, "admin-1280")

    card.get_by_role("button", name="Disable").click()
    expect(card.get_by_text("disabled")).to_be_visible()
    member.goto("/settings")
    wait_for_path(member, "/login")  # the member's token stopped working at once

    card.get_by_role("button", name="Enable").click()
    expect(card.get_by_text("disabled")).to_have_count(0)

    boss.click("#tab-llm")  # the LLM settings have a tab of their own
    original_models = boss.locator("#admin_models").input_value()
    boss.fill("#admin_api_key", "sk-e2e-shared-key-4321")
    boss.fill("#admin_models", "openai/gpt-4o-mini\nqwen/qwen3-32b")
    boss.get_by_role("button", name="Save LLM settings").click()
    expect(boss.get_by_text("Key set, ending in 4321")).to_be_visible()
    expect(boss.locator("#admin_api_key")).to_have_value("")
    boss.reload()
    boss.click("#tab-llm")
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
    boss.click("#tab-llm")
    expect(boss.get_by_text("No shared key")).to_be_visible()
    expect(boss.locator("#admin_models")).to_have_value(original_models)

    boss.set_viewport_size(PHONE)  # phones: Admin is in the account menu, not the bottom bar
    boss.goto("/settings")
    expect(boss.get_by_role("navigation", name="Main navigation")).to_be_visible()
    expect(boss.get_by_role("navigation").get_by_role("link", name="Admin")).to_have_count(0)
    boss.get_by_role("button", name="Account menu").click()
    boss.get_by_role("menuitem", name="Admin").click()
    wait_for_path(boss, "/admin")


def test_admin_with_a_hundred_users_searches_sorts_and_pages(new_page, live_server) -> None:
    """The scripted pass at scale: 100 more accounts, one page of 25 rows, search and pages in
    the database, the page a few screens long rather than 16 000 px, no sideways scroll."""
    boss = new_page(DESKTOP)
    signup_through_ui(boss, email="scale-boss@example.com", password=PASSWORD, name="Scale")
    make_admin(live_server, "scale-boss@example.com")
    with httpx.Client(base_url=live_server.url, timeout=30) as http:
        for n in range(100):
            created = http.post(
                "/api/v1/auth/signup",
                json={
                    "email": f"athlete-{n:03d}@example.com",
                    "password": PASSWORD,
                    "display_name": f"Athlete {n:03d}",
                },
            )
            assert created.status_code == 201, created.text

    boss.goto("/admin")
    rows = boss.locator(".admin-user")
    expect(rows).to_have_count(25)
    total = boss.locator("#admin-count")
    expect(total).to_contain_text("page 1 of")
    height = boss.evaluate("document.documentElement.scrollHeight")
    assert height < 3000, height
    screenshot(boss, "admin-100-users-1280")

    boss.click("#admin-next")
    expect(total).to_contain_text("page 2 of")
    expect(rows).to_have_count(25)

    boss.fill("#admin-search", "athlete-07")
    boss.keyboard.press("Enter")
    expect(rows).to_have_count(10)  # athlete-070 ... athlete-079
    expect(total).to_contain_text("10 users found · page 1 of 1")
    boss.click("#admin-order")  # newest first
    expect(rows.first).to_contain_text("athlete-079@example.com")

    boss.get_by_role("combobox", name="Sort by").click()
    boss.get_by_role("option", name="Email").click()  # sorted in the database, newest first
    expect(rows.first).to_contain_text("athlete-079@example.com")
    boss.click("#admin-order")
    expect(rows.first).to_contain_text("athlete-070@example.com")

    boss.fill("#admin-search", "scale-boss")  # one's own row: no Disable, no Remove admin
    boss.keyboard.press("Enter")
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_text("You")).to_be_visible()
    expect(rows.first.get_by_role("button")).to_have_count(0)

    boss.fill("#admin-search", "nobody-by-this-name")
    boss.keyboard.press("Enter")
    expect(boss.locator("#admin-empty")).to_be_visible()

    boss.set_viewport_size(PHONE)
    boss.fill("#admin-search", "")
    boss.keyboard.press("Enter")
    expect(rows).to_have_count(25)
    assert not has_horizontal_scroll(boss)
    previous, following = boss.locator("#admin-prev"), boss.locator("#admin-next")
    assert previous.bounding_box()["y"] == following.bounding_box()["y"]  # Next never wraps
    screenshot(boss, "admin-100-users-375")
