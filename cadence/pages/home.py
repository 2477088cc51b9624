"""/ — the signed-in landing page: a welcome and what to do next."""

import reflex as rx

from cadence.components.forms import card
from cadence.pages.shell import protected
from cadence.states.auth import AuthState

ROUTE = "/"
TITLE = "Home"
ON_LOAD = AuthState.require_login


def page() -> rx.Component:
    return protected(
        card(
            rx.heading("Welcome, " + AuthState.user_name, size="5"),
            rx.text(
                "Cadence keeps your training, sleep and recovery on your own server. "
                "Start by telling your coach about your goals.",
                color=rx.color("gray", 11),
            ),
            rx.link(rx.button("Edit coaching profile", size="3"), href="/settings"),
        ),
        title=TITLE,
    )
