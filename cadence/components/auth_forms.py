"""The centred card used by login and signup."""

from __future__ import annotations

import reflex as rx

from cadence.components.layout import brand
from cadence.components.ui import MUTED


def auth_card(*children: rx.Component, heading: str, subheading: str) -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                brand(),
                rx.heading(heading, size="6", margin_top="8px"),
                rx.text(subheading, color=MUTED, size="2"),
                *children,
                spacing="4",
                width="100%",
                align="stretch",
            ),
            width="100%",
            max_width="420px",
            padding="24px",
        ),
        min_height="100vh",
        padding="16px",
        background=rx.color("gray", 2),
    )
