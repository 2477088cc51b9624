"""Form building blocks with inline errors and calm success/error callouts."""

from __future__ import annotations

import reflex as rx


def field(
    label: str,
    control: rx.Component,
    *,
    error: rx.Var | str = "",
    hint: rx.Var | str = "",
) -> rx.Component:
    """A labelled control with a hint and an inline error under it."""
    return rx.vstack(
        rx.text(label, as_="label", size="2", weight="medium"),
        control,
        rx.cond(
            error,
            rx.text(error, size="1", color=rx.color("tomato", 11), role="alert"),
            rx.text(hint, size="1", color=rx.color("gray", 10))
            if isinstance(hint, rx.Var) or hint
            else rx.fragment(),
        ),
        spacing="1",
        width="100%",
        align="stretch",
    )


def text_input(name: str, **props) -> rx.Component:
    return rx.input(name=name, size="3", width="100%", min_height="44px", **props)


def callout(message: rx.Var | str, *, kind: str = "error") -> rx.Component:
    """An error (tomato) or success (green) message, shown only when ``message`` is set."""
    color, icon = ("green", "circle-check") if kind == "success" else ("tomato", "triangle-alert")
    return rx.cond(
        message,
        rx.callout(message, icon=icon, color_scheme=color, width="100%", role="status"),
        rx.fragment(),
    )


def submit_button(label: str, *, loading: rx.Var | bool = False, **props) -> rx.Component:
    return rx.button(
        label, type="submit", size="3", width="100%", min_height="44px", loading=loading, **props
    )


def card(*children: rx.Component, title: str = "", **props) -> rx.Component:
    heading = [rx.heading(title, size="4", margin_bottom="8px")] if title else []
    return rx.card(
        rx.vstack(*heading, *children, spacing="3", width="100%", align="stretch"),
        width="100%",
        **props,
    )
