"""Settings → Preferences in a real browser: the browser's zone is proposed on the first visit,
physiology is saved with its origin, a bad value gets words next to its field."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, has_horizontal_scroll, screenshot, signup_through_ui

pytestmark = pytest.mark.e2e


def test_preferences_propose_the_browser_zone_and_save_physiology(browser, live_server) -> None:
    context = browser.new_context(
        viewport=PHONE, base_url=live_server.url, timezone_id="Asia/Tokyo", color_scheme="dark"
    )
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        signup_through_ui(page, email="kei@example.com", password="tokyo-runner-7", name="Kei")
        page.goto("/settings")
        expect(page.locator("#pref_timezone")).to_have_value("Asia/Tokyo")
        expect(page.locator("#pref_timezone_proposed")).to_be_visible()
        expect(page.get_by_text("Cadence uses 190 bpm (Cadence's default).")).to_be_visible()
        assert not has_horizontal_scroll(page)
        screenshot(page, "settings-preferences-375-dark")

        page.fill("#pref_max_hr", "300")
        page.click("#save_preferences")
        expect(page.get_by_text("less than or equal to 240")).to_be_visible()

        page.fill("#pref_max_hr", "185")
        page.fill("#pref_birth_year", "1990")
        page.click("#save_preferences")
        expect(page.get_by_text("Preferences saved")).to_be_visible()
        expect(page.get_by_text("Cadence uses 185 bpm (measured).")).to_be_visible()

        page.reload()
        expect(page.locator("#pref_timezone")).to_have_value("Asia/Tokyo")
        expect(page.locator("#pref_max_hr")).to_have_value("185")
        expect(page.locator("#pref_timezone_proposed")).to_have_count(0)  # saved: no proposal
        page.set_viewport_size(DESKTOP)
        screenshot(page, "settings-preferences-1280-dark")
    finally:
        context.close()
