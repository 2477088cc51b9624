"""/activities/view?id=N — one session: totals, the route drawn from its own track, charts of
every recorded channel against time or distance, heart-rate zones, laps, splits, the load and
how it was computed, its sources, its legs (multisport) and delete."""

import reflex as rx

from cadence import routes
from cadence.components import activities as ui
from cadence.components.forms import callout, card
from cadence.components.ui import TAP
from cadence.pages.shell import protected
from cadence.states.activities import LIST_ROUTE
from cadence.states.activities import ActivityDetailState as S
from cadence.states.auth import AuthState

ROUTE = routes.ACTIVITY_VIEW
TITLE = "Activity"
ON_LOAD = [AuthState.require_login, S.load]

CHARTS = [  # (state flag, title, data key, colour, reversed y axis: faster pace is higher)
    (S.has_hr, "Heart rate (bpm)", "hr", "tomato", False),
    (S.has_pace, S.pace_title, "pace", "teal", True),
    (S.has_speed, S.speed_title, "speed", "teal", False),
    (S.has_altitude, "Elevation (m)", "altitude", "grass", False),
    (S.has_power, "Power (W)", "power", "amber", False),
    (S.has_cadence, "Cadence", "cadence", "indigo", False),
]


def _header() -> rx.Component:
    return card(
        rx.vstack(
            rx.heading(S.title, size="6", id="activity-title"),
            rx.text(S.when, size="2", color=ui.MUTED),
            rx.hstack(
                rx.icon("database", size=14, color=ui.MUTED),
                rx.text(S.sources, size="2", color=ui.MUTED, id="activity-sources"),
                spacing="1",
                align="center",
            ),
            rx.cond(S.copies_note, rx.text(S.copies_note, size="1", color=ui.MUTED)),
            spacing="1",
        ),
        ui.stat_grid(S.totals),
        rx.hstack(
            rx.cond(
                S.workout_href,
                rx.link(
                    rx.button(
                        rx.icon("dumbbell", size=16), "Sets in the workout log", min_height=TAP
                    ),
                    href=S.workout_href,
                ),
            ),
            rx.cond(
                S.parent_href,
                rx.link(
                    rx.button(
                        rx.icon("medal", size=16),
                        "Whole multisport session",
                        variant="soft",
                        min_height=TAP,
                    ),
                    href=S.parent_href,
                ),
            ),
            rx.spacer(),
            ui.confirm_delete(on_confirm=S.delete, sources=S.sources),
            width="100%",
            spacing="2",
            wrap="wrap",
        ),
    )


def _charts() -> rx.Component:
    return card(
        rx.hstack(
            rx.heading("Charts", size="4"),
            rx.spacer(),
            ui.x_axis_toggle(
                value=S.x_axis, distance_label=S.distance_label, on_change=S.set_x_axis
            ),
            width="100%",
            align="center",
            wrap="wrap",
        ),
        *[
            rx.cond(
                flag,
                ui.sample_chart(
                    title=title,
                    key=key,
                    color=color,
                    data=S.points,
                    x_key=S.x_axis,
                    x_label=S.x_label,
                    reversed_axis=reverse,
                ),
            )
            for flag, title, key, color, reverse in CHARTS
        ],
        id="activity-charts",
    )


def _zones() -> rx.Component:
    return card(
        rx.text(S.zones_note, size="2", color=ui.MUTED),
        ui.zone_bars(S.zones),
        title="Heart-rate zones",
    )


def _load() -> rx.Component:
    return card(
        rx.hstack(
            rx.text(S.load_text, size="7", weight="bold", id="activity-load"),
            rx.text("TRIMP", size="2", color=ui.MUTED),
            align="baseline",
            spacing="2",
        ),
        rx.text(S.load_explanation, size="2", id="activity-load-explanation"),
        rx.cond(S.device_load, rx.text(S.device_load, size="2", color=ui.MUTED)),
        title="Training load",
    )


def _legs() -> rx.Component:
    return card(
        rx.vstack(rx.foreach(S.legs, ui.activity_card), spacing="2", width="100%"),
        title="Legs",
        id="activity-legs",
    )


def _detail() -> rx.Component:
    return rx.vstack(
        _header(),
        rx.cond(S.route, card(ui.route_drawing(points=S.route, box=S.route_box), title="Route")),
        rx.cond(S.legs.length() > 0, _legs()),
        rx.cond(S.points.length() > 0, _charts()),
        rx.cond(S.zones.length() > 0, _zones()),
        rx.cond(
            S.laps.length() > 0,
            card(
                ui.data_table(
                    S.laps,
                    [
                        ("number", "Lap"),
                        ("time", "Time"),
                        ("distance", "Distance"),
                        ("pace", S.pace_label),
                        ("hr", "HR"),
                    ],
                    table_id="activity-laps",
                ),
                title="Laps",
            ),
        ),
        rx.cond(
            S.splits.length() > 0,
            card(
                ui.data_table(
                    S.splits,
                    [
                        ("number", S.split_unit),
                        ("time", "Time"),
                        ("pace", S.pace_label),
                        ("hr", "HR"),
                        ("elevation", "Elev."),
                    ],
                    table_id="activity-splits",
                ),
                title="Splits",
            ),
        ),
        _load(),
        spacing="3",
        width="100%",
    )


def page() -> rx.Component:
    return protected(
        rx.vstack(
            rx.link(
                rx.hstack(rx.icon("chevron-left", size=16), "All activities", align="center"),
                href=LIST_ROUTE,
                size="2",
            ),
            callout(S.error),
            rx.cond(
                S.loaded,
                rx.cond(S.error, rx.fragment(), _detail()),
                rx.center(rx.spinner(size="3"), width="100%", padding="32px"),
            ),
            spacing="3",
            width="100%",
            max_width="820px",
        ),
        title=TITLE,
    )
