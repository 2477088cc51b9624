"""Dashboard building blocks: readiness card, metric tiles, charts (Reflex recharts), recent
sessions, week-over-week table, flags, explanations and empty states. Presentational only:
every value arrives as a Var or plain argument."""

from __future__ import annotations

import reflex as rx

from cadence import routes
from cadence.components.forms import card
from cadence.components.ui import MUTED, TAP

CHART_HEIGHT = 220
AXIS_TICK = {"fontSize": 11}


def how_computed(text: rx.Var | str, *, label: str = "How is this computed?") -> rx.Component:
    """A small link that opens the explanation of one number."""
    return rx.popover.root(
        rx.popover.trigger(
            rx.button(
                rx.icon("info", size=14),
                label,
                variant="ghost",
                size="1",
                color_scheme="gray",
                min_height=TAP,  # a 44 px tap target, though it looks like a small link
                class_name="how-computed",
            )
        ),
        rx.popover.content(
            rx.text(text, size="2"),
            max_width="min(360px, 90vw)",
        ),
    )


def _bar(width: rx.Var, color: rx.Var) -> rx.Component:
    return rx.box(
        rx.box(width=width, height="100%", border_radius="4px", background=f"var(--{color}-9)"),
        width="100%",
        height="8px",
        background=rx.color("gray", 4),
        border_radius="4px",
        overflow="hidden",
    )


def contributor(item: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(item["label"], size="2", weight="medium"),
            rx.spacer(),
            rx.text(item["value"], size="2"),
            rx.badge("weight " + item["weight"].to(str), variant="soft", color_scheme="gray"),
            width="100%",
            align="center",
            spacing="2",
        ),
        _bar(item["bar"], item["color"]),
        rx.text(item["detail"], size="1", color=MUTED),
        spacing="1",
        width="100%",
        class_name="contributor",
    )


def _ring(score: rx.Var, color: rx.Var) -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.text(score, size="8", weight="bold", class_name="readiness-score"),
            rx.text("/ 100", size="1", color=MUTED),
            spacing="0",
            align="center",
        ),
        width="96px",
        height="96px",
        min_width="96px",
        border_radius="50%",
        border=f"6px solid var(--{color}-9)",
    )


def device_score_row(device_score: rx.Var, device_parts: rx.Var) -> rx.Component:
    """The device's own score as a small labelled source row, visibly not Cadence's ring:
    grey, outlined, with a watch icon and "From your device"."""
    return rx.cond(
        device_score,
        rx.hstack(
            rx.icon("watch", size=16, color=MUTED, flex_shrink="0"),
            rx.vstack(
                rx.text("From your device", size="1", color=MUTED),
                rx.text(device_score, size="2", weight="medium", class_name="device-score"),
                rx.cond(
                    device_parts,
                    rx.text(device_parts, size="1", color=MUTED, class_name="device-score-parts"),
                    rx.fragment(),
                ),
                spacing="0",
                min_width="0",
            ),
            spacing="2",
            align="center",
            width="100%",
            padding="8px 12px",
            border=f"1px solid {rx.color('gray', 6)}",
            border_radius="8px",
            id="device-score-row",
        ),
        rx.fragment(),
    )


def readiness_card(
    *,
    status: rx.Var,
    score: rx.Var,
    color: rx.Var,
    word: rx.Var,
    why: rx.Var,
    day: rx.Var,
    progress: rx.Var,
    device_score: rx.Var,
    device_parts: rx.Var,
    explanation: rx.Var,
) -> rx.Component:
    """Cadence's score in a coloured ring with the one-line why; under it, apart and grey, the
    device's own score (``device_score_row``). Its inputs are ``readiness_inputs``."""
    insufficient = rx.vstack(
        rx.text("Insufficient data", size="5", weight="bold"),
        rx.text(why, size="2", color=MUTED),
        rx.text(
            "Readiness needs 14 days of sleep, HRV or resting-HR data: " + progress.to(str) + ".",
            size="2",
        ),
        spacing="1",
        class_name="readiness-insufficient",
    )
    scored = rx.hstack(
        _ring(score, color),
        rx.vstack(
            rx.badge(word, color_scheme=color, size="3", class_name="readiness-color"),
            rx.text(why, size="2", class_name="readiness-why"),
            rx.text("For " + day.to(str), size="1", color=MUTED),
            spacing="2",
            align="start",
            min_width="0",
        ),
        spacing="4",
        align="center",
        width="100%",
    )
    return card(
        rx.match(
            status,
            ("ok", scored),
            ("insufficient_data", insufficient),
            rx.vstack(
                rx.text("No recovery data for the latest day.", weight="bold"),
                rx.text(why, size="2", color=MUTED),
            ),
        ),
        device_score_row(device_score, device_parts),
        how_computed(explanation),
        title="Cadence readiness",
        id="readiness-card",
    )


