"""/exercises — every exercise you logged, with bests, and a progress chart with PRs marked."""

import reflex as rx

from cadence import routes
from cadence.components import exercises as ui
from cadence.components.forms import callout, card
from cadence.models.gym import LOGGER_ROUTE
from cadence.pages.shell import protected
from cadence.states.auth import AuthState
from cadence.states.exercises import ExerciseLibraryState as S
from cadence.states.mappings import ExerciseMappingState as M

ROUTE = routes.EXERCISES
TITLE = "Exercise library"
ON_LOAD = [AuthState.require_login, S.load, M.load]


def _progress() -> rx.Component:
    return rx.cond(
        S.selected,
        card(
            rx.hstack(
                rx.heading(S.selected, size="4", id="selected-exercise"),
                rx.spacer(),
                rx.text(S.sessions_label, size="2", color=ui.MUTED),
                width="100%",
                align="center",
            ),
            ui.progress_chart(S.points),
            ui.pr_list(S.prs),
            ui.how_computed(),
        ),
        rx.fragment(),
    )


def _empty() -> rx.Component:
    return card(
        rx.text(
            rx.cond(
                S.search,
                "No exercise matches that search.",
                "Your library fills itself as you log workouts.",
            ),
            size="2",
        ),
        rx.el.a("Start a workout", href=LOGGER_ROUTE, custom_attrs={"reloadDocument": True}),
    )


def page() -> rx.Component:
    return protected(
        rx.vstack(
            callout(S.error),
            callout(M.mapping_error),
            ui.mapping_card(
                M.pending, notice=M.mapping_notice, on_confirm=M.confirm, on_next=M.next_choice
            ),
            rx.cond(
                S.loaded,
                rx.grid(
                    rx.box(_progress(), width="100%", min_width="0"),
                    rx.vstack(
                        ui.search_box(S.search, S.set_search),
                        rx.cond(
                            S.items,
                            rx.vstack(
                                rx.foreach(
                                    S.items,
                                    lambda entry: ui.library_entry(
                                        entry, selected=S.selected, on_select=S.select
                                    ),
                                ),
                                spacing="2",
                                width="100%",
                                id="library-list",
                            ),
                            _empty(),
                        ),
                        spacing="2",
                        width="100%",
                        min_width="0",
                    ),
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="3",
                    width="100%",
                ),
                rx.center(rx.spinner(size="3"), width="100%", padding="32px"),
            ),
            spacing="3",
            width="100%",
        ),
        title=TITLE,
    )
