"""On a 375 px phone: log a 3-exercise workout, see it listed, edit a weight, watch the library's
best e1RM change, delete the workout."""

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

pytestmark = pytest.mark.e2e
EXERCISES = [
    ("Bench Press", "3", "5", "80"),
    ("Back Squat", "3", "5", "100"),
    ("Row", "3", "8", "60"),
]


def _row(page, index: int):
    return page.locator(".exercise-row").nth(index)


def _fill_row(page, index: int, name: str, sets: str, reps: str, weight: str) -> None:
    row = _row(page, index)
    row.get_by_label("Exercise name").fill(name)
    row.get_by_label("Sets").fill(sets)
    row.get_by_label("Reps").fill(reps)
    row.get_by_label("kg").fill(weight)
    row.get_by_label("kg").press("Tab")


def _library_entry(page, name: str):
    return page.locator(".library-entry").filter(has_text=name)


def test_log_edit_library_delete_on_a_phone(new_page) -> None:
    page = new_page(PHONE)
    signup_through_ui(page, email="lifter@example.com", password="heavy-lifts-5", name="Lee")

    page.goto("/workouts")
    expect(page.get_by_text("No workouts yet")).to_be_visible()
    assert not has_horizontal_scroll(page)
    screenshot(page, "workouts-empty-375")

    page.get_by_role("button", name="Log your first workout").click()
    wait_for_path(page, "/workouts/edit")
    local_today = page.evaluate("new Date().toLocaleDateString('en-CA')")
    expect(page.locator("#workout_date")).to_have_value(local_today)
    page.fill("#workout_name", "Upper A")
    _fill_row(page, 0, *EXERCISES[0])
    for index, exercise in enumerate(EXERCISES[1:], start=1):
        page.click("#add-exercise")
        expect(page.locator(".exercise-row")).to_have_count(index + 1)
        _fill_row(page, index, *exercise)
    # reorder: move "Row" up above "Back Squat", then back down
    _row(page, 2).get_by_role("button", name="Move up").click()
    expect(_row(page, 1).get_by_label("Exercise name")).to_have_value("Row")
    _row(page, 1).get_by_role("button", name="Move down").click()
    expect(_row(page, 2).get_by_label("Exercise name")).to_have_value("Row")
    # add a row and remove it again
    page.click("#add-exercise")
    expect(page.locator(".exercise-row")).to_have_count(4)
    _row(page, 3).get_by_role("button", name="Remove exercise").click()
    expect(page.locator(".exercise-row")).to_have_count(3)
    assert not has_horizontal_scroll(page)
    expect(_row(page, 0).get_by_label("kg")).to_have_attribute("inputmode", "decimal")
    screenshot(page, "workout-form-375")

    page.click("#save-workout")
    wait_for_path(page, "/workouts/view")
    expect(page.locator("#workout-title")).to_have_text("Upper A")
    expect(page.locator(".detail-exercise")).to_have_count(3)
    expect(page.get_by_text("3 \u00d7 5 @ 80 kg")).to_be_visible()
    assert not has_horizontal_scroll(page)
    screenshot(page, "workout-detail-375")

    page.goto("/workouts")
    expect(page.locator(".workout-card")).to_have_count(1)
    expect(page.locator(".workout-card")).to_contain_text("Upper A")
    expect(page.locator(".workout-card")).to_contain_text("3 exercises · 9 sets")
    assert not has_horizontal_scroll(page)
    screenshot(page, "workouts-list-375")

    page.goto("/exercises")
    # 80 x (1 + 5/30) = 93.33, shown to 0.5 kg as lifters round
    expect(_library_entry(page, "Bench Press")).to_contain_text("93.5 kg")
    assert not has_horizontal_scroll(page)

    page.goto("/workouts")
    page.locator(".workout-card").first.click()
    wait_for_path(page, "/workouts/view")
    page.get_by_role("button", name="Edit").click()
    wait_for_path(page, "/workouts/edit")
    expect(_row(page, 0).get_by_label("kg")).to_have_value("80")
    _row(page, 0).get_by_label("kg").fill("90")
    _row(page, 0).get_by_label("kg").press("Tab")
    page.click("#save-workout")
    wait_for_path(page, "/workouts/view")
    expect(page.get_by_text("3 \u00d7 5 @ 90 kg")).to_be_visible()

    page.goto("/exercises?name=Bench%20Press")
    expect(_library_entry(page, "Bench Press")).to_contain_text("105 kg")  # 90 x (1 + 5/30)
    expect(page.locator("#selected-exercise")).to_have_text("Bench Press")
    expect(page.locator("#progress-chart .recharts-surface").first).to_be_visible()
    screenshot(page, "exercise-library-375")

    page.goto("/workouts")
    page.locator(".workout-card").first.click()
    wait_for_path(page, "/workouts/view")
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("Delete this workout?")).to_be_visible()
    page.get_by_role("button", name="Delete workout").click()
    wait_for_path(page, "/workouts")
    expect(page.get_by_text("No workouts yet")).to_be_visible()
    page.goto("/exercises")
    expect(page.get_by_text("Your library fills itself as you log workouts.")).to_be_visible()
    expect(page.locator("#progress-chart")).to_have_count(0)


