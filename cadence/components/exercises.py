"""Exercise library building blocks: search box, library entries, progress chart with PRs."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from cadence.components.ui import ACCENT, MUTED, TAP

CHART_HEIGHT = 260
AXIS_TICK = {"fontSize": 11}


def search_box(value: rx.Var, on_change: Callable) -> rx.Component:
    return rx.input(
        rx.input.slot(rx.icon("search", size=16)),
        value=value,
        on_change=on_change,
        placeholder="Search exercises",
        type="search",
        size="3",
        width="100%",
        min_height=TAP,
        aria_label="Search exercises",
        id="exercise-search",
    )


def _stat(label: str, value: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color=MUTED),
        rx.text(value, size="2", weight="medium"),
        spacing="0",
        min_width="0",
    )


def library_entry(entry: rx.Var, *, selected: rx.Var, on_select: Callable) -> rx.Component:
    """One exercise (``entry``: name, times, best, e1rm, volume); tap to chart it."""
    is_selected = selected == entry["name"]
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(entry["name"], weight="bold", size="3", truncate=True),
                rx.spacer(),
                rx.text(entry["times"], size="1", color=MUTED, white_space="nowrap"),
                width="100%",
                align="center",
            ),
            rx.grid(
                _stat("Best", entry["best"]),
                _stat("Best e1RM", entry["e1rm"]),
                _stat("Volume", entry["volume"]),
                columns="3",
                spacing="2",
                width="100%",
            ),
            spacing="2",
            width="100%",
        ),
        as_child=False,
        on_click=on_select(entry["name"]),
        cursor="pointer",
        width="100%",
        min_height=TAP,
        border=rx.cond(is_selected, f"2px solid {rx.color(ACCENT, 9)}", "2px solid transparent"),
        role="button",
        aria_pressed=rx.cond(is_selected, "true", "false"),
        class_name="library-entry",
    )


def progress_chart(points: rx.Var) -> rx.Component:
    """e1RM as a line and volume as bars per session; PR sessions get a large marker."""
    return rx.box(
        rx.recharts.composed_chart(
            rx.recharts.bar(
                data_key="volume",
                name="Volume (kg)",
                y_axis_id="volume",
                fill="var(--gray-8)",
                is_animation_active=False,
            ),
            rx.recharts.line(
                data_key="e1rm",
                name="e1RM (kg)",
                y_axis_id="e1rm",
                stroke=f"var(--{ACCENT}-10)",
                stroke_width=2,
                connect_nulls=True,
                is_animation_active=False,
            ),
            rx.recharts.line(  # markers only: "pr" is set on PR sessions, null elsewhere
                data_key="pr",
                name="PR",
                y_axis_id="e1rm",
                stroke="none",
                dot={"r": 6, "fill": "var(--amber-9)", "stroke": "var(--amber-11)"},
                active_dot={"r": 7},
                legend_type="star",
                connect_nulls=False,
                is_animation_active=False,
            ),
            rx.recharts.x_axis(data_key="date", tick=AXIS_TICK, min_tick_gap=24),
            rx.recharts.y_axis(
                rx.recharts.label(value="e1RM kg", angle=-90, position="insideLeft", offset=8),
                y_axis_id="e1rm",
                tick=AXIS_TICK,
                width=48,
                domain=["auto", "auto"],
            ),
            rx.recharts.y_axis(  # the volume bars' own scale, on the right
                rx.recharts.label(value="volume kg", angle=90, position="insideRight", offset=8),
                y_axis_id="volume",
                orientation="right",
                tick=AXIS_TICK,
                width=56,
                domain=[0, "auto"],
            ),
            rx.recharts.tooltip(),
            rx.recharts.legend(),
            data=points,
            width="100%",
            height=CHART_HEIGHT,
        ),
        width="100%",
        height=f"{CHART_HEIGHT}px",
        id="progress-chart",
    )


def pr_list(lines: rx.Var) -> rx.Component:
    return rx.cond(
        lines,
        rx.vstack(
            rx.heading("Personal records", size="3"),
            rx.foreach(
                lines,
                lambda line: rx.hstack(
                    rx.icon("trophy", size=16, color=rx.color("amber", 10)),
                    rx.text(line, size="2"),
                    spacing="2",
                    align="center",
                ),
            ),
            spacing="2",
            width="100%",
            id="pr-list",
        ),
        rx.text(
            "No PR yet: the first session is the baseline; beat it to mark one.",
            size="2",
            color=MUTED,
        ),
    )


def how_computed() -> rx.Component:
    return rx.text(
        "e1RM is Epley's estimate, weight \u00d7 (1 + reps / 30), for sets of 12 reps or fewer; "
        "for '8-10' the lower bound counts, for '5,5,3' each set. Volume is sets \u00d7 reps "
        "\u00d7 weight. A PR beats every earlier session; warm-up sets never count.",
        size="1",
        color=MUTED,
    )


def mapping_card(
    pending: rx.Var, *, notice: rx.Var, on_confirm: Callable, on_next: Callable
) -> rx.Component:
    """Names from imports or typing that may be catalogue exercises: confirm the suggested one
    (or show another) so PRs, history and the coach see one exercise."""
    card = rx.cond(
        pending,
        rx.card(
            rx.vstack(
                rx.heading("Match exercise names", size="4"),
                rx.text(
                    "These names are not in the catalogue. Confirm the match so their history "
                    "and PRs count as one exercise.",
                    size="2",
                    color=MUTED,
                ),
                rx.foreach(
                    pending,
                    lambda row: rx.flex(
                        rx.text(rx.text.strong(row["name"]), " \u2192 ", row["choice"], size="2"),
                        rx.spacer(),
                        rx.hstack(
                            rx.cond(
                                row["more"],
                                rx.button(
                                    "Another match",
                                    variant="soft",
                                    color_scheme="gray",
                                    min_height=TAP,
                                    on_click=on_next(row["name"]),
                                ),
                                rx.fragment(),
                            ),
                            rx.button(
                                "Confirm",
                                min_height=TAP,
                                aria_label=f"Confirm match for {row['name']}",
                                on_click=on_confirm(row["name"]),
                            ),
                            spacing="2",
                        ),
                        class_name="mapping-row",
                        width="100%",
                        gap="2",
                        align="center",
                        wrap="wrap",
                    ),
                ),
                spacing="2",
                width="100%",
            ),
            width="100%",
            id="exercise-mappings",
        ),
        rx.fragment(),
    )
    return rx.fragment(
        rx.cond(notice, rx.text(notice, size="2", role="status"), rx.fragment()), card
    )
