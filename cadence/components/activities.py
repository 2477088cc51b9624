"""Activity building blocks: timeline cards and filter, the route drawing, the sample charts,
zone bars, lap and split tables, the load note and a delete confirmation. Presentational:
data and handlers come in as parameters."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from cadence import routes
from cadence.components.forms import confirm_delete as ask_before_delete
from cadence.components.ui import ACCENT, MUTED, TAP

CHART_HEIGHT = 170
AXIS_TICK = {"fontSize": 11}
SPORT_LABELS = {
    "all": "All sports",
    "running": "Running",
    "cycling": "Cycling",
    "swimming": "Swimming",
    "walking": "Walking & hiking",
    "strength": "Strength",
    "multisport": "Multisport",
    "other": "Other",
}


def activity_card(item: rx.Var) -> rx.Component:
    """One timeline entry (``item``: href, icon, title, when, facts, load, sources)."""
    return rx.link(
        rx.card(
            rx.hstack(
                rx.center(
                    rx.icon(item["icon"].to(str), size=20, color=rx.color(ACCENT, 11)),
                    width="40px",
                    height="40px",
                    border_radius="50%",
                    background=rx.color(ACCENT, 3),
                    flex_shrink="0",
                ),
                rx.vstack(
                    rx.hstack(
                        rx.text(item["title"], weight="bold", size="3", truncate=True),
                        rx.spacer(),
                        rx.text(item["load"], size="2", color=MUTED, white_space="nowrap"),
                        width="100%",
                        align="center",
                    ),
                    rx.text(item["when"], size="2", color=MUTED),
                    rx.text(item["facts"], size="2"),
                    rx.text(item["sources"], size="1", color=MUTED, truncate=True),
                    spacing="1",
                    width="100%",
                    min_width="0",
                ),
                spacing="3",
                align="start",
                width="100%",
            ),
            width="100%",
            _hover={"background": rx.color("gray", 2)},
        ),
        href=item["href"],
        underline="none",
        color="inherit",
        width="100%",
        class_name="activity-card",
    )


def sport_filter(*, value: rx.Var, options: rx.Var, on_change: Callable) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label="Sport", min_height=TAP, min_width="180px"),
        rx.select.content(
            rx.foreach(
                options,
                lambda option: rx.select.item(
                    rx.match(option, *SPORT_LABELS.items(), option), value=option
                ),
            )
        ),
        value=value,
        on_change=on_change,
        size="3",
    )


def empty_timeline(*, filtered: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon("route", size=40, color=rx.color(ACCENT, 9)),
            rx.cond(
                filtered,
                rx.heading("No sessions of this sport", size="5"),
                rx.heading("No activities yet", size="5"),
            ),
            rx.text(
                "Runs, rides, swims and watch-recorded gym sessions appear here with their "
                "route, charts, laps and heart-rate zones. Connect Garmin or Strava, or upload "
                "FIT, GPX or TCX files.",
                size="2",
                color=MUTED,
                text_align="center",
            ),
            rx.link(
                rx.button("Connect or import", size="3", min_height=TAP),
                href=routes.DEVICES,
            ),
            align="center",
            spacing="3",
            padding_y="24px",
        ),
        width="100%",
        id="activities-empty",
    )


def stat_grid(rows: rx.Var) -> rx.Component:
    """Label/value pairs, two columns on phones and four on wide screens."""
    return rx.grid(
        rx.foreach(
            rows,
            lambda row: rx.vstack(
                rx.text(row["label"], size="1", color=MUTED),
                rx.text(row["value"], size="4", weight="bold"),
                spacing="0",
                min_width="0",
            ),
        ),
        columns=rx.breakpoints(initial="2", sm="3", md="4"),
        spacing="3",
        width="100%",
        id="activity-totals",
    )


def route_drawing(*, points: rx.Var, box: rx.Var) -> rx.Component:
    """The recorded track drawn as an SVG polyline: no map tiles, no network."""
    return rx.box(
        rx.el.svg(
            rx.el.svg.polyline(
                points=points,
                fill="none",
                stroke="var(--teal-10)",
                stroke_width="8",
                stroke_linejoin="round",
                stroke_linecap="round",
            ),
            view_box=box,
            width="100%",
            height="100%",
            preserve_aspect_ratio="xMidYMid meet",
            role="img",
            aria_label="Route of the activity",
        ),
        width="100%",
        height=["220px", "260px", "320px"],
        background=rx.color("gray", 2),
        border_radius="8px",
        padding="8px",
        id="activity-route",
    )


def x_axis_toggle(*, value: rx.Var, distance_label: rx.Var, on_change: Callable) -> rx.Component:
    return rx.segmented_control.root(
        rx.segmented_control.item("Time", value="minutes"),
        rx.segmented_control.item(rx.text("Distance (", distance_label, ")"), value="distance"),
        value=value,
        on_change=on_change,
        size="2",
        aria_label="Chart x axis",
    )


def sample_chart(
    *,
    title: rx.Var | str,
    key: str,
    color: str,
    data: rx.Var,
    x_key: rx.Var,
    x_label: rx.Var,
    reversed_axis: bool = False,
) -> rx.Component:
    """One channel (HR, pace, speed, elevation, power, cadence) against time or distance; a
    reversed axis (pace: faster is higher) is drawn as a line, the others as filled areas."""
    series = (
        rx.recharts.line(
            data_key=key,
            name=title,
            stroke=f"var(--{color}-10)",
            dot=False,
            connect_nulls=True,
            is_animation_active=False,
        )
        if reversed_axis
        else rx.recharts.area(
            data_key=key,
            name=title,
            stroke=f"var(--{color}-10)",
            fill=f"var(--{color}-4)",
            dot=False,
            connect_nulls=True,
            is_animation_active=False,
        )
    )
    chart = rx.recharts.line_chart if reversed_axis else rx.recharts.area_chart
    return rx.vstack(
        rx.text(title, size="2", weight="medium"),
        chart(
            series,
            rx.recharts.x_axis(
                data_key=x_key,
                tick=AXIS_TICK,
                min_tick_gap=32,
                type_="number",
                domain=[0, "dataMax"],
            ),
            rx.recharts.y_axis(
                tick=AXIS_TICK, width=40, domain=["auto", "auto"], reversed=reversed_axis
            ),
            rx.recharts.tooltip(),
            data=data,
            width="100%",
            height=CHART_HEIGHT,
        ),
        rx.text(x_label, size="1", color=MUTED, align_self="center"),
        spacing="1",
        width="100%",
        class_name=f"chart-{key}",
    )


def zone_bars(rows: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.foreach(
            rows,
            lambda row: rx.hstack(
                rx.text(row["label"], size="2", weight="bold", width="84px", flex_shrink="0"),
                rx.vstack(
                    rx.box(
                        width=row["width"],
                        height="10px",
                        border_radius="5px",
                        background=rx.color(ACCENT, 9),
                    ),
                    rx.text(row["bounds"], size="1", color=MUTED),
                    spacing="1",
                    flex="1",
                    min_width="0",
                ),
                rx.vstack(
                    rx.text(row["time"], size="2"),
                    rx.text(row["share"], size="1", color=MUTED),
                    spacing="0",
                    align="end",
                    width="64px",
                    flex_shrink="0",
                ),
                width="100%",
                align="center",
                spacing="2",
                class_name="zone-row",
            ),
        ),
        spacing="2",
        width="100%",
        id="activity-zones",
    )


def data_table(rows: rx.Var, columns: list[tuple[str, str]], *, table_id: str) -> rx.Component:
    """A compact table that scrolls inside its own box (never the page) on narrow screens."""
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(*[rx.table.column_header_cell(label) for _, label in columns])
            ),
            rx.table.body(
                rx.foreach(
                    rows,
                    lambda row: rx.table.row(
                        *[rx.table.cell(row[key], white_space="nowrap") for key, _ in columns]
                    ),
                )
            ),
            size="1",
            variant="ghost",
            width="100%",
        ),
        width="100%",
        overflow_x="auto",
        id=table_id,
    )


def confirm_delete(*, on_confirm: rx.EventSpec, sources: rx.Var) -> rx.Component:
    """A "Delete" button that asks first, naming the sources the deletion reaches."""
    return ask_before_delete(
        on_confirm=on_confirm,
        noun="activity",
        explanation=rx.text(
            "The session is deleted with its samples and laps, from every source that "
            "recorded it (",
            sources,
            "). A workout made from its sets stays in your workout log. A device sync "
            "brings back sessions still on the device's account.",
        ),
    )
