"""Form building blocks with inline errors and calm success/error callouts; the list pager and
the ask-before-delete dialog every list and detail page shares."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from cadence.components.ui import MUTED, TAP


def field(
    label: str,
    control: rx.Component,
    *,
    error: rx.Var | str = "",
    hint: rx.Var | str = "",
) -> rx.Component:
    """A labelled control with a hint and an inline error under it.

    The label names the control (``for`` = the control's id, which ``text_input`` always sets),
    and the error or hint describes it (``aria-describedby``; ``aria-invalid`` while an error
    shows), so screen readers and ``get_by_label`` find the field and hear its error.
    """
    control_id = control.id
    has_hint = isinstance(hint, rx.Var) or bool(hint)
    note_id = (
        f"{control_id}-note" if control_id and (has_hint or isinstance(error, rx.Var)) else None
    )
    if note_id:
        control.custom_attrs["aria-describedby"] = note_id
    if control_id and isinstance(error, rx.Var):
        control.custom_attrs["aria-invalid"] = rx.cond(error, "true", "false")
    return rx.vstack(
        rx.el.label(
            label,
            html_for=control_id,
            font_size="var(--font-size-2)",
            font_weight="var(--font-weight-medium)",
        ),
        control,
        rx.cond(
            error,
            rx.text(error, size="1", color=rx.color("tomato", 11), role="alert", id=note_id),
            rx.text(hint, size="1", color=MUTED, id=note_id) if has_hint else rx.fragment(),
        ),
        spacing="1",
        width="100%",
        align="stretch",
    )


def form(*children: rx.Component, **props) -> rx.Component:
    """A form whose errors are the app's, in words under each field: ``noValidate`` keeps the
    browser's own popups ("Please fill out this field") away; ``required`` and ``type`` stay on
    the inputs for the keyboard and assistive technology."""
    return rx.form(*children, no_validate=True, width="100%", **props)


def text_input(name: str, **props) -> rx.Component:
    """A full-width text field; its id is its name unless given (so ``field`` can label it)."""
    props.setdefault("id", name)
    return rx.input(name=name, size="3", width="100%", min_height=TAP, **props)


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
        label, type="submit", size="3", width="100%", min_height=TAP, loading=loading, **props
    )


def card(*children: rx.Component, title: str = "", **props) -> rx.Component:
    heading = [rx.heading(title, size="4", margin_bottom="8px")] if title else []
    return rx.card(
        rx.vstack(*heading, *children, spacing="3", width="100%", align="stretch"),
        width="100%",
        **props,
    )


def pager(
    *,
    label: rx.Var,
    page: rx.Var,
    pages: rx.Var,
    on_page: Callable[[rx.Var], object],
    back: str = "Previous",
    forward: str = "Next",
    id_prefix: str = "pager",
) -> rx.Component:
    """The count, then the back and forward buttons kept together (they wrap as one under a
    long count on a phone, never the forward button alone on a line)."""
    return rx.flex(
        rx.text(label, size="2", color=MUTED, id=f"{id_prefix}-count", flex="1 1 auto"),
        rx.hstack(
            rx.button(
                rx.icon("chevron-left", size=16),
                back,
                variant="soft",
                disabled=page <= 1,
                on_click=on_page(page - 1),
                min_height=TAP,
                id=f"{id_prefix}-prev",
            ),
            rx.button(
                forward,
                rx.icon("chevron-right", size=16),
                variant="soft",
                disabled=page >= pages,
                on_click=on_page(page + 1),
                min_height=TAP,
                id=f"{id_prefix}-next",
            ),
            spacing="2",
            flex_shrink="0",
            margin_left="auto",
        ),
        width="100%",
        align="center",
        wrap="wrap",
        gap="8px",
        id=f"{id_prefix}-pager",
    )


def newest_first_pager(
    *,
    label: rx.Var,
    page: rx.Var,
    pages: rx.Var,
    on_page: Callable[[rx.Var], object],
    id_prefix: str,
) -> rx.Component:
    """A log's pager (Newer / Older) when it has more than one page, else only its count."""
    return rx.cond(
        pages > 1,
        pager(
            label=label,
            page=page,
            pages=pages,
            on_page=on_page,
            back="Newer",
            forward="Older",
            id_prefix=id_prefix,
        ),
        rx.text(label, size="2", color=MUTED),
    )


def confirm_delete(
    *, on_confirm: rx.EventSpec, noun: str, explanation: rx.Component
) -> rx.Component:
    """A "Delete" button that asks first: "Delete this {noun}?", what goes with it, then
    "Keep it" or "Delete {noun}"."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(
                rx.icon("trash-2", size=16),
                "Delete",
                color_scheme="tomato",
                variant="soft",
                min_height=TAP,
            )
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title(f"Delete this {noun}?"),
            rx.alert_dialog.description(explanation),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button("Keep it", variant="soft", color_scheme="gray", min_height=TAP)
                ),
                rx.alert_dialog.action(
                    rx.button(
                        f"Delete {noun}",
                        color_scheme="tomato",
                        on_click=on_confirm,
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
