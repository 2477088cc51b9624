"""/login"""

import reflex as rx

from cadence import routes
from cadence.components.auth_forms import auth_card
from cadence.components.forms import callout, field, form, submit_button, text_input
from cadence.states.account import LoginState
from cadence.states.auth import AuthState

ROUTE = routes.LOGIN
TITLE = "Log in"
ON_LOAD = AuthState.redirect_if_logged_in


def page() -> rx.Component:
    return auth_card(
        callout(LoginState.error),
        form(
            rx.vstack(
                field(
                    "Email",
                    text_input(
                        "email", type="email", auto_complete="email", required=True, id="email"
                    ),
                    error=LoginState.email_error,
                ),
                field(
                    "Password",
                    text_input(
                        "password",
                        type="password",
                        auto_complete="current-password",
                        required=True,
                        id="password",
                    ),
                    error=LoginState.password_error,
                ),
                submit_button("Log in", loading=LoginState.loading),
                spacing="4",
                width="100%",
            ),
            on_submit=LoginState.submit,
        ),
        rx.text(
            "New to Cadence? ",
            rx.link("Create an account", href=routes.SIGNUP, underline="always"),
            size="2",
            align="center",
        ),
        heading="Welcome back",
        subheading="Log in to see your readiness, training and coach.",
    )
