"""The Devices page: a card per provider with its status, the Garmin sign-in form, OAuth
providers that are not configured say so, the file-import card sits below; desktop and 375 px."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from tests.e2e.conftest import DESKTOP, PHONE, has_horizontal_scroll, screenshot, signup_through_ui

pytestmark = pytest.mark.e2e
REJECTED = "Garmin Connect rejected the sign-in or the stored tokens; please reconnect."


def test_devices_page_lists_providers_desktop_and_phone(new_page) -> None:
    page = new_page(DESKTOP)
    signup_through_ui(page, email="devices@example.com", password="steady-pace-9", name="Dev")
    page.get_by_role("link", name="Devices").first.click()
    cards = page.locator(".device-card")
    expect(cards).to_have_count(4)
    garmin = page.locator(".device-card[data-provider=garmin]")
    expect(garmin.get_by_text("Not connected")).to_be_visible()
    expect(garmin.get_by_label("Garmin Connect email")).to_be_visible()
    expect(garmin.get_by_role("button", name="Connect Garmin")).to_be_visible()
    whoop = page.locator(".device-card[data-provider=whoop]")
    expect(whoop.get_by_text("Not set up on this server")).to_be_visible()
    oura = page.locator(".device-card[data-provider=oura]")
    expect(oura.get_by_text("Not set up on this server")).to_be_visible()
    expect(oura.get_by_text("CADENCE_OURA_CLIENT_ID")).to_be_visible()
    expect(page.get_by_text("Drop files here or tap to choose")).to_be_visible()
    screenshot(page, "devices-1280")

    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator(".device-card")).to_have_count(4)
    button = garmin.get_by_role("button", name="Connect Garmin")
    assert button.bounding_box()["height"] >= 44
    assert not has_horizontal_scroll(page)
    screenshot(page, "devices-375")


def test_oauth_callback_error_is_shown_in_words(new_page) -> None:
    page = new_page(DESKTOP)
    signup_through_ui(page, email="devices2@example.com", password="steady-pace-9", name="Dev")
    page.goto("/api/v1/devices/whoop/callback?state=forged&code=x")
    # Back on the Devices page, the reason is shown in words.
    callout = page.get_by_role("status").filter(has_text="CADENCE_WHOOP_CLIENT_ID")
    expect(callout).to_be_visible()
    assert "/devices" in page.url


def test_device_needing_attention_then_disconnect_with_confirm(new_page, live_server) -> None:
    """A Garmin connection whose tokens were rejected (set up in the server's database: signing in
    to Garmin for real would need the internet) shows its error; disconnecting asks first."""
    page = new_page(PHONE)
    email = "devices3@example.com"
    signup_through_ui(page, email=email, password="steady-pace-9", name="Dev")
    engine = create_engine(live_server.env["CADENCE_DATABASE_URL"])
    with engine.begin() as conn:
        user_id = conn.execute(
            text('SELECT id FROM "user" WHERE email = :e'), {"e": email}
        ).scalar()
        conn.execute(
            text(
                "INSERT INTO device_connection (user_id, provider, status, credentials,"
                " needs_reconnect, last_error, failure_count, created_at, updated_at)"
                " VALUES (:u, 'garmin', 'error', 'ciphertext', true, :err, 1, :now, :now)"
            ),
            {"u": user_id, "err": REJECTED, "now": datetime.now(UTC)},
        )
    engine.dispose()
    page.goto("/devices")
    garmin = page.locator(".device-card[data-provider=garmin]")
    expect(garmin.get_by_text("Needs attention")).to_be_visible()
    expect(garmin.get_by_text(REJECTED)).to_be_visible()
    expect(garmin.get_by_role("button", name="Reconnect Garmin")).to_be_visible()
    assert not has_horizontal_scroll(page)
    screenshot(page, "devices-error-375")

    garmin.get_by_role("button", name="Disconnect").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog.get_by_text("Data already synced stays.")).to_be_visible()
    dialog.get_by_role("button", name="Disconnect").click()
    expect(garmin.get_by_text("Not connected")).to_be_visible()
    expect(page.get_by_text("The stored sign-in was erased")).to_be_visible()
    expect(garmin.get_by_role("button", name="Connect Garmin")).to_be_visible()


def test_garmin_form_errors_under_fields_and_wrong_file_type_in_words(new_page) -> None:
    """An empty Garmin sign-in is answered under each field before Garmin is asked; a file of a
    type Cadence cannot read is refused with the list of what it reads, in words."""
    page = new_page(PHONE)
    signup_through_ui(page, email="devices4@example.com", password="steady-pace-9", name="Dev")
    page.goto("/devices")
    garmin = page.locator(".device-card[data-provider=garmin]")
    garmin.get_by_role("button", name="Connect Garmin").click()
    email = garmin.get_by_label("Garmin Connect email")
    expect(email).to_have_attribute("aria-invalid", "true")
    note = page.locator("#" + email.get_attribute("aria-describedby"))
    expect(note).to_have_text("Enter a valid email address, like name@example.com.")
    password = garmin.get_by_label("Garmin Connect password")
    expect(page.locator("#" + password.get_attribute("aria-describedby"))).to_have_text(
        "Enter your Garmin Connect password."
    )
    screenshot(page, "devices-garmin-errors-375")

    page.get_by_label("Choose files to import").set_input_files(
        files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello"}]
    )
    expect(page.get_by_text("That file type can't be imported.")).to_contain_text(
        "Cadence reads FIT, GPX, TCX, Apple Health export.zip/.xml, Strong and Hevy CSV, "
        "and Cadence export zips."
    )
