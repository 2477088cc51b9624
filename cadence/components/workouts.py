"""Workout building blocks: list cards, pager, empty state, the exercise-row editor, the detail
rows and a delete confirmation. Presentational: data and handlers come in as parameters."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from cadence.components.forms import confirm_delete as ask_before_delete
from cadence.components.ui import ACCENT, MUTED, TAP

SUGGESTIONS_ID = "exercise-names"
ROW_INPUTS = [  # (row key, label, phone keyboard, extra props) of the numbers under a name
    ("sets", "Sets", "numeric", {"pattern": "[0-9]*"}),
    ("reps", "Reps", "text", {"placeholder": "5 or 5,5,3"}),
    ("weight", "kg", "decimal", {"placeholder": "0 = bw"}),
    ("rpe", "RPE", "decimal", {}),
]


def workout_card(item: rx.Var) -> rx.Component:
    """One list entry (``item``: id, href, date, name, summary, exercises)."""
    return rx.link(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.text(item["name"], weight="bold", size="3", truncate=True),
                    rx.spacer(),
                    rx.text(item["date"], size="2", color=MUTED, white_space="nowrap"),
                    width="100%",
                    align="center",
                ),
                rx.text(item["summary"], size="2"),
                rx.text(item["exercises"], size="2", color=MUTED, truncate=True),
                spacing="1",
                width="100%",
                min_width="0",
            ),
            width="100%",
            _hover={"background": rx.color("gray", 2)},
        ),
        href=item["href"],
        underline="none",
        color="inherit",
        width="100%",
        class_name="workout-card",
    )


def start_workout_button(*, href: str, label: str = "Start workout") -> rx.Component:
    """The live logger is not a Reflex page: the link loads it in full (``reloadDocument``)."""
    return rx.el.a(
        rx.button(rx.icon("timer", size=18), label, size="3", min_height=TAP, tab_index=-1),
        href=href,
        id="start-workout",
        custom_attrs={"reloadDocument": True},
    )


def empty_state(*, log_href: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon("dumbbell", size=40, color=rx.color(ACCENT, 9)),
            rx.heading("No workouts yet", size="5"),
            rx.text(
                "Log your first session: exercises, sets, reps and weight. Your exercise "
                "library, personal records and progress charts build themselves from it.",
                size="2",
                color=MUTED,
                text_align="center",
            ),
            rx.link(
                rx.button("Log your first workout", size="3", min_height=TAP),
                href=log_href,
            ),
            rx.text(
                "Coming from Strong or Hevy? Upload their CSV export on the Devices page.",
                size="1",
                color=MUTED,
                text_align="center",
            ),
            align="center",
            spacing="3",
            padding_y="24px",
        ),
        width="100%",
        id="workouts-empty",
    )


def suggestions_list(names: rx.Var) -> rx.Component:
    """The ``<datalist>`` every exercise-name input points at (names from the library)."""
    return rx.el.datalist(
        rx.foreach(names, lambda name: rx.el.option(value=name)), id=SUGGESTIONS_ID
    )


def _small_input(value: rx.Var, on_change, *, label: str, mode: str, test_id: str, **props):
    return rx.vstack(
        rx.text(label, size="1", color=MUTED, as_="label"),
        rx.input(
            value=value,
            on_change=on_change,
            input_mode=mode,
            size="3",
            width="100%",
            min_height=TAP,
            aria_label=label,
            class_name=test_id,
            **props,
        ),
        spacing="1",
        min_width="0",
    )


def exercise_row_editor(
    row: rx.Var,
    index: rx.Var,
    *,
    count: rx.Var,
    on_field: Callable[[rx.Var, str, rx.Var], rx.EventSpec],
    on_move: Callable[[rx.Var, int], rx.EventSpec],
    on_remove: Callable[[rx.Var], rx.EventSpec],
    on_warmup: Callable[[rx.Var, rx.Var], rx.EventSpec],
) -> rx.Component:
    """One exercise: name (with library suggestions) and move/remove on top; sets, reps, kg and
    RPE in a 4-column grid below, with numeric keyboards on phones; a warm-up checkbox."""

    def icon_button(icon: str, label: str, handler, disabled) -> rx.Component:
        return rx.icon_button(
            rx.icon(icon, size=18),
            variant="soft",
            color_scheme="gray",
            size="3",
            on_click=handler,
            disabled=disabled,
            aria_label=label,
            type="button",
        )

    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.input(
                    value=row["name"],
                    on_change=lambda value: on_field(index, "name", value),
                    placeholder="Exercise, e.g. Bench Press",
                    list=SUGGESTIONS_ID,
                    auto_complete="off",
                    size="3",
                    flex="1",
                    min_width="0",
                    min_height=TAP,
                    aria_label="Exercise name",
                    class_name="exercise-name",
                ),
                icon_button("arrow-up", "Move up", on_move(index, -1), index == 0),
                icon_button("arrow-down", "Move down", on_move(index, 1), index >= count - 1),
                icon_button("x", "Remove exercise", on_remove(index), count <= 1),
                spacing="1",
                width="100%",
                align="center",
            ),
            rx.grid(
                *[
                    _small_input(
                        row[key],
                        lambda value, key=key: on_field(index, key, value),
                        label=label,
                        mode=mode,
                        test_id=f"exercise-{key}",
                        **extra,
                    )
                    for key, label, mode, extra in ROW_INPUTS
                ],
                columns="4",
                spacing="2",
                width="100%",
            ),
            rx.checkbox(
                "Warm-up (counts toward volume, never toward PRs)",
                checked=row["warmup"] == "1",
                on_change=lambda checked: on_warmup(index, checked),
                size="2",
                color_scheme="gray",
                class_name="exercise-warmup",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="exercise-row",
    )


def error_list(errors: rx.Var) -> rx.Component:
    return rx.cond(
        errors,
        rx.callout.root(
            rx.callout.icon(rx.icon("triangle-alert")),
            rx.vstack(
                rx.foreach(errors, lambda line: rx.text(line, size="2")),
                spacing="1",
            ),
            color_scheme="tomato",
            width="100%",
            role="alert",
        ),
        rx.fragment(),
    )


def exercise_detail_row(row: rx.Var) -> rx.Component:
    """One exercise of the detail view (``row``: name, sets, extras, href)."""
    return rx.hstack(
        rx.vstack(
            rx.link(row["name"], href=row["href"], weight="bold", size="3"),
            rx.text(row["sets"], size="3"),
            rx.text(row["extras"], size="2", color=MUTED),
            spacing="1",
            min_width="0",
        ),
        padding_y="10px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
        class_name="detail-exercise",
    )


def confirm_delete(*, on_confirm: rx.EventSpec, what: rx.Var | str) -> rx.Component:
    """A "Delete" button that asks first."""
    return ask_before_delete(
        on_confirm=on_confirm,
        noun="workout",
        explanation=rx.text("\u201c", what, "\u201d and its exercises will be gone for good."),
    )