def readiness_inputs(contributors: rx.Var) -> rx.Component:
    """What went into Cadence's readiness: each input's value, weight and score bar."""
    return rx.cond(
        contributors.length() > 0,
        card(
            rx.vstack(rx.foreach(contributors, contributor), spacing="3", width="100%"),
            title="What went into readiness",
            id="readiness-inputs",
        ),
        rx.fragment(),
    )


def key_number(
    *,
    title: str,
    value: rx.Var,
    unit: rx.Var | str,
    detail: rx.Var,
    explanation: rx.Var,
    card_id: str,
) -> rx.Component:
    """One of the numbers people open the app for (sleep, load), beside readiness."""
    return rx.card(
        rx.vstack(
            rx.text(title, size="2", weight="medium", color=MUTED),
            rx.hstack(
                rx.text(value, size="7", weight="bold", class_name="key-value"),
                rx.text(unit, size="2", color=MUTED),
                align="baseline",
                spacing="1",
            ),
            rx.text(detail, size="1", color=MUTED),
            rx.spacer(),
            how_computed(explanation, label="How?"),
            spacing="1",
            align="start",
            height="100%",
        ),
        id=card_id,
        min_width="0",
        class_name="key-number",
    )


def metric_tile(item: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(item["label"], size="2", color=MUTED),
            rx.hstack(
                rx.text(item["value"], size="6", weight="bold"),
                rx.text(item["unit"], size="2", color=MUTED),
                align="baseline",
                spacing="1",
            ),
            rx.text(item["baseline"], size="1", color=MUTED),
            rx.text(item["change"], size="1"),
            rx.text(item["source"], size="1", color=rx.color("gray", 10)),
            how_computed(item["explain"], label="How?"),
            spacing="1",
            align="start",
        ),
        class_name="metric-tile",
        min_width="0",
    )


def tiles_grid(tiles: rx.Var) -> rx.Component:
    return rx.grid(
        rx.foreach(tiles, metric_tile),
        columns=rx.breakpoints(initial="2", sm="3", md="4"),
        spacing="3",
        width="100%",
    )


def _chart_card(
    title: str,
    chart: rx.Component,
    explanation: rx.Var,
    chart_id: str,
    *,
    charted: rx.Var,
    empty_words: str,
):
    """A chart with its "How is this computed?"; while ``charted`` is false (nothing to draw
    in the period), ``empty_words`` in its place instead of bare axes."""
    drawn = rx.box(chart, width="100%", height=f"{CHART_HEIGHT}px", class_name="chart", id=chart_id)
    empty = rx.center(
        rx.text(empty_words, size="2", color=MUTED, text_align="center"),
        width="100%",
        height=f"{CHART_HEIGHT}px",
        padding="16px",
        id=f"{chart_id}-empty",
    )
    return card(rx.cond(charted, drawn, empty), how_computed(explanation), title=title)


def _line(key: str, name: str | rx.Var, color: str, **props) -> rx.Component:
    return rx.recharts.line(
        data_key=key,
        name=name,
        stroke=f"var(--{color})",
        is_animation_active=False,
        **({"dot": False} | props),
    )


def _chart(kind, *series: rx.Component, data: rx.Var, y_axes: list[rx.Component]):
    """A chart of ``series`` over dates, with its y axes, tooltip and legend."""
    return kind(
        *series,
        rx.recharts.x_axis(data_key="date", tick=AXIS_TICK, min_tick_gap=24),
        *y_axes,
        rx.recharts.tooltip(),
        rx.recharts.legend(),
        data=data,
        width="100%",
        height=CHART_HEIGHT,
    )


