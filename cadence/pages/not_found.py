"""The 404 page: inside the app's shell (or the sign-in card when signed out), with a way back."""

import reflex as rx

from cadence import routes
from cadence.components.auth_forms import auth_card
from cadence.components.layout import app_shell
from cadence.components.ui import MUTED, TAP
from cadence.states.auth import AuthState

ROUTE = "404"  # Reflex's slug for "no route matched"
TITLE = "Page not found"
ON_LOAD = [AuthState.load_if_logged_in]


def _body(home: str, label: str) -> rx.Component:
    return rx.vstack(
        rx.text(
            "There is no page at this address. It may have moved, or the link is mistyped.",
            color=MUTED,
        ),
        rx.hstack(
            rx.link(rx.button(rx.icon("arrow-left", size=16), label, min_height=TAP), href=home),
            rx.button(
                "Go back",
                variant="soft",
                color_scheme="gray",
                min_height=TAP,
                on_click=rx.call_script("window.history.back()"),
            ),
            wrap="wrap",
            spacing="3",
        ),
        spacing="4",
        id="not-found",
    )


def page() -> rx.Component:
    return rx.cond(
        AuthState.is_authenticated,
        app_shell(
            _body(routes.DASHBOARD, "Back to the dashboard"),
            title=TITLE,
            current_path=AuthState.router.url.path,
            user_name=AuthState.user_name,
            on_logout=AuthState.logout,
            show_admin=AuthState.is_admin,
        ),
        auth_card(_body(routes.LOGIN, "Go to login"), heading=TITLE, subheading="Error 404"),
    )
