"""A new user sees the empty dashboard, loads demo data, and gets readiness, charts and flags,
on desktop and on a 375 px phone."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text
from sqlmodel import Session

from cadence.models.common import utcnow
from cadence.models.health import DailyMetricIn
from cadence.services import metrics
from tests.e2e.conftest import (
    ARTIFACTS,
    DESKTOP,
    PHONE,
    has_horizontal_scroll,
    screenshot,
    signup_through_ui,
)

pytestmark = pytest.mark.e2e


def last_nights(
    source: str, days: int = 20, **fields: Callable[[int], float]
) -> list[DailyMetricIn]:
    """``days`` nights of ``source`` up to today; each field is a function of the days ago."""
    today = utcnow().date()
    return [
        DailyMetricIn(
            date=today - timedelta(days=ago),
            source=source,
            **{name: value(ago) for name, value in fields.items()},
        )
        for ago in range(days)
    ]


def store_nights(live_server, *, email: str, nights: list[DailyMetricIn]) -> None:
    """Store ``nights`` for the account of ``email`` as a device sync or an import stores them."""
    engine = create_engine(live_server.env["CADENCE_DATABASE_URL"])
    with Session(engine) as session:
        user_id = session.exec(text('SELECT id FROM "user" WHERE email = :e'), params={"e": email})
        metrics.upsert_daily_metrics(session=session, user_id=user_id.scalar(), days=nights)
        session.commit()
    engine.dispose()


def test_dashboard_with_demo_data_desktop_and_phone(new_page) -> None:
    page = new_page(DESKTOP)
    signup_through_ui(page, email="dash@example.com", password="steady-pace-9", name="Dee")
    empty = page.locator("#empty-state")
    expect(empty.get_by_text("No health data yet.")).to_be_visible()
    expect(empty.get_by_role("link", name="Go to Devices")).to_have_attribute("href", "/devices")
    screenshot(page, "dashboard-empty-1280")

    page.click("#load-demo-data")
    card = page.locator("#readiness-card")
    expect(card.locator(".readiness-score")).to_have_text(re.compile(r"^\d{1,3}$"))
    expect(card.locator(".readiness-color")).to_have_text(
        re.compile("Ready|Take it easier|Recover")
    )
    expect(page.locator("#readiness-inputs .contributor")).to_have_count(5)
    expect(card.get_by_text("Cadence readiness")).to_be_visible()
    # the device's own score is a small labelled source row, not a second ring
    expect(card.locator("#device-score-row")).to_contain_text("From your device")
    expect(card.locator(".device-score")).to_contain_text("Demo recovery")
    expect(page.locator("#sleep-number .key-value")).to_have_text(re.compile(r"^\d+\.\d$"))
    expect(page.locator("#load-number .key-value")).to_have_text(re.compile(r"^[\d.,]+$"))
    chart = "svg.recharts-surface[role=application]"
    expect(page.locator(f"#hrv-chart {chart}")).to_be_visible()
    expect(page.locator("#hrv-chart .recharts-area-area")).to_be_attached()  # the normal band
    expect(page.locator("#hrv-chart .recharts-line-curve").first).to_be_attached()
    expect(page.locator("#load-chart .recharts-bar-rectangle").first).to_be_attached()
    expect(page.locator("#sleep-chart-empty")).to_have_count(0)  # demo nights have sleep
    flag_line = page.locator("#load-chart .recharts-reference-line line")
    expect(flag_line).to_have_count(1)  # ACWR's 1.3 "risky jump" line, from analytics
    expect(page.locator("#flags-card .flag").first).to_be_visible()
    expect(page.locator(".metric-tile").first).to_be_visible()
    expect(page.locator("#devices-bar")).to_contain_text("No device connected")
    expect(page.locator(".recent-item")).to_have_count(10)

    card.get_by_role("button", name="How is this computed?").click()
    expect(page.get_by_text("weighted mean of HRV")).to_be_visible()
    page.keyboard.press("Escape")
    screenshot(page, "dashboard-1280")

    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator("#readiness-card .readiness-score")).to_be_visible()
    # readiness, sleep and load on the first screen: above the bottom bar, no scrolling
    nav_top = page.get_by_role("navigation", name="Main navigation").bounding_box()["y"]
    for number in ("#readiness-card", "#sleep-number", "#load-number"):
        box = page.locator(number).bounding_box()
        assert box["y"] + box["height"] <= nav_top, (number, box, nav_top)
    expect(page.locator(f"#sleep-chart {chart}")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main navigation")).to_be_visible()
    assert not has_horizontal_scroll(page)
    screenshot(page, "dashboard-375")
    page.screenshot(path=str(ARTIFACTS / "dashboard-375-first-screen.png"))  # what a phone shows


def test_oura_readiness_is_shown_beside_cadences_with_its_contributors(
    new_page, live_server
) -> None:
    """Oura nights and readiness (stored as a sync stores them) on the dashboard: the device's
    own score and its contributors sit beside Cadence's readiness; the sleep tile names Oura."""
    page = new_page(DESKTOP)
    email = "oura-dash@example.com"
    signup_through_ui(page, email=email, password="steady-pace-9", name="Ring")
    nights = last_nights(
        "oura",
        sleep_seconds=lambda ago: 7 * 3600 + 60 * ago,
        hrv_rmssd_ms=lambda ago: 40.0 + ago % 5,
        resting_hr=lambda ago: 55.0,
    )
    nights[0] = nights[0].model_copy(
        update={
            "recovery_score": 86,
            "recovery_contributors": {"hrv_balance": 95.0, "sleep_balance": 92.0},
        }
    )
    store_nights(live_server, email=email, nights=nights)
    page.goto("/")
    card = page.locator("#readiness-card")
    expect(card.locator(".readiness-score")).to_have_text(re.compile(r"^\d{1,3}$"))
    expect(card.locator(".device-score")).to_have_text("Oura readiness 86")
    expect(card.locator(".device-score-parts")).to_have_text("HRV balance 95 · Sleep balance 92")
    expect(page.locator("#hrv-chart .recharts-legend-wrapper")).to_contain_text("rMSSD (ms)")
    screenshot(page, "dashboard-oura-1280")
    page.set_viewport_size(PHONE)
    page.reload()
    expect(card.locator(".device-score-parts")).to_be_visible()
    assert not has_horizontal_scroll(page)
    screenshot(page, "dashboard-oura-375")