def test_repeat_last_workout_and_validation_on_desktop(new_page) -> None:
    page = new_page(DESKTOP)
    signup_through_ui(page, email="repeat@example.com", password="heavy-lifts-5", name="Rae")
    page.goto("/workouts/edit")
    page.fill("#workout_name", "Legs")
    _fill_row(page, 0, "Deadlift", "1", "abc", "140")
    page.click("#save-workout")
    expect(page.get_by_role("alert").filter(has_text="Exercise 1 reps")).to_be_visible()
    _row(page, 0).get_by_label("Reps").fill("5")
    _row(page, 0).get_by_label("Reps").press("Tab")
    page.click("#add-exercise")
    _fill_row(page, 1, "Deadlift", "1", "5", "60")
    _row(page, 1).get_by_role("checkbox").click()
    expect(_row(page, 1).get_by_role("checkbox")).to_be_checked()
    page.click("#save-workout")
    wait_for_path(page, "/workouts/view")
    expect(page.get_by_text("Deadlift (warm-up)")).to_be_visible()

    page.goto("/workouts")
    page.get_by_role("button", name="Repeat last").click()
    wait_for_path(page, "/workouts/edit")
    expect(page.get_by_text("Started from")).to_be_visible()
    expect(page.locator("#workout_name")).to_have_value("Legs")
    expect(_row(page, 0).get_by_label("Exercise name")).to_have_value("Deadlift")
    expect(_row(page, 1).get_by_role("checkbox")).to_be_checked()
    page.click("#save-workout")
    wait_for_path(page, "/workouts/view")
    page.goto("/workouts")
    expect(page.locator(".workout-card")).to_have_count(2)
    screenshot(page, "workouts-list-1280")


def test_list_pages_through_workouts_logged_over_the_api(new_page, live_server) -> None:
    page = new_page(PHONE)
    signup_through_ui(page, email="pager@example.com", password="heavy-lifts-5", name="Pat")
    token = page.evaluate("localStorage.getItem('cadence_token')")
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=live_server.url, headers=headers, timeout=20) as api:
        for day in range(1, 24):  # 23 workouts, the newest dated 23 Nov
            created = api.post(
                "/api/v1/workouts",
                json={
                    "date": f"2026-11-{day:02d}",
                    "workout_name": f"Session {day}",
                    "exercises": [{"name": "Squat", "sets": 3, "reps": "5", "weight_kg": 100}],
                },
            )
            assert created.status_code == 201, created.text
    page.goto("/workouts")
    expect(page.locator(".workout-card")).to_have_count(20)
    expect(page.locator(".workout-card").first).to_contain_text("Session 23")
    expect(page.get_by_text("Page 1 of 2 \u00b7 23 workouts")).to_be_visible()
    page.get_by_role("button", name="Older").click()
    expect(page.locator(".workout-card")).to_have_count(3)
    expect(page.locator(".workout-card").last).to_contain_text("Session 1")
    assert not has_horizontal_scroll(page)
    page.get_by_role("button", name="Newer").click()
    expect(page.locator(".workout-card")).to_have_count(20)
