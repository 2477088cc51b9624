"""Routines and exercise identity in Chromium: the routine editor in the live logger (rename,
notes, reorder, rows, a new exercise, errors in words by the field, delete with a confirm) at
375 px and its screens; a typed new name becoming the user's custom exercise, also offline; and
a Strong import's result offering the exercise-name matches to confirm."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    go_offline,
    go_online,
    has_horizontal_scroll,
    screenshot,
    signup_through_ui,
)
from tests.e2e.test_gym_logger_e2e import PASSWORD, api, card

pytestmark = pytest.mark.e2e
STRONG_CSV = Path(__file__).resolve().parents[1] / "fixtures" / "csv" / "strong_kg.csv"
BENCH = "Barbell Bench Press - Medium Grip"
ROUTINE = {
    "name": "Push day",
    "notes": "",
    "exercises": [
        {"name": BENCH, "sets": 3, "reps": "5", "weight_kg": 80},
        {"name": "Dumbbell Flyes", "sets": 3, "reps": "8-12", "weight_kg": 14},
    ],
}


def _signed_in_with_routine(new_page, live_server, viewport, email: str):
    page = new_page(viewport)
    signup_through_ui(page, email=email, password=PASSWORD, name="Ro")
    made = api(live_server, page, "POST", "/routines", json=ROUTINE)
    assert made.status_code == 201, made.text
    page.goto("/workouts/log")
    page.get_by_role("button", name="Edit routine Push day").click()
    expect(page.get_by_role("region", name="Edit routine")).to_be_visible()
    return page, made.json()["id"]


def _create_custom(page, name: str) -> None:
    page.get_by_role("button", name="+ Add exercise").click()
    page.get_by_label("Exercise", exact=True).fill(name)
    page.get_by_role("button", name=f"Create custom exercise “{name}”").click()


def _described_error(page, label: str) -> str:
    """The error message the field points at with aria-describedby."""
    field = page.get_by_label(label, exact=True)
    expect(field).to_have_attribute("aria-invalid", "true")
    return page.locator(f"#{field.get_attribute('aria-describedby')}").inner_text()


def test_routine_editor_edits_saves_and_deletes(new_page, live_server) -> None:
    page, routine_id = _signed_in_with_routine(new_page, live_server, PHONE, "editor@example.com")
    page.get_by_label("Name", exact=True).fill("Push A")
    page.get_by_label("Notes", exact=True).fill("Pause the first rep")
    page.get_by_role("button", name="Move Dumbbell Flyes up").click()
    page.get_by_role("button", name=f"Add a row to {BENCH}").click()
    page.get_by_label(f"Sets, row 2 of {BENCH}").fill("2")
    page.get_by_label(f"Reps, row 2 of {BENCH}").fill("3")
    page.get_by_label(f"Weight (kg), row 2 of {BENCH}").fill("90")
    _create_custom(page, "Zercher Hold")
    page.get_by_label("Reps, row 1 of Zercher Hold").fill("5,5")
    page.get_by_label("Weight (kg), row 1 of Zercher Hold").fill("-20")
    page.get_by_label("Name", exact=True).fill("")
    assert not has_horizontal_scroll(page)

    page.get_by_role("button", name="Save routine").click()
    assert _described_error(page, "Name") == "Give the routine a name"
    mismatch = _described_error(page, "Reps, row 1 of Zercher Hold")
    assert mismatch == "Give one reps value per set (3)"
    negative = _described_error(page, "Weight (kg), row 1 of Zercher Hold")
    assert negative == "Weight can't be negative"
    expect(page.get_by_label("Sets, row 1 of Zercher Hold")).not_to_have_attribute(
        "aria-invalid", "true"
    )
    assert api(live_server, page, "GET", f"/routines/{routine_id}").json()["name"] == "Push day"
    page.get_by_label("Name", exact=True).fill("Push A")
    page.get_by_label("Reps, row 1 of Zercher Hold").fill("5")
    page.get_by_label("Weight (kg), row 1 of Zercher Hold").fill("20")
    page.get_by_role("button", name="Save routine").click()
    expect(page.get_by_role("status")).to_have_text("Routine “Push A” saved.")

    stored = api(live_server, page, "GET", f"/routines/{routine_id}").json()
    assert (stored["name"], stored["notes"]) == ("Push A", "Pause the first rep")
    assert [(e["name"], e["sets"], e["reps"], e["weight_kg"]) for e in stored["exercises"]] == [
        ("Dumbbell Flyes", 3, "8-12", 14),
        (BENCH, 3, "5", 80),
        (BENCH, 2, "3", 90),
        ("Zercher Hold", 3, "5", 20),
    ]
    found = api(live_server, page, "GET", "/exercises/catalog", params={"q": "zercher hold"})
    assert [(e["name"], e["custom"]) for e in found.json()["exercises"]] == [("Zercher Hold", True)]

    page.get_by_role("button", name="Edit routine Push A").click()
    page.get_by_label("Name", exact=True).fill("Push B")
    page.reload()  # unsaved edits are kept on the phone
    expect(page.get_by_label("Name", exact=True)).to_have_value("Push B")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete routine").click()
    expect(page.get_by_role("status")).to_have_text("Routine deleted.")
    assert api(live_server, page, "GET", "/routines").json()["routines"] == []
    expect(page.get_by_role("button", name="Start empty workout")).to_be_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_routine_editor_screens(new_page, live_server, scheme, viewport) -> None:
    email = f"routine-{scheme}-{viewport['width']}@example.com"
    page, _ = _signed_in_with_routine(new_page, live_server, viewport, email)
    page.emulate_media(color_scheme=scheme)
    page.get_by_label(f"Weight (kg), row 1 of {BENCH}").fill("-1")
    page.get_by_role("button", name="Save routine").click()
    expect(page.get_by_role("alert")).to_have_text("Weight can't be negative")
    assert not has_horizontal_scroll(page)
    screenshot(page, f"routine-editor-{viewport['width']}-{scheme}")


def test_a_typed_new_name_becomes_one_custom_exercise_even_offline(new_page, live_server) -> None:
    page = new_page(PHONE, own_link=True)
    signup_through_ui(page, email="custom@example.com", password=PASSWORD, name="Cu")
    page.goto("/workouts/log")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.get_by_role("button", name="Start empty workout").click()
    page.get_by_role("button", name="+ Add exercise").click()
    page.get_by_label("Exercise", exact=True).fill("barbell squat")  # a catalogue name
    expect(page.get_by_role("button", name="Barbell Squat", exact=False).first).to_be_visible()
    expect(page.get_by_role("button", name="Create custom exercise", exact=False)).to_have_count(0)
    page.get_by_role("button", name="Close").click()

    go_offline(page)
    _create_custom(page, "Basement Carry")
    expect(card(page, "Basement Carry")).to_be_visible()
    go_online(page)
    page.wait_for_function(
        "() => Object.entries(localStorage).some(([k, v]) => k.endsWith(':customs') && v === '[]')"
    )
    found = api(live_server, page, "GET", "/exercises/catalog", params={"q": "basement carry"})
    assert [(e["name"], e["custom"]) for e in found.json()["exercises"]] == [
        ("Basement Carry", True)
    ]
    page.get_by_role("button", name="+ Add exercise").click()
    page.get_by_label("Exercise", exact=True).fill("basement carry")
    expect(page.get_by_role("button", name="Basement Carry yours")).to_be_visible()
    expect(page.get_by_role("button", name="Create custom exercise", exact=False)).to_have_count(0)


def test_the_import_result_offers_the_name_matches(new_page, live_server) -> None:
    page = new_page(PHONE)
    signup_through_ui(page, email="importer@example.com", password=PASSWORD, name="Im")
    page.goto("/devices")
    page.locator("#health_files input[type=file]").set_input_files([str(STRONG_CSV)])
    page.click("#import_button")
    # one line of the fixture is broken on purpose: the rest is imported
    expect(page.locator("#import_status")).to_have_text("partial", timeout=60_000)
    mappings = page.locator("#exercise-mappings")
    expect(mappings).to_contain_text(f"Bench Press (Barbell) → {BENCH}")
    screenshot(page, "import-mappings-375")
    page.get_by_role("button", name="Confirm match for Bench Press (Barbell)").click()
    expect(page.get_by_role("status").filter(has_text="now counts as")).to_contain_text(BENCH)
    left = api(live_server, page, "GET", "/exercises/mappings").json()["names"]
    assert "Bench Press (Barbell)" not in [item["name"] for item in left]