def hrv_chart(
    data: rx.Var, explanation: rx.Var, nightly_name: rx.Var, *, charted: rx.Var
) -> rx.Component:
    """Nightly HRV (dots, named ``nightly_name``: rMSSD or SDNN), its 7-day average and the
    60-day normal band (shaded range)."""
    chart = _chart(
        rx.recharts.composed_chart,
        rx.recharts.area(
            data_key="band",
            name="Normal band",
            stroke="none",
            fill="var(--teal-5)",
            fill_opacity=0.6,
            is_animation_active=False,
        ),
        _line("hrv", nightly_name, "teal-11", dot=True, connect_nulls=False),
        _line("avg7", "7-day", "indigo-10", stroke_width=2),
        data=data,
        y_axes=[  # whole milliseconds: a fractional tick ("47.25") is clipped at this width
            rx.recharts.y_axis(
                tick=AXIS_TICK, width=32, domain=["auto", "auto"], allow_decimals=False
            )
        ],
    )
    return _chart_card(
        "HRV and its normal band",
        chart,
        explanation,
        "hrv-chart",
        charted=charted,
        empty_words="No HRV recorded in this period: a watch or ring that measures it at night "
        "(Garmin, WHOOP, Oura, Apple Watch) fills this chart.",
    )


def sleep_chart(data: rx.Var, explanation: rx.Var, *, charted: rx.Var) -> rx.Component:
    """Hours per night as bars; each point carries the sleep need, drawn as a dashed line."""
    chart = _chart(
        rx.recharts.composed_chart,
        rx.recharts.bar(
            data_key="sleep", name="Sleep (h)", fill="var(--indigo-9)", is_animation_active=False
        ),
        _line("need", "Need (h)", "amber-10", stroke_dasharray="4 4"),
        data=data,
        y_axes=[rx.recharts.y_axis(tick=AXIS_TICK, width=28, domain=[0, 12])],
    )
    return _chart_card(
        "Sleep per night",
        chart,
        explanation,
        "sleep-chart",
        charted=charted,
        empty_words="No sleep recorded in this period: connect a device that tracks sleep or "
        "import an Apple Health export.",
    )


NO_TRAINING_WORDS = (
    "No training recorded in this period: log a workout or import an activity to see your load."
)


def fitness_chart(data: rx.Var, explanation: rx.Var, *, charted: rx.Var) -> rx.Component:
    chart = _chart(
        rx.recharts.line_chart,
        _line("fitness", "Fitness", "blue-10"),
        _line("fatigue", "Fatigue", "tomato-10"),
        _line("form", "Form", "grass-10"),
        rx.recharts.reference_line(y=0, stroke="var(--gray-8)"),
        data=data,
        y_axes=[rx.recharts.y_axis(tick=AXIS_TICK, width=36)],
    )
    return _chart_card(
        "Fitness, fatigue and form",
        chart,
        explanation,
        "fitness-chart",
        charted=charted,
        empty_words=NO_TRAINING_WORDS,
    )


def load_chart(data: rx.Var, explanation: rx.Var, *, flag: str, charted: rx.Var) -> rx.Component:
    """Daily load bars (left axis) and ACWR (right axis) with the ``flag`` line (a risky jump)."""
    chart = _chart(
        rx.recharts.composed_chart,
        rx.recharts.bar(
            data_key="load",
            name="Daily load",
            y_axis_id="load",
            fill="var(--teal-8)",
            is_animation_active=False,
        ),
        _line("acwr", "ACWR", "tomato-10", y_axis_id="ratio"),
        rx.recharts.reference_line(
            y=flag, y_axis_id="ratio", stroke="var(--tomato-8)", stroke_dasharray="4 4"
        ),
        data=data,
        y_axes=[
            rx.recharts.y_axis(y_axis_id="load", tick=AXIS_TICK, width=36),
            rx.recharts.y_axis(
                y_axis_id="ratio", orientation="right", tick=AXIS_TICK, width=32, domain=[0, 2.5]
            ),
        ],
    )
    return _chart_card(
        "Daily load and ACWR",
        chart,
        explanation,
        "load-chart",
        charted=charted,
        empty_words=NO_TRAINING_WORDS,
    )


def load_summary(items: rx.Var) -> rx.Component:
    return rx.flex(
        rx.foreach(
            items,
            lambda item: rx.vstack(
                rx.text(item["label"], size="1", color=MUTED),
                rx.text(item["value"], size="3", weight="bold"),
                spacing="0",
                min_width="88px",
            ),
        ),
        wrap="wrap",
        gap="12px",
        width="100%",
    )


