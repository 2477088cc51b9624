"""The Devices page: a card per provider with its status, the Garmin sign-in form, OAuth
providers that are not configured say so, the file-import card sits below; desktop and 375 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, has_horizontal_scroll, screenshot, signup_through_ui

pytestmark = pytest.mark.e2e


def test_devices_page_lists_providers_desktop_and_phone(new_page) -> None:
    page = new_page(DESKTOP)
    signup_through_ui(page, email="devices@example.com", password="steady-pace-9", name="Dev")
    page.get_by_role("link", name="Devices").first.click()
    cards = page.locator(".device-card")
    expect(cards).to_have_count(3)
    garmin = page.locator(".device-card[data-provider=garmin]")
    expect(garmin.get_by_text("Not connected")).to_be_visible()
    expect(garmin.get_by_placeholder("Garmin Connect email")).to_be_visible()
    expect(garmin.get_by_role("button", name="Connect Garmin")).to_be_visible()
    whoop = page.locator(".device-card[data-provider=whoop]")
    expect(whoop.get_by_text("Not set up on this server")).to_be_visible()
    expect(page.get_by_text("Drop files here or tap to choose")).to_be_visible()
    screenshot(page, "devices-1280")

    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator(".device-card")).to_have_count(3)
    button = garmin.get_by_role("button", name="Connect Garmin")
    assert button.bounding_box()["height"] >= 44
    assert not has_horizontal_scroll(page)
    screenshot(page, "devices-375")


def test_oauth_callback_error_is_shown_in_words(new_page) -> None:
    page = new_page(DESKTOP)
    signup_through_ui(page, email="devices2@example.com", password="steady-pace-9", name="Dev")
    page.goto("/api/v1/devices/whoop/callback?state=forged&code=x")
    # Back on the Devices page, the reason is shown in words.
    expect(page.get_by_text("CADENCE_WHOOP_CLIENT_ID", exact=False)).to_be_visible()
    assert "/devices" in page.url
