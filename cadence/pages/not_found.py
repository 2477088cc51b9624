"""The 404 page: inside the app's shell (or the sign-in card when signed out), with a way back."""

import reflex as rx

from cadence import routes
from cadence.components.auth_forms import auth_card
from cadence.components.layout import app_shell, not_found_message
from cadence.states.auth import AuthState

ROUTE = "404"  # Reflex's slug for "no route matched"
TITLE = "Page not found"
ON_LOAD = [AuthState.load_if_logged_in]


def page() -> rx.Component:
    return rx.cond(
        AuthState.is_authenticated,
        app_shell(
            not_found_message(routes.DASHBOARD, "Back to the dashboard"),
            title=TITLE,
            current_path=AuthState.router.url.path,
            user_name=AuthState.user_name,
            on_logout=AuthState.logout,
            show_admin=AuthState.is_admin,
        ),
        auth_card(
            not_found_message(routes.LOGIN, "Go to login"), heading=TITLE, subheading="Error 404"
        ),
    )
