"""Settings cards for data ownership: export everything, and the danger zone."""

from __future__ import annotations

import reflex as rx

from cadence.components.forms import callout, card, field, form, text_input
from cadence.components.ui import MUTED, TAP


def export_card(*, on_export: rx.EventHandler, exporting: rx.Var, error: rx.Var) -> rx.Component:
    return card(
        rx.text(
            "Download everything Cadence stores about you: profile, coaching profile, workouts, "
            "daily metrics, activities, devices (without passwords or tokens) and conversations, "
            "as JSON and CSV in one zip. You can import it again on the Devices page.",
            size="2",
            color=MUTED,
        ),
        callout(error),
        rx.button(
            rx.icon("download", size=16),
            "Download my data",
            on_click=on_export,
            loading=exporting,
            size="3",
            min_height=TAP,
            variant="soft",
            id="export_data",
        ),
        title="Your data",
    )


def danger_zone_card(
    *,
    is_open: rx.Var,
    on_open_change: rx.EventHandler,
    on_submit: rx.EventHandler,
    deleting: rx.Var,
    error: rx.Var,
    password_error: rx.Var,
    confirm_error: rx.Var,
) -> rx.Component:
    """Delete the account: a confirmation dialog asking for the password and the word DELETE,
    each error under its field (``error``: one that belongs to neither)."""
    dialog = rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(
                "Delete my account",
                color_scheme="tomato",
                size="3",
                min_height=TAP,
                id="open_delete_account",
            )
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete your account?"),
            rx.alert_dialog.description(
                "This erases your account and all your workouts, metrics, activities, devices and "
                "conversations. It cannot be undone. Download your data first if you want a copy.",
                size="2",
            ),
            form(
                rx.vstack(
                    callout(error),
                    field(
                        "Password",
                        text_input(
                            "password",
                            type="password",
                            auto_complete="current-password",
                            required=True,
                            id="delete_password",
                        ),
                        error=password_error,
                    ),
                    field(
                        "Type DELETE to confirm",
                        text_input(
                            "confirm",
                            auto_complete="off",
                            auto_capitalize="characters",
                            required=True,
                            id="delete_confirm",
                        ),
                        error=confirm_error,
                    ),
                    rx.hstack(
                        rx.alert_dialog.cancel(
                            rx.button(
                                "Cancel",
                                variant="soft",
                                color_scheme="gray",
                                min_height=TAP,
                                type="button",
                            )
                        ),
                        rx.button(
                            "Delete forever",
                            type="submit",
                            color_scheme="tomato",
                            min_height=TAP,
                            loading=deleting,
                            id="confirm_delete_account",
                        ),
                        justify="end",
                        width="100%",
                        wrap="wrap",
                    ),
                    spacing="3",
                    width="100%",
                    margin_top="12px",
                ),
                on_submit=on_submit,
            ),
            max_width="440px",
        ),
        open=is_open,
        on_open_change=on_open_change,
    )
    return card(
        rx.text(
            "Deleting your account erases every row Cadence holds for you.",
            size="2",
            color=MUTED,
        ),
        rx.box(dialog),
        title="Danger zone",
        border=f"1px solid {rx.color('tomato', 6)}",
    )
