"""Upload a real FIT file (and a broken GPX file) on the Devices page: the progress bar
ends on a partial import with the bad file named, and the ride is listed with its totals;
then the demo-data button fills the account."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, screenshot, signup_through_ui

pytestmark = pytest.mark.e2e

FIT = Path(__file__).resolve().parent.parent / "fixtures" / "fit" / "garmin-edge-500-activity.fit"


@pytest.mark.pg_e2e
def test_upload_fit_file_and_see_the_activity(new_page, tmp_path) -> None:
    page = new_page(DESKTOP)
    signup_through_ui(page, email="uploader@example.com", password="steady-pace-9", name="Up")
    page.get_by_role("link", name="Devices").first.click()
    broken = tmp_path / "broken.gpx"
    broken.write_text("this is not a GPX file")
    page.locator("#health_files input[type=file]").set_input_files([str(FIT), str(broken)])
    expect(page.get_by_text("garmin-edge-500-activity.fit")).to_be_visible()
    page.click("#import_button")

    expect(page.locator("#import_status")).to_have_text("partial", timeout=60_000)
    expect(page.locator("#import_summary")).to_have_text("1 new activity")
    expect(page.locator("#import_progress")).to_be_visible()
    expect(
        page.get_by_role("alert").filter(has_text="broken.gpx: not valid GPX/XML")
    ).to_be_visible()
    screenshot(page, "devices-import-1280")

    ride = page.locator(".imported-item").filter(has_text="Cycling")
    expect(ride).to_contain_text("2 h 57 min · 92.6 km · avg HR 162")
    expect(ride).to_contain_text("2011-09-25")

    page.click("#demo_button")
    expect(page.get_by_text(re.compile(r"Demo data ready: \d+ days of metrics"))).to_be_visible(
        timeout=30_000
    )
