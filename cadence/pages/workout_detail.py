"""/workouts/view?id=N — one workout: its exercises with volume and e1RM; edit, repeat, delete."""

import reflex as rx

from cadence import routes
from cadence.components import workouts as ui
from cadence.components.forms import callout, card
from cadence.components.ui import TAP
from cadence.pages.shell import protected
from cadence.states.auth import AuthState
from cadence.states.workouts import WorkoutDetailState as S

ROUTE = routes.WORKOUT_VIEW
TITLE = "Workout"
ON_LOAD = [AuthState.require_login, S.load]


def _workout() -> rx.Component:
    return card(
        rx.vstack(
            rx.heading(S.name, size="5", id="workout-title"),
            rx.text(S.date, size="2", color=ui.MUTED),
            rx.text(S.meta, size="2"),
            spacing="1",
        ),
        rx.vstack(rx.foreach(S.rows, ui.exercise_detail_row), spacing="0", width="100%"),
        rx.cond(S.notes, rx.text(S.notes, size="2", white_space="pre-wrap"), rx.fragment()),
        rx.hstack(
            rx.link(
                rx.button(rx.icon("pencil", size=16), "Edit", size="3", min_height=TAP),
                href=S.edit_href,
            ),
            rx.link(
                rx.button(
                    rx.icon("repeat", size=16),
                    "Repeat",
                    size="3",
                    variant="soft",
                    min_height=TAP,
                ),
                href=S.repeat_href,
            ),
            rx.spacer(),
            ui.confirm_delete(on_confirm=S.delete, what=S.name),
            width="100%",
            spacing="2",
            wrap="wrap",
        ),
    )


def page() -> rx.Component:
    return protected(
        rx.vstack(
            rx.link(
                rx.hstack(rx.icon("chevron-left", size=16), "All workouts", align="center"),
                href=routes.WORKOUTS,
                size="2",
            ),
            callout(S.error),
            rx.cond(
                S.loaded,
                rx.cond(S.error, rx.fragment(), _workout()),
                rx.center(rx.spinner(size="3"), width="100%", padding="32px"),
            ),
            spacing="3",
            width="100%",
            max_width="720px",
        ),
        title=TITLE,
    )
