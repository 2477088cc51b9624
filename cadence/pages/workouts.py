"""/workouts — the workout log, newest first, with paging and an inviting empty state."""

import reflex as rx

from cadence import routes
from cadence.components import workouts as ui
from cadence.components.forms import callout, newest_first_pager
from cadence.components.ui import TAP
from cadence.models.gym import LOGGER_ROUTE
from cadence.pages.shell import protected
from cadence.states.auth import AuthState
from cadence.states.workouts import FORM_ROUTE
from cadence.states.workouts import WorkoutListState as S

ROUTE = routes.WORKOUTS
TITLE = "Workouts"
ON_LOAD = [AuthState.require_login, S.load]


def _actions() -> rx.Component:
    return rx.hstack(
        ui.start_workout_button(href=LOGGER_ROUTE),
        rx.link(
            rx.button(
                rx.icon("plus", size=18),
                "Log past workout",
                size="3",
                variant="soft",
                min_height=TAP,
            ),
            href=FORM_ROUTE,
        ),
        rx.cond(
            S.total > 0,
            rx.link(
                rx.button(
                    rx.icon("repeat", size=18),
                    "Repeat last",
                    size="3",
                    variant="soft",
                    min_height=TAP,
                ),
                href=f"{FORM_ROUTE}?from=latest",
            ),
            rx.fragment(),
        ),
        rx.spacer(),
        rx.link(
            rx.button(
                rx.icon("library", size=18),
                "Exercises",
                size="3",
                variant="ghost",
                min_height=TAP,
            ),
            href=routes.EXERCISES,
        ),
        width="100%",
        spacing="2",
        wrap="wrap",
    )


def page() -> rx.Component:
    return protected(
        rx.vstack(
            _actions(),
            callout(S.error),
            rx.cond(
                S.loaded,
                rx.cond(
                    S.total > 0,
                    rx.vstack(
                        rx.foreach(S.items, ui.workout_card),
                        newest_first_pager(
                            label=S.page_label,
                            page=S.page,
                            pages=S.pages,
                            on_page=S.go_to,
                            id_prefix="workouts",
                        ),
                        spacing="2",
                        width="100%",
                        id="workout-list",
                    ),
                    ui.empty_state(log_href=FORM_ROUTE),
                ),
                rx.center(rx.spinner(size="3"), width="100%", padding="32px"),
            ),
            spacing="3",
            width="100%",
            max_width="720px",
        ),
        title=TITLE,
    )
