"""A new user sees the empty dashboard, loads demo data, and gets readiness, charts and flags,
on desktop and on a 375 px phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    ARTIFACTS,
    DESKTOP,
    PHONE,
    has_horizontal_scroll,
    screenshot,
    signup_through_ui,
)

pytestmark = pytest.mark.e2e


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
    expect(card.locator(".contributor")).to_have_count(5)
    expect(card.locator(".device-score")).to_contain_text("Demo recovery")
    chart = "svg.recharts-surface[role=application]"
    expect(page.locator(f"#hrv-chart {chart}")).to_be_visible()
    expect(page.locator("#hrv-chart .recharts-area-area")).to_be_attached()  # the normal band
    expect(page.locator("#hrv-chart .recharts-line-curve").first).to_be_attached()
    expect(page.locator("#load-chart .recharts-bar-rectangle").first).to_be_attached()
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
    from datetime import timedelta

    from sqlalchemy import create_engine, text
    from sqlmodel import Session

    from cadence.models.common import utcnow
    from cadence.models.health import DailyMetricIn
    from cadence.services import metrics

    page = new_page(DESKTOP)
    email = "oura-dash@example.com"
    signup_through_ui(page, email=email, password="steady-pace-9", name="Ring")
    engine = create_engine(live_server.env["CADENCE_DATABASE_URL"])
    today = utcnow().date()
    nights = [
        DailyMetricIn(
            date=today - timedelta(days=offset),
            source="oura",
            sleep_seconds=7 * 3600 + 60 * offset,
            hrv_rmssd_ms=40.0 + offset % 5,
            resting_hr=55.0,
        )
        for offset in range(20)
    ]
    nights[0] = nights[0].model_copy(
        update={
            "recovery_score": 86,
            "recovery_contributors": {"hrv_balance": 95.0, "sleep_balance": 92.0},
        }
    )
    with Session(engine) as session:
        user_id = session.exec(text('SELECT id FROM "user" WHERE email = :e'), params={"e": email})
        metrics.upsert_daily_metrics(session=session, user_id=user_id.scalar(), days=nights)
        session.commit()
    engine.dispose()
    page.goto("/")
    card = page.locator("#readiness-card")
    expect(card.locator(".readiness-score")).to_have_text(re.compile(r"^\d{1,3}$"))
    expect(card.locator(".device-score")).to_have_text("Oura readiness: 86")
    expect(card.locator(".device-score-parts")).to_have_text("HRV balance 95 · Sleep balance 92")
    screenshot(page, "dashboard-oura-1280")
    page.set_viewport_size(PHONE)
    page.reload()
    expect(card.locator(".device-score-parts")).to_be_visible()
    assert not has_horizontal_scroll(page)
    screenshot(page, "dashboard-oura-375")
