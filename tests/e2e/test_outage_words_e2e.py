"""A database that cannot take a write, seen in the browser: the workout form says in words that
nothing was saved and to try again (not Reflex's "An error occurred. Contact the website
administrator."), keeps what the user typed, and the same click works once the database is back,
storing the workout exactly once."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from cadence.services.failures import DATABASE_UNAVAILABLE
from tests.e2e.conftest import PHONE, screenshot, signup_through_ui, wait_for_path
from tests.reliability.test_db_faults import write_lock_held

pytestmark = pytest.mark.e2e
LOCK_WAIT_MS = 40_000  # above the server's 10 s lock timeout


def _count(url: str, name: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = conn.execute(
            text("SELECT count(*) FROM workout WHERE workout_name = :n"), {"n": name}
        ).scalar_one()
    engine.dispose()
    return found


@pytest.mark.pg_e2e
def test_a_locked_database_is_explained_in_words_and_the_retry_saves_once(
    new_page, live_server
) -> None:
    url = live_server.env["CADENCE_DATABASE_URL"]
    page = new_page(PHONE)
    signup_through_ui(page, email="outage@example.com", password="outage-words-1", name="Ola")
    page.goto("/workouts/edit")
    page.fill("#workout_name", "Saved after the outage")
    row = page.locator(".exercise-row").nth(0)
    row.get_by_label("Exercise name").fill("Deadlift")
    row.get_by_label("Sets").fill("3")
    row.get_by_label("Reps").fill("5")
    row.get_by_label("kg").fill("120")
    with write_lock_held(url):
        page.click("#save-workout")
        expect(page.get_by_text(DATABASE_UNAVAILABLE)).to_be_visible(timeout=LOCK_WAIT_MS)
        screenshot(page, "outage-words-375")
    expect(page.get_by_text("Contact the website administrator")).to_have_count(0)
    expect(page.locator("#workout_name")).to_have_value("Saved after the outage")
    assert _count(url, "Saved after the outage") == 0
    page.click("#save-workout")
    wait_for_path(page, "/workouts/view")
    expect(page.locator("#workout-title")).to_have_text("Saved after the outage")
    assert _count(url, "Saved after the outage") == 1
