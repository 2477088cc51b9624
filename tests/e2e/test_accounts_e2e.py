"""Sign up → edit coaching profile → log out → log in → the profile is still there."""

from __future__ import annotations

import re
from pathlib import Path

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
PASSWORD = "trail-runner-7"
PROFILE_TEXT = "Half marathon on 12 April; left knee dislikes deep squats. Ünïcode ok ✓"


def test_signup_edit_profile_logout_login_keeps_profile(new_page) -> None:
    page = new_page(DESKTOP)
    page.goto("/signup")
    expect(page.get_by_role("button", name="Create account")).to_be_visible()
    screenshot(page, "signup-1280")
    page.goto("/settings")
    wait_for_path(page, "/login")  # protected page sends a visitor to login...
    assert "next=%2Fsettings" in page.url  # ...and remembers where they were going
    screenshot(page, "login-1280")

    signup_through_ui(page, email="ada@example.com", password=PASSWORD, name="Ada")
    expect(page.get_by_text("Welcome, Ada")).to_be_visible()
    screenshot(page, "home-1280")

    page.goto("/settings")
    page.fill("#coaching_profile", PROFILE_TEXT)
    page.click("#save_coaching_profile")
    expect(page.get_by_text("Coaching profile saved")).to_be_visible()
    screenshot(page, "settings-1280")

    page.get_by_role("button", name="Log out").click()
    wait_for_path(page, "/login")
    page.goto("/settings")
    wait_for_path(page, "/login")
    assert "next=" in page.url
    page.fill("#email", "ADA@example.com ")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    wait_for_path(page, "/settings")
    expect(page.locator("#coaching_profile")).to_have_value(PROFILE_TEXT)


def test_signup_shows_inline_errors_and_wrong_login_message(new_page) -> None:
    page = new_page(PHONE)
    page.goto("/signup")
    page.fill("#display_name", "Bo")
    page.fill("#email", "bo@example.com")
    page.fill("#password", "onlyletters")
    expect(page.get_by_text("Password must contain at least one digit.").first).to_be_visible()
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert")).to_contain_text("at least one digit")
    expect(page.get_by_text("Password must contain at least one digit.")).to_have_count(1)
    screenshot(page, "signup-375")
    assert not has_horizontal_scroll(page)

    page.goto("/login")
    page.fill("#email", "nobody@example.com")
    page.fill("#password", "whatever-123")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Incorrect email or password.")).to_be_visible()
    screenshot(page, "login-375")


def test_phone_layout_has_bottom_nav_and_no_horizontal_scroll(new_page) -> None:
    page = new_page(PHONE)
    signup_through_ui(page, email="cy@example.com", password=PASSWORD, name="Cy")
    nav = page.get_by_role("navigation", name="Main navigation")
    expect(nav).to_be_visible()
    expect(nav.get_by_role("link", name="Coach")).to_be_visible()
    assert not has_horizontal_scroll(page)
    screenshot(page, "home-375")
    page.get_by_role("button", name="Account menu: Cy").click()  # Settings sits in this menu
    page.get_by_role("menuitem", name="Settings").click()
    wait_for_path(page, "/settings")
    expect(page.locator("#coaching_profile")).to_be_visible()
    assert not has_horizontal_scroll(page)
    screenshot(page, "settings-375")


