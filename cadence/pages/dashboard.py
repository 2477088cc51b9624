"""/ — the dashboard: readiness, sleep and load on the first screen, then readiness's inputs,
flags, today's metrics, trends, recent sessions and week over week."""

import reflex as rx

from cadence import routes
from cadence.components import dashboard as ui
from cadence.components.workouts import start_workout_button
from cadence.models.gym import LOGGER_ROUTE
from cadence.pages.shell import protected
from cadence.states.auth import AuthState
from cadence.states.dashboard import ACWR_FLAG_LINE
from cadence.states.dashboard import DashboardState as S

ROUTE = routes.DASHBOARD
TITLE = "Dashboard"
ON_LOAD = [AuthState.require_login, S.load]


def _charts() -> rx.Component:
    return rx.grid(
        ui.hrv_chart(S.hrv_points, S.explain["hrv"], S.hrv_nightly_name, charted=S.hrv_charted),
        ui.sleep_chart(S.sleep_points, S.explain["sleep"], charted=S.sleep_charted),
        ui.fitness_chart(S.load_points, S.explain["fitness"], charted=S.load_charted),
        ui.load_chart(
            S.load_points, S.explain["acwr"], flag=ACWR_FLAG_LINE, charted=S.load_charted
        ),
        columns=rx.breakpoints(initial="1", md="2"),
        spacing="3",
        width="100%",
    )


def _first_screen() -> rx.Component:
    """Readiness, sleep and load: what people open the app for, together on a phone's first
    screen (readiness across, sleep and load side by side under it; one row on a desktop)."""
    return rx.grid(
        rx.box(
            ui.readiness_card(
                status=S.r_status,
                score=S.r_score,
                color=S.r_color,
                word=S.r_word,
                why=S.r_why,
                day=S.r_date,
                progress=S.r_progress,
                device_score=S.device_score,
                device_parts=S.device_parts,
                explanation=S.explain["readiness"],
            ),
            grid_column="span 2",
        ),
        ui.key_number(
            title="Sleep last night",
            value=S.sleep_value,
            unit=S.sleep_unit,
            detail=S.sleep_detail,
            explanation=S.explain["sleep"],
            card_id="sleep-number",
        ),
        ui.key_number(
            title="Training load",
            value=S.load_value,
            unit=S.load_unit,
            detail=S.load_detail,
            explanation=S.explain["acwr"],
            card_id="load-number",
        ),
        columns=rx.breakpoints(initial="2", md="4"),
        spacing="3",
        width="100%",
        id="first-screen",
    )


def _content() -> rx.Component:
    return rx.vstack(
        _first_screen(),
        rx.grid(
            ui.readiness_inputs(S.contributors),
            rx.vstack(
                ui.flags_card(S.flags),
                rx.card(
                    rx.vstack(
                        rx.heading("Training load in detail", size="4"),
                        ui.load_summary(S.load_summary),
                        ui.how_computed(S.explain["load"]),
                        spacing="2",
                        width="100%",
                    ),
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
            width="100%",
        ),
        ui.devices_bar(S.devices_line),
        ui.tiles_grid(S.tiles),
        _charts(),
        rx.grid(
            ui.recent_list(S.recent),
            ui.weekly_table(S.weekly, S.explain["weekly"], S.this_week),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def page() -> rx.Component:
    return protected(
        rx.hstack(
            start_workout_button(href=LOGGER_ROUTE),
            justify="end",
            width="100%",
            margin_bottom="12px",
        ),
        rx.cond(
            S.error,
            rx.callout(S.error, icon="triangle-alert", color_scheme="tomato"),
            rx.fragment(),
        ),
        rx.cond(
            S.loaded,
            rx.cond(
                S.has_data,
                _content(),
                ui.empty_state(
                    user_name=AuthState.user_name,
                    on_demo=S.load_demo_data,
                    demo_loading=S.demo_loading,
                ),
            ),
            rx.center(rx.spinner(size="3"), padding="48px", aria_label="Loading dashboard"),
        ),
        title=TITLE,
    )
