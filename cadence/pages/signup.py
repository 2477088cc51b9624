"""/signup"""

import reflex as rx

from cadence import routes
from cadence.components.auth_forms import auth_card
from cadence.components.forms import callout, field, form, submit_button, text_input
from cadence.states.account import SignupState

ROUTE = routes.SIGNUP
TITLE = "Sign up"
ON_LOAD = SignupState.load_signup


def page() -> rx.Component:
    return auth_card(
        callout(SignupState.error),
        form(
            rx.vstack(
                field(
                    "Name",
                    text_input(
                        "display_name",
                        auto_complete="name",
                        required=True,
                        max_length=100,
                        id="display_name",
                        on_change=SignupState.set_display_name.debounce(300),
                    ),
                    error=SignupState.name_error,
                ),
                field(
                    "Email",
                    text_input(
                        "email",
                        type="email",
                        auto_complete="email",
                        required=True,
                        id="email",
                        on_change=SignupState.set_email.debounce(300),
                    ),
                    error=SignupState.email_error,
                ),
                field(
                    "Password",
                    text_input(
                        "password",
                        type="password",
                        auto_complete="new-password",
                        required=True,
                        id="password",
                        on_change=SignupState.set_password.debounce(300),
                    ),
                    error=SignupState.password_error,
                    hint=SignupState.password_hint,
                ),
                rx.cond(
                    SignupState.needs_setup_code,
                    field(
                        "Setup code (only for the administrator)",
                        text_input(
                            "setup_code",
                            auto_complete="off",
                            max_length=64,
                            id="setup_code",
                            placeholder="ABCD-EFGH-JKLM-NPQR",
                        ),
                        error=SignupState.setup_code_error,
                        hint="Printed on the server's console when it starts "
                        "(or run: python -m cadence setup-code).",
                    ),
                    rx.fragment(),
                ),
                submit_button("Create account", loading=SignupState.loading),
                spacing="4",
                width="100%",
            ),
            on_submit=SignupState.submit,
        ),
        rx.text(
            "Already have an account? ",
            rx.link("Log in", href=routes.LOGIN, underline="always"),
            size="2",
            align="center",
        ),
        heading="Create your account",
        subheading="Your data stays on this server. The administrator signs up with the setup "
        "code the server printed when it started.",
    )