def _listening_addresses(port: int) -> set[str]:
    """Local addresses (hex, as in /proc/net/tcp*) with a socket listening on ``port``."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                found.add(address)
    return found


def test_server_listens_on_loopback_only_and_prints_the_setup_code(live_server) -> None:
    """`reflex run` with no CADENCE_HOST binds 127.0.0.1 (rxconfig), and the console shows the
    setup code for the first admin."""
    port = int(live_server.url.rsplit(":", 1)[1])
    assert _listening_addresses(port) == {"0100007F"}  # 127.0.0.1, nothing on 0.0.0.0 or ::
    log = (live_server.data_dir / "server.log").read_text()
    assert re.search(r"no administrator yet\. .*setup code [A-Z2-7]{4}(-[A-Z2-7]{4}){3}", log)


def _error_of(page, field):
    """The words that describe ``field`` (its ``aria-describedby``), once it is marked invalid."""
    expect(field).to_have_attribute("aria-invalid", "true")
    return page.locator("#" + field.get_attribute("aria-describedby"))


def test_field_errors_sit_under_their_fields_on_signup_and_login(new_page) -> None:
    """Empty or malformed fields are answered in words under each field (the browser's own
    "Please fill out this field" popup is off), all fields at once, found by their labels."""
    page = new_page(PHONE)
    page.goto("/signup")
    page.get_by_role("button", name="Create account").click()
    name, email = page.get_by_label("Name", exact=True), page.get_by_label("Email", exact=True)
    password = page.get_by_label("Password", exact=True)
    expect(_error_of(page, name)).to_have_text("Display name cannot be blank.")
    expect(_error_of(page, email)).to_have_text(
        "Enter a valid email address, like name@example.com."
    )
    expect(_error_of(page, password)).to_have_text("Password must be at least 8 characters long.")
    email.fill("not-an-email")
    expect(email).to_have_attribute("aria-invalid", "false")  # typing clears the field's error
    page.get_by_role("button", name="Create account").click()
    expect(_error_of(page, email)).to_contain_text("like name@example.com")
    assert not has_horizontal_scroll(page)
    screenshot(page, "signup-field-errors-375")

    page.goto("/login")
    page.get_by_label("Email", exact=True).fill("someone@")
    page.get_by_role("button", name="Log in").click()
    login_email = page.get_by_label("Email", exact=True)
    expect(_error_of(page, login_email)).to_contain_text("like name@example.com")
    expect(_error_of(page, page.get_by_label("Password", exact=True))).to_have_text(
        "Enter your password."
    )
    screenshot(page, "login-field-errors-375")


def test_double_submit_on_signup_keeps_the_already_exists_answer(new_page) -> None:
    """A double click right after typing (the typed values still on their debounce) shows
    "already exists" under Email and keeps it there."""
    first = new_page(DESKTOP)
    signup_through_ui(first, email="twice@example.com", password=PASSWORD, name="Twice")

    page = new_page(PHONE)
    page.goto("/signup")
    page.get_by_label("Name", exact=True).fill("Again")
    page.get_by_label("Email", exact=True).fill("twice@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create account").dblclick()
    email = page.get_by_label("Email", exact=True)
    taken = "An account with this email already exists."
    expect(_error_of(page, email)).to_have_text(taken)
    page.wait_for_timeout(1500)  # after the second click's and the debounced echoes' turns
    expect(_error_of(page, email)).to_have_text(taken)
    expect(page.get_by_role("button", name="Create account")).to_be_enabled()
    assert "/signup" in page.url


def test_settings_errors_sit_under_their_fields(new_page) -> None:
    """Settings: a taken email under Email, a wrong current password under it, new passwords
    that differ under "Confirm new password"."""
    other = new_page(DESKTOP)
    signup_through_ui(other, email="taken@example.com", password=PASSWORD, name="Taken")
    page = new_page(PHONE)
    signup_through_ui(page, email="mover@example.com", password=PASSWORD, name="Mover")
    page.goto("/settings")
    email = page.get_by_label("Email", exact=True)
    email.fill("taken@example.com")
    page.fill("#settings_profile_password", PASSWORD)
    page.get_by_role("button", name="Save profile").click()
    expect(_error_of(page, email)).to_have_text("An account with this email already exists.")

    page.fill("#current_password", "not-my-password-1")
    page.fill("#new_password", "brand-new-pass-2")
    page.fill("#confirm_password", "brand-new-pass-3")
    page.get_by_role("button", name="Change password").click()
    confirm = page.get_by_label("Confirm new password")
    expect(_error_of(page, confirm)).to_have_text("The new passwords do not match.")
    page.fill("#current_password", "not-my-password-1")
    page.fill("#new_password", "brand-new-pass-2")
    page.fill("#confirm_password", "brand-new-pass-2")
    page.get_by_role("button", name="Change password").click()
    expect(_error_of(page, page.locator("#current_password"))).to_have_text(
        "Current password is incorrect."
    )
    assert not has_horizontal_scroll(page)
    screenshot(page, "settings-field-errors-375")
