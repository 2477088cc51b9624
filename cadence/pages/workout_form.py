"""/workouts/edit — log a workout with the form (``?from=latest`` repeats the last one) or
edit one (``?id=N``); the live logger is ``/workouts/log``."""

import reflex as rx

from cadence import routes
from cadence.components import workouts as ui
from cadence.components.forms import field, text_input
from cadence.components.ui import TAP
from cadence.pages.shell import protected
from cadence.states.auth import AuthState
from cadence.states.workouts import FORM_ROUTE
from cadence.states.workouts import WorkoutFormState as S

ROUTE = FORM_ROUTE
TITLE = "Log workout"
ON_LOAD = [AuthState.require_login, S.load]


def _input(key: str, **props) -> rx.Component:
    """A workout-level field bound to ``form_<key>`` (text inputs with 44 px tap targets)."""
    return text_input(
        key, value=getattr(S, f"form_{key}"), on_change=lambda v: S.set_form(key, v), **props
    )


def _details() -> rx.Component:
    return rx.grid(
        field(
            "Workout",
            _input("name", placeholder="e.g. Upper A", max_length=200, id="workout_name"),
        ),
        field("Date", _input("date", type="date", max=S.max_date, id="workout_date")),
        columns=rx.breakpoints(initial="1", sm="2"),
        spacing="3",
        width="100%",
    )


def _extras() -> rx.Component:
    return rx.grid(
        field(
            "Minutes (optional)",
            _input("duration", input_mode="numeric", id="workout_duration"),
            hint="Used for training load; estimated from your sets when empty.",
        ),
        field(
            "Notes (optional)",
            rx.text_area(
                value=S.form_notes,
                on_change=lambda v: S.set_form("notes", v),
                max_length=5000,
                rows="2",
                size="3",
                id="workout_notes",
            ),
        ),
        columns=rx.breakpoints(initial="1", sm="2"),
        spacing="3",
        width="100%",
    )


def _form() -> rx.Component:
    count = S.rows.length()
    return rx.vstack(
        rx.cond(S.notice, rx.callout(S.notice, icon="repeat", width="100%"), rx.fragment()),
        _details(),
        ui.suggestions_list(S.suggestions),
        rx.foreach(
            S.rows,
            lambda row, index: ui.exercise_row_editor(
                row,
                index,
                count=count,
                on_field=S.set_row_field,
                on_move=S.move_row,
                on_remove=S.remove_row,
                on_warmup=S.set_row_warmup,
            ),
        ),
        rx.button(
            rx.icon("plus", size=18),
            "Add exercise",
            variant="soft",
            size="3",
            width="100%",
            min_height=TAP,
            on_click=S.add_row,
            type="button",
            id="add-exercise",
        ),
        _extras(),
        ui.error_list(S.errors),
        rx.hstack(
            rx.link(
                rx.button("Cancel", variant="soft", color_scheme="gray", size="3", min_height=TAP),
                href=routes.WORKOUTS,
            ),
            rx.button(
                rx.icon("check", size=18),
                "Save workout",
                size="3",
                flex="1",
                min_height=TAP,
                loading=S.saving,
                on_click=S.save,
                id="save-workout",
            ),
            width="100%",
            spacing="2",
        ),
        spacing="3",
        width="100%",
        max_width="720px",
    )


def page() -> rx.Component:
    return protected(
        rx.cond(S.loaded, _form(), rx.center(rx.spinner(size="3"), width="100%", padding="32px")),
        title=TITLE,
    )
