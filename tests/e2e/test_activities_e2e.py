"""The training timeline and an activity's page in a real browser: upload real FIT files and a
GPX copy of one of them, see one entry per session (the copy named as a second source), open
a run (route drawing, charts, zones, laps, splits, load), a triathlon (its legs), toggle the
charts to distance, delete a session; at 375 px without horizontal scroll."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.copies import gpx_copy_of
from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    has_horizontal_scroll,
    screenshot,
    signup_through_ui,
    wait_for_path,
)

pytestmark = pytest.mark.e2e

FIT = Path(__file__).resolve().parent.parent / "fixtures" / "fit"
RUN = FIT / "activity-small-fenix2-run.fit"
TRIATHLON = FIT / "sample_mulitple_header.fit"


def _upload(page, *paths: Path) -> None:
    page.goto("/devices")
    page.locator("#health_files input[type=file]").set_input_files([str(p) for p in paths])
    page.click("#import_button")
    expect(page.locator("#import_status")).to_have_text("done", timeout=90_000)


def test_timeline_detail_and_delete(new_page, tmp_path) -> None:
    page = new_page(DESKTOP)
    signup_through_ui(page, email="runner@example.com", password="long-run-sunday-3", name="Ru")
    page.get_by_role("link", name="Activities").first.click()
    wait_for_path(page, "/activities")
    expect(page.locator("#activities-empty")).to_be_visible()

    _upload(page, RUN, TRIATHLON, gpx_copy_of(RUN, tmp_path / "run-from-strava.gpx"))
    screenshot(page, "devices-import-unit-1280")
    page.goto("/activities")
    cards = page.locator(".activity-card")
    expect(cards).to_have_count(2)  # the GPX copy of the run is the same session
    run = cards.filter(has_text="Running")
    expect(run).to_contain_text("FIT file + GPX file")
    expect(run).to_contain_text("9.01 km")
    expect(cards.filter(has_text="Multisport")).to_contain_text("5 legs")
    screenshot(page, "activities-timeline-1280")

    run.click()
    wait_for_path(page, "/activities/view")
    expect(page.locator("#activity-title")).to_have_text("Running")
    expect(page.locator("#activity-sources")).to_have_text("FIT file + GPX file")
    expect(page.locator("#activity-route polyline")).to_have_count(1)
    points = page.locator("#activity-route polyline").get_attribute("points") or ""
    assert len(points.split()) > 100  # the track, drawn from the stored stream
    for chart in ("hr", "pace", "altitude", "cadence"):
        expect(page.locator(f".chart-{chart} .recharts-surface")).to_be_visible()
    expect(page.locator(".chart-power")).to_have_count(0)  # the watch wrote no power values
    expect(page.locator("#activity-zones .zone-row").first).to_be_visible()
    expect(page.locator("#activity-laps tbody tr")).to_have_count(4)
    expect(page.locator("#activity-splits tbody tr")).to_have_count(9)
    expect(page.locator("#activity-load-explanation")).to_contain_text("Banister TRIMP")
    page.get_by_role("radio", name="Distance (km)").click()
    expect(page.locator(".chart-hr").get_by_text("km", exact=True)).to_be_visible()
    screenshot(page, "activity-run-1280")

    phone = new_page(PHONE)
    phone.goto(page.url)
    signup_free = phone.evaluate("localStorage.getItem('cadence_token')")
    assert signup_free is None  # a new context: log in through the redirect
    phone.fill("#email", "runner@example.com")
    phone.fill("#password", "long-run-sunday-3")
    phone.get_by_role("button", name="Log in").click()
    wait_for_path(phone, "/activities/view")
    expect(phone.locator("#activity-route polyline")).to_have_count(1)
    expect(phone.locator(".chart-hr .recharts-surface")).to_be_visible()
    assert not has_horizontal_scroll(phone)
    screenshot(phone, "activity-run-375")

    page.goto("/activities")
    page.locator(".activity-card").filter(has_text="Multisport").click()
    wait_for_path(page, "/activities/view")
    legs = page.locator("#activity-legs .activity-card")
    expect(legs).to_have_count(5)
    expect(legs.nth(0)).to_contain_text("Swimming")
    expect(legs.nth(4)).to_contain_text("Running")
    legs.nth(2).click()
    expect(page.locator("#activity-title")).to_have_text("Cycling")
    expect(page.get_by_role("button", name="Whole multisport session")).to_be_visible()

    phone.goto("/activities")
    expect(phone.locator(".activity-card")).to_have_count(2)
    assert not has_horizontal_scroll(phone)
    screenshot(phone, "activities-timeline-375")
    phone.screenshot(
        path=str(screenshot(phone, "activities-timeline-375").with_name("nav-375.png"))
    )
    phone.locator(".activity-card").filter(has_text="Running").click()
    wait_for_path(phone, "/activities/view")
    phone.get_by_role("button", name="Delete").click()
    phone.get_by_role("button", name="Delete activity").click()
    wait_for_path(phone, "/activities")
    expect(phone.locator(".activity-card")).to_have_count(1)
    expect(phone.locator(".activity-card")).to_contain_text("Multisport")


def test_the_dashboards_recent_sessions_open_their_pages(new_page) -> None:
    page = new_page(DESKTOP)
    signup_through_ui(page, email="recent@example.com", password="steady-pace-9", name="Re")
    page.click("#load-demo-data")
    expect(page.locator(".recent-item").first).to_be_visible(timeout=30_000)
    activity = page.locator(".recent-item").filter(has_not_text="volume").first
    title = activity.locator("p").first.inner_text()
    activity.click()
    wait_for_path(page, "/activities/view")
    expect(page.locator("#activity-title")).to_have_text(title)
    expect(page.locator("#activity-load")).not_to_have_text("—")
