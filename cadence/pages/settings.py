"""/settings"""

import reflex as rx

from cadence import routes
from cadence.components.forms import callout, card, field, form, submit_button, text_input
from cadence.components.layout import color_mode_picker
from cadence.components.ui import MUTED, TAP
from cadence.pages import llm_key
from cadence.pages.account_data_panel import data_ownership_cards
from cadence.pages.shell import protected
from cadence.states.auth import AuthState
from cadence.states.preferences import PreferencesState
from cadence.states.settings import SettingsState

ROUTE = routes.SETTINGS
TITLE = "Settings"
ON_LOAD = [
    AuthState.require_login,
    SettingsState.load,
    PreferencesState.load_preferences,
    llm_key.ON_LOAD,
]
TIMEZONE_LIST_ID = "timezone_names"


def _choice(name: str, label: str, options: list[tuple[str, str]]) -> rx.Component:
    """A select bound to ``PreferencesState.<name>``; ``options`` are (value, words)."""
    return rx.select.root(
        rx.select.trigger(aria_label=label, min_height=TAP, width="100%", id=f"pref_{name}"),
        rx.select.content(*(rx.select.item(words, value=value) for value, words in options)),
        value=getattr(PreferencesState, name),
        on_change=lambda value: PreferencesState.set_pref(name, value),
        size="3",
    )


def _pref_error(name: str) -> rx.Var:
    return rx.cond(PreferencesState.prefs_field == name, PreferencesState.prefs_error, "")


def _number(name: str, placeholder: str, *, step: str = "1") -> rx.Component:
    return text_input(
        name,
        type="number",
        inputmode="decimal",
        step=step,
        value=getattr(PreferencesState, name),
        on_change=lambda value: PreferencesState.set_pref(name, value),
        placeholder=placeholder,
        id=f"pref_{name}",
    )


ORIGINS = [("measured", "measured"), ("estimated", "estimated")]


def _heart_rate(name: str, label: str, in_use: rx.Var) -> rx.Component:
    return field(
        label,
        rx.hstack(
            rx.box(_number(name, "not set"), flex="1"),
            rx.box(_choice(f"{name}_origin", f"{label}: measured or estimated", ORIGINS)),
            spacing="2",
            width="100%",
        ),
        error=_pref_error(name),
        hint=in_use,
    )


def _preferences_card() -> rx.Component:
    return card(
        rx.text(
            "Your days, units and body: the dashboard, the coach and the training load use "
            "them. Values are stored in SI and shown in your units.",
            size="2",
            color=MUTED,
        ),
        rx.vstack(
            field(
                "Time zone",
                text_input(
                    "timezone",
                    value=PreferencesState.tz,
                    on_change=lambda value: PreferencesState.set_pref("tz", value),
                    list=TIMEZONE_LIST_ID,
                    auto_complete="off",
                    id="pref_timezone",
                ),
                error=_pref_error("timezone"),
                hint="An IANA name such as Europe/Berlin: your day starts at your midnight.",
            ),
            rx.cond(
                PreferencesState.tz_proposed,
                rx.text(
                    "Proposed from your browser: save to use it.",
                    size="1",
                    color=rx.color("amber", 11),
                    id="pref_timezone_proposed",
                ),
            ),
            rx.el.datalist(
                rx.foreach(PreferencesState.timezone_names, lambda z: rx.el.option(value=z)),
                id=TIMEZONE_LIST_ID,
            ),
            field(
                "Week starts on",
                _choice(
                    "week_start", "Week starts on", [("monday", "Monday"), ("sunday", "Sunday")]
                ),
            ),
            rx.hstack(
                rx.box(
                    field(
                        "Weights", _choice("weight_unit", "Weights", [("kg", "kg"), ("lb", "lb")])
                    ),
                    flex="1",
                ),
                rx.box(
                    field(
                        "Distances",
                        _choice("distance_unit", "Distances", [("km", "km"), ("mi", "mi")]),
                    ),
                    flex="1",
                ),
                spacing="3",
                width="100%",
            ),
            field(
                "Sleep need (hours a night)",
                _number("sleep_need_hours", "8", step="0.25"),
                error=_pref_error("sleep_need_hours"),
                hint="Sleep debt adds up the shortfall against it over 7 nights.",
            ),
            field(
                "Sex",
                _choice(
                    "sex",
                    "Sex",
                    [("female", "Female"), ("male", "Male"), ("unspecified", "Prefer not to say")],
                ),
                hint="Chooses Banister's training-load curve (women's differs).",
            ),
            field(
                "Birth year",
                _number("birth_year", "e.g. 1988"),
                error=_pref_error("birth_year"),
                hint="Estimates your max HR when you have not measured it.",
            ),
            _heart_rate(
                "resting_hr", "Resting heart rate (bpm)", PreferencesState.resting_hr_in_use
            ),
            _heart_rate("max_hr", "Max heart rate (bpm)", PreferencesState.max_hr_in_use),
            callout(rx.cond(PreferencesState.prefs_field == "", PreferencesState.prefs_error, "")),
            callout(PreferencesState.prefs_message, kind="success"),
            rx.button(
                "Save preferences",
                on_click=PreferencesState.save_preferences,
                loading=PreferencesState.prefs_saving,
                size="3",
                min_height=TAP,
                id="save_preferences",
            ),
            spacing="3",
            width="100%",
        ),
        title="Preferences",
    )


def _profile_card() -> rx.Component:
    return card(
        callout(SettingsState.profile_error),
        callout(SettingsState.profile_message, kind="success"),
        form(
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
                    error=SettingsState.name_error,
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
                    error=SettingsState.email_error,
                ),
                _current_password(
                    error=SettingsState.profile_password_error,
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


def _current_password(*, error: rx.Var, hint: str = "", **props) -> rx.Component:
    control = text_input(
        "current_password", type="password", auto_complete="current-password", **props
    )
    return field("Current password", control, error=error, hint=hint)


def _password_card() -> rx.Component:
    return card(
        callout(SettingsState.password_error),
        callout(SettingsState.password_message, kind="success"),
        form(
            rx.vstack(
                _current_password(error=SettingsState.current_password_error, required=True),
                field(
                    "New password",
                    text_input(
                        "new_password", type="password", auto_complete="new-password", required=True
                    ),
                    error=SettingsState.new_password_error,
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
                    error=SettingsState.confirm_password_error,
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
            SettingsState.coaching_chars_left,
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
            _preferences_card(),
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