def devices_bar(line: rx.Var) -> rx.Component:
    """Where the numbers come from, with a way to manage it."""
    return rx.flex(
        rx.icon("watch", size=16, color=MUTED),
        rx.text(line, size="2", color=MUTED),
        rx.link("Manage devices", href=routes.DEVICES, size="2"),
        gap="8px",
        align="center",
        wrap="wrap",
        width="100%",
        id="devices-bar",
    )


def flags_card(flags: rx.Var) -> rx.Component:
    return card(
        rx.cond(
            flags.length() > 0,
            rx.vstack(
                rx.foreach(
                    flags,
                    lambda f: rx.callout(
                        f["message"],
                        icon="triangle-alert",
                        color_scheme=f["color"],
                        width="100%",
                        class_name="flag",
                    ),
                ),
                spacing="2",
                width="100%",
            ),
            rx.text("No risk flags right now.", size="2", color=MUTED),
        ),
        title="Flags",
        id="flags-card",
    )


def recent_list(items: rx.Var) -> rx.Component:
    """Each session opens its own page (the activity or the workout)."""
    row = lambda r: rx.link(  # noqa: E731
        _recent_row(r), href=r["href"], underline="none", color="inherit", width="100%"
    )
    return card(
        rx.cond(
            items.length() > 0,
            rx.vstack(rx.foreach(items, row), spacing="3", width="100%"),
            rx.text("No activities or workouts yet.", size="2", color=MUTED),
        ),
        title="Recent activities and workouts",
    )


def _recent_row(r: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.icon(r["icon"].to(str), size=18, color=rx.color("teal", 10)),
        rx.vstack(
            rx.text(r["title"], size="2", weight="medium"),
            rx.text(r["details"], size="1", color=MUTED),
            spacing="0",
            min_width="0",
        ),
        rx.spacer(),
        rx.vstack(
            rx.text(r["when"], size="1", white_space="nowrap"),  # never "Mon Nov / 30"
            rx.text(r["load"], size="1", color=MUTED, white_space="nowrap"),
            spacing="0",
            align="end",
        ),
        width="100%",
        align="center",
        spacing="3",
        min_height=TAP,
        class_name="recent-item",
    )


def weekly_table(rows: rx.Var, explanation: rx.Var, this_week: rx.Var) -> rx.Component:
    """``this_week`` heads the first column ("This week so far (3 of 7 days)")."""
    return card(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell(""),
                    rx.table.column_header_cell(this_week),
                    rx.table.column_header_cell("Last week"),
                    rx.table.column_header_cell("Change"),
                )
            ),
            rx.table.body(
                rx.foreach(
                    rows,
                    lambda r: rx.table.row(
                        rx.table.row_header_cell(r["label"]),
                        rx.table.cell(r["this"]),
                        rx.table.cell(r["last"]),
                        rx.table.cell(r["change"]),
                    ),
                )
            ),
            size="1",
            width="100%",
        ),
        how_computed(explanation),
        title="This week vs last week",
    )


def empty_state(
    *, user_name: rx.Var, on_demo: rx.EventHandler, demo_loading: rx.Var
) -> rx.Component:
    """A new user's dashboard: where data comes from, and a one-click demo."""
    return card(
        rx.vstack(
            rx.icon("watch", size=32, color=rx.color("teal", 10)),
            rx.heading("Welcome, " + user_name.to(str), size="5"),
            rx.text("No health data yet.", size="3", weight="medium"),
            rx.text(
                "Connect Garmin, Whoop or Strava, or upload FIT, GPX, TCX, Apple Health and "
                "Strong/Hevy files on the Devices page. Or try Cadence with 90 days of demo data.",
                size="2",
                color=MUTED,
            ),
            rx.flex(
                rx.link(rx.button("Go to Devices", size="3", min_height=TAP), href=routes.DEVICES),
                rx.button(
                    "Load demo data",
                    size="3",
                    variant="soft",
                    min_height=TAP,
                    on_click=on_demo,
                    loading=demo_loading,
                    id="load-demo-data",
                ),
                gap="12px",
                wrap="wrap",
            ),
            spacing="3",
            align="start",
        ),
        id="empty-state",
    )