def test_apple_health_hrv_is_charted_as_sdnn(new_page, live_server) -> None:
    """An Apple Health user has SDNN, never rMSSD: the HRV chart names the series it draws."""
    page = new_page(DESKTOP)
    email = "sdnn-dash@example.com"
    signup_through_ui(page, email=email, password="steady-pace-9", name="Watch")
    nights = last_nights("apple_health", hrv_sdnn_ms=lambda ago: 45.0 + ago % 4)
    store_nights(live_server, email=email, nights=nights)
    page.goto("/")
    legend = page.locator("#hrv-chart .recharts-legend-wrapper")
    expect(legend).to_contain_text("SDNN (ms)")
    expect(legend).not_to_contain_text("rMSSD")
    ticks = page.locator(
        "#hrv-chart .recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value"
    )
    expect(ticks.first).to_be_attached()
    assert all(re.fullmatch(r"\d+", tick) for tick in ticks.all_text_contents()), (
        ticks.all_text_contents()
    )
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            expect(legend).to_contain_text("SDNN (ms)")
            assert not has_horizontal_scroll(page), (viewport, scheme)
            screenshot(page, f"dashboard-sdnn-{viewport['width']}-{scheme}")


def test_charts_without_their_data_say_so_in_words(new_page, live_server) -> None:
    """A user whose device sends only resting HR: the sleep, HRV and load charts say in words
    that nothing was recorded, instead of bare axes (and the sleep need's dashed line)."""
    page = new_page(DESKTOP)
    email = "rhr-only@example.com"
    signup_through_ui(page, email=email, password="steady-pace-9", name="Res")
    store_nights(live_server, email=email, nights=last_nights("garmin", resting_hr=lambda a: 52.0))
    page.goto("/")
    expect(page.locator("#sleep-chart-empty")).to_contain_text("No sleep recorded")
    expect(page.locator("#hrv-chart-empty")).to_contain_text("No HRV recorded")
    expect(page.locator("#sleep-chart")).to_have_count(0)
    expect(page.locator("#hrv-chart")).to_have_count(0)
    expect(page.locator("#load-chart-empty")).to_contain_text("No training recorded")
    expect(page.locator("#fitness-chart-empty")).to_contain_text("No training recorded")
    screenshot(page, "dashboard-charts-empty-1280")
