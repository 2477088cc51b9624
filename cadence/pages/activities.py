"""/activities — the training timeline: one entry per session, newest first, filterable by
sport, with paging and an empty state that says how to get data in."""

import reflex as rx

from cadence import routes
from cadence.components import activities as ui
from cadence.components.forms import callout, newest_first_pager
from cadence.components.ui import TAP
from cadence.pages.shell import protected
from cadence.states.activities import ALL_SPORTS
from cadence.states.activities import ActivityListState as S
from cadence.states.auth import AuthState

ROUTE = routes.ACTIVITIES
TITLE = "Activities"
ON_LOAD = [AuthState.require_login, S.load]


def page() -> rx.Component:
    return protected(
        rx.vstack(
            rx.hstack(
                ui.sport_filter(value=S.sport, options=S.sport_options, on_change=S.set_sport),
                rx.spacer(),
                rx.link(
                    rx.button(
                        rx.icon("upload", size=18),
                        "Import",
                        size="3",
                        variant="soft",
                        min_height=TAP,
                    ),
                    href=routes.DEVICES,
                ),
                width="100%",
                spacing="2",
                wrap="wrap",
            ),
            callout(S.error),
            rx.cond(
                S.loaded,
                rx.cond(
                    S.total > 0,
                    rx.vstack(
                        rx.foreach(S.items, ui.activity_card),
                        newest_first_pager(
                            label=S.page_label,
                            page=S.page,
                            pages=S.pages,
                            on_page=S.go_to,
                            id_prefix="activities",
                        ),
                        spacing="2",
                        width="100%",
                        id="activity-list",
                    ),
                    ui.empty_timeline(filtered=S.sport != ALL_SPORTS),
                ),
                rx.center(rx.spinner(size="3"), width="100%", padding="32px"),
            ),
            spacing="3",
            width="100%",
            max_width="720px",
        ),
        title=TITLE,
    )
