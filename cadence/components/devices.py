"""Device cards: status chip, last sync, the last error in words, connect (Garmin sign-in form or
an OAuth button), sync now, disconnect with confirmation. Presentational only: ``device`` is a
dict of strings (provider, label, description, auth, setup_problem, connected, status,
status_label, last_sync, last_error) and the handlers come from the page."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from cadence.components.forms import callout, field, form, submit_button, text_input
from cadence.components.ui import MUTED, TAP


@dataclass(frozen=True)
class GarminErrors:
    """The Garmin sign-in form's errors, each shown under its field."""

    email: rx.Var
    password: rx.Var


def status_chip(status: rx.Var, label: rx.Var) -> rx.Component:
    color = rx.match(status, ("ok", "green"), ("syncing", "blue"), ("error", "tomato"), "gray")
    icon = rx.match(
        status,
        ("ok", rx.icon("circle-check", size=14)),
        ("syncing", rx.icon("refresh-cw", size=14)),
        ("error", rx.icon("triangle-alert", size=14)),
        rx.icon("circle-dashed", size=14),
    )
    return rx.badge(icon, label, color_scheme=color, variant="soft", size="2", radius="full")


def _garmin_form(device: rx.Var, on_submit, busy: rx.Var, errors: GarminErrors) -> rx.Component:
    return form(
        rx.vstack(
            field(
                "Garmin Connect email",
                text_input(
                    "email",
                    type="email",
                    auto_complete="username",
                    required=True,
                    id="garmin_email",
                ),
                error=errors.email,
            ),
            field(
                "Garmin Connect password",
                text_input(
                    "password",
                    type="password",
                    auto_complete="current-password",
                    required=True,
                    id="garmin_password",
                ),
                error=errors.password,
            ),
            rx.text(
                "Used once to sign in; Cadence keeps only Garmin's tokens, encrypted.",
                size="1",
                color=MUTED,
            ),
            submit_button(
                rx.cond(device["connected"], "Reconnect Garmin", "Connect Garmin"),
                loading=busy == device["provider"],
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=on_submit,
    )


def _oauth_button(device: rx.Var, on_connect, busy: rx.Var) -> rx.Component:
    return rx.button(
        rx.icon("link", size=16),
        rx.cond(device["connected"], "Reconnect ", "Connect ") + device["label"],
        on_click=on_connect(device["provider"]),
        loading=busy == device["provider"],
        size="3",
        min_height=TAP,
        width="100%",
    )


def _disconnect(device: rx.Var, on_disconnect) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(
                rx.icon("unlink", size=16),
                "Disconnect",
                variant="soft",
                color_scheme="gray",
                size="3",
                min_height=TAP,
            ),
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Disconnect " + device["label"] + "?"),
            rx.alert_dialog.description(
                "Cadence erases the stored sign-in and stops syncing. Data already synced stays."
            ),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button("Cancel", variant="soft", color_scheme="gray", min_height=TAP)
                ),
                rx.alert_dialog.action(
                    rx.button(
                        "Disconnect",
                        color_scheme="tomato",
                        on_click=on_disconnect(device["provider"]),
                        min_height=TAP,
                    )
                ),
                spacing="3",
                justify="end",
                margin_top="16px",
            ),
            max_width="420px",
        ),
    )


def device_card(
    device: rx.Var,
    *,
    on_garmin_submit,
    on_connect,
    on_sync,
    on_disconnect,
    busy: rx.Var,
    garmin_errors: GarminErrors,
) -> rx.Component:
    connected = device["connected"] != ""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(device["label"], size="4"),
                rx.spacer(),
                status_chip(device["status"], device["status_label"]),
                width="100%",
                align="center",
                wrap="wrap",
                spacing="2",
            ),
            rx.text(device["description"], size="2", color=MUTED),
            rx.cond(
                connected,
                rx.text("Last sync: " + device["last_sync"], size="2", color=MUTED),
            ),
            callout(device["last_error"]),
            rx.cond(
                connected,
                rx.hstack(
                    rx.button(
                        rx.icon("refresh-cw", size=16),
                        "Sync now",
                        on_click=on_sync(device["provider"]),
                        loading=busy == device["provider"],
                        size="3",
                        min_height=TAP,
                    ),
                    _disconnect(device, on_disconnect),
                    spacing="2",
                    wrap="wrap",
                ),
            ),
            rx.cond(
                ~connected | (device["status"] == "error"),
                rx.cond(
                    device["setup_problem"] != "",
                    rx.text(device["setup_problem"], size="2", color=MUTED),
                    rx.cond(
                        device["auth"] == "password",
                        _garmin_form(device, on_garmin_submit, busy, garmin_errors),
                        _oauth_button(device, on_connect, busy),
                    ),
                ),
            ),
            spacing="3",
            width="100%",
            align="stretch",
        ),
        width="100%",
        data_provider=device["provider"],
        class_name="device-card",
    )


def devices_section(
    devices: rx.Var,
    *,
    loaded: rx.Var,
    message: rx.Var,
    error: rx.Var,
    busy: rx.Var,
    garmin_errors: GarminErrors,
    on_garmin_submit,
    on_connect,
    on_sync,
    on_disconnect,
) -> rx.Component:
    return rx.vstack(
        callout(message, kind="success"),
        callout(error),
        rx.cond(
            loaded,
            rx.foreach(
                devices,
                lambda device: device_card(
                    device,
                    on_garmin_submit=on_garmin_submit,
                    on_connect=on_connect,
                    on_sync=on_sync,
                    on_disconnect=on_disconnect,
                    busy=busy,
                    garmin_errors=garmin_errors,
                ),
            ),
            rx.center(rx.spinner(size="3"), padding="24px", width="100%"),
        ),
        spacing="3",
        width="100%",
    )
