"""/settings"""

import reflex as rx

from cadence import routes
from cadence.components.forms import callout, card, field, submit_button, text_input
from cadence.components.layout import color_mode_picker
from cadence.components.ui import MUTED, TAP
from cadence.pages import llm_key
from cadence.pages.account_data_panel import data_ownership_cards
from cadence.pages.shell import protected
from cadence.states.auth import AuthState
from cadence.states.settings import SettingsState

ROUTE = routes.SETTINGS
TITLE = "Settings"
ON_LOAD = [AuthState.require_login, SettingsState.load, llm_key.ON_LOAD]


def _profile_card() -> rx.Component:
    return card(
        callout(SettingsState.profile_error),
        callout(SettingsState.profile_message, kind="success"),
        rx.form(
            rx.vstack(
                field(
                    "Name",
                    text_input(
                        "display_name",
                        default_value=SettingsState.form_display_name,
                        key=SettingsState.form_display_name,
                        required=True,
                        max_length=100,
                        id="settings_display_name",
                    ),
                ),
                field(
                    "Email",
                    text_input(
                        "email",
                        type="email",
                        default_value=SettingsState.form_email,
                        key=SettingsState.form_email,
                        required=True,
                        id="settings_email",
                    ),
                ),
                _current_password(
                    hint="Only to change your email (other devices are then signed out).",
                    id="settings_profile_password",
                ),
                submit_button("Save profile", loading=SettingsState.saving == "profile"),
                spacing="3",
                width="100%",
            ),
            on_submit=SettingsState.save_profile,
        ),
        title="Profile",
    )


def _current_password(*, hint: str = "", **props) -> rx.Component:
    control = text_input(
        "current_password", type="password", auto_complete="current-password", **props
    )
    return field("Current password", control, hint=hint)


def _password_card() -> rx.Component:
    return card(
        callout(SettingsState.password_error),
        callout(SettingsState.password_message, kind="success"),
        rx.form(
            rx.vstack(
                _current_password(required=True),
                field(
                    "New password",
                    text_input(
                        "new_password", type="password", auto_complete="new-password", required=True
                    ),
                    hint="At least 8 characters, with a letter and a digit.",
                ),
                field(
                    "Confirm new password",
                    text_input(
                        "confirm_password",
                        type="password",
                        auto_complete="new-password",
                        required=True,
                    ),
                ),
                submit_button("Change password", loading=SettingsState.saving == "password"),
                spacing="3",
                width="100%",
            ),
            on_submit=SettingsState.change_password,
            reset_on_submit=True,
        ),
        title="Password",
    )


def _coaching_card() -> rx.Component:
    return card(
        rx.text(
            "Tell your coach about your goals, injuries, schedule and equipment. "
            "It reads this before every answer.",
            size="2",
            color=MUTED,
        ),
        callout(SettingsState.coaching_error),
        callout(SettingsState.coaching_message, kind="success"),
        rx.text_area(
            value=SettingsState.coaching_profile,
            on_change=SettingsState.set_coaching_profile,
            placeholder="e.g. Training for a half marathon in April; left knee is sensitive to "
            "deep squats; I can train 4 days a week, 1 hour each.",
            rows="8",
            max_length=10_000,
            width="100%",
            id="coaching_profile",
            size="3",
        ),
        rx.text(
            SettingsState.coaching_chars_left.to_string() + " characters left",
            size="1",
            color=rx.color("gray", 10),
        ),
        rx.button(
            "Save coaching profile",
            on_click=SettingsState.save_coaching_profile,
            loading=SettingsState.saving == "coaching",
            size="3",
            min_height=TAP,
            id="save_coaching_profile",
        ),
        title="Coaching profile",
    )


def _appearance_card() -> rx.Component:
    return card(
        rx.text("Automatic follows your device's light or dark setting.", size="2", color=MUTED),
        color_mode_picker(),
        title="Appearance",
    )


def page() -> rx.Component:
    return protected(
        rx.vstack(
            _profile_card(),
            _coaching_card(),
            _appearance_card(),
            llm_key.section(),
            _password_card(),
            *data_ownership_cards(),
            spacing="4",
            width="100%",
            max_width="640px",
        ),
        title=TITLE,
    )
