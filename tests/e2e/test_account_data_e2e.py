"""Settings → Your data: download the export zip, then delete the account through the
confirmation dialog (wrong password refused; afterwards the login fails)."""

from __future__ import annotations

import json
import urllib.request
import zipfile

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, screenshot, signup_through_ui, wait_for_path
from tests.e2e.test_pages_screens_e2e import make_admin

pytestmark = pytest.mark.e2e
PASSWORD = "leaving-soon-8"
EMAIL = "leaver-e2e@example.com"
WORKOUT = {
    "date": "2026-11-27",
    "workout_name": "Leaving-day squats",
    "exercises": [{"name": "Back Squat", "sets": 5, "reps": "5", "weight_kg": 100}],
}


def keep_an_admin(live_server) -> None:
    """Another admin exists, so the leaver may go even if they were the first account."""
    body = json.dumps(
        {"email": "keeper-e2e@example.com", "password": PASSWORD, "display_name": "Keeper"}
    ).encode()
    request = urllib.request.Request(
        f"{live_server.url}/api/v1/auth/signup",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201
    make_admin(live_server, "keeper-e2e@example.com")


def test_export_then_delete_account(new_page, live_server, tmp_path) -> None:
    page = new_page(PHONE)
    signup_through_ui(page, email=EMAIL, password=PASSWORD, name="Lee")
    keep_an_admin(live_server)
    status = page.evaluate(
        """async (workout) => {
            const response = await fetch("/api/v1/workouts", {method: "POST", body: workout,
                headers: {"Content-Type": "application/json",
                          Authorization: `Bearer ${localStorage.getItem("cadence_token")}`}});
            return response.status;
        }""",
        json.dumps(WORKOUT),
    )
    assert status == 201
    page.goto("/settings")
    with page.expect_download() as download_info:
        page.click("#export_data")
    path = tmp_path / "export.zip"
    download_info.value.save_as(path)
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist()[0] == "cadence-export.json"
        assert json.loads(archive.read("profile.json"))["email"] == EMAIL

    heir = new_page(PHONE)  # the zip re-imports through the Devices page upload
    signup_through_ui(heir, email="heir-e2e@example.com", password=PASSWORD, name="Heir")
    heir.goto("/devices")
    heir.locator("#health_files input[type=file]").set_input_files([str(path)])
    heir.click("#import_button")
    expect(heir.locator("#import_status")).to_have_text("done", timeout=60_000)
    heir.goto("/workouts")
    expect(heir.get_by_text(WORKOUT["workout_name"])).to_be_visible()

    page.click("#open_delete_account")
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_be_visible()
    screenshot(page, "settings-delete-dialog-375")
    dialog.locator("#delete_password").fill("wrong-password-1")
    dialog.locator("#delete_confirm").fill("DELETE")
    dialog.locator("#confirm_delete_account").click()
    expect(dialog.get_by_text("Password is incorrect.")).to_be_visible()
    expect(dialog.locator("#delete_password")).to_have_attribute("aria-invalid", "true")
    expect(dialog.locator("#delete_password-note")).to_have_text("Password is incorrect.")

    dialog.locator("#delete_password").fill(PASSWORD)
    dialog.locator("#delete_confirm").fill("DELETE")
    dialog.locator("#confirm_delete_account").click()
    wait_for_path(page, "/login")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Incorrect email or password.")).to_be_visible()
