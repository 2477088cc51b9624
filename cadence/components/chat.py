"""Chat building blocks: conversation list, message bubbles with tool chips and inline charts,
the composer with a stop button, the model picker and suggested questions.

Messages render as markdown *without* raw HTML (``use_raw=False``): ``<img onerror=...>`` in a
question or an answer shows as text.
"""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from cadence.components.ui import ACCENT, BOTTOM_NAV_HEIGHT, MUTED, TAP

AXIS_TICK = {"fontSize": 11}


def _markdown(content: rx.Var) -> rx.Component:
    return rx.markdown(
        content,
        use_raw=False,
        use_math=False,
        use_katex=False,
        class_name="chat-markdown",
    )


def tool_chip(chip: rx.Var) -> rx.Component:
    """A tool the coach ran: spinning while running, then a tick (or a warning) with its result;
    a clock for a write waiting for the user's Confirm."""
    icon = rx.match(
        chip.status,
        ("running", rx.spinner(size="1")),
        ("ok", rx.icon("circle-check", size=14)),
        ("proposed", rx.icon("clock", size=14)),
        rx.icon("triangle-alert", size=14),
    )
    return rx.tooltip(
        rx.badge(
            icon,
            chip.label,
            color_scheme=rx.match(
                chip.status, ("ok", "teal"), ("running", "gray"), ("proposed", "blue"), "amber"
            ),
            variant="soft",
            radius="full",
            size="2",
            class_name="tool-chip",
            data_status=chip.status,
        ),
        content=rx.cond(chip.summary, chip.summary, "Running…"),
    )


def check_mark(mark: rx.Var) -> rx.Component:
    """One number of the answer, checked: tap or click shows where it came from (or that it was
    not found in the data, or that it is advice)."""
    icon = rx.match(
        mark.kind,
        ("verified", rx.icon("circle-check", size=12)),
        ("advice", rx.icon("lightbulb", size=12)),
        rx.icon("circle-help", size=12),
    )
    label = rx.match(
        mark.kind,
        ("verified", mark.text),
        ("advice", mark.text + " (advice)"),
        mark.text + " — " + mark.detail,
    )
    return rx.popover.root(
        rx.popover.trigger(
            rx.badge(
                icon,
                label,
                color_scheme=rx.match(mark.kind, ("verified", "teal"), ("advice", "blue"), "amber"),
                variant=rx.cond(mark.kind == "verified", "soft", "outline"),
                radius="full",
                size="1",
                class_name="check-mark",
                data_kind=mark.kind,
                cursor="pointer",
                min_height="24px",
                as_="button",
            ),
        ),
        rx.popover.content(
            rx.text(
                rx.match(
                    mark.kind,
                    ("verified", "Found in your data: "),
                    ("advice", "Advice: "),
                    "Unverified: ",
                ),
                mark.detail,
                size="1",
            ),
            max_width="280px",
            class_name="check-detail",
        ),
    )


def _series_lines(chart: rx.Var, kind: str) -> rx.Component:
    def one(series: rx.Var) -> rx.Component:
        if kind == "bar":
            return rx.recharts.bar(
                data_key=series.key,
                name=series.label,
                fill=series.color,
                radius=[3, 3, 0, 0],
                is_animation_active=False,
            )
        if kind == "area":
            return rx.recharts.area(
                data_key=series.key,
                name=series.label,
                stroke=series.color,
                fill=series.color,
                fill_opacity=0.2,
                is_animation_active=False,
            )
        return rx.recharts.line(
            data_key=series.key,
            name=series.label,
            stroke=series.color,
            dot=False,
            stroke_width=2,
            connect_nulls=True,
            is_animation_active=False,
        )

    return rx.foreach(chart.series, one)


def _chart_of_kind(chart: rx.Var, kind: str) -> rx.Component:
    builder = {
        "bar": rx.recharts.bar_chart,
        "area": rx.recharts.area_chart,
        "line": rx.recharts.line_chart,
    }[kind]
    return builder(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
        rx.recharts.x_axis(data_key="date", tick=AXIS_TICK, min_tick_gap=24),
        rx.recharts.y_axis(
            tick=AXIS_TICK, width=36, domain=[0, "auto"] if kind == "bar" else ["auto", "auto"]
        ),
        rx.recharts.tooltip(),
        _series_lines(chart, kind),
        data=chart.data,
        height=220,
        width="100%",
    )


def chart_card(chart: rx.Var) -> rx.Component:
    """A chart from a ``chart`` event, drawn with Reflex recharts."""
    return rx.box(
        rx.text(chart.title, size="2", weight="medium", margin_bottom="4px"),
        rx.match(
            chart.kind,
            ("bar", _chart_of_kind(chart, "bar")),
            ("area", _chart_of_kind(chart, "area")),
            _chart_of_kind(chart, "line"),
        ),
        class_name="chat-chart",
        width="100%",
        padding="8px",
        border=f"1px solid {rx.color('gray', 4)}",
        border_radius="8px",
        background=rx.color("gray", 1),
    )


ACTION_OUTCOMES = (
    ("confirmed", "circle-check", "Done.", "teal"),
    ("failed", "triangle-alert", "Not done.", "amber"),
    ("cancelled", "circle-x", "Cancelled: nothing changed.", "gray"),
    ("expired", "clock", "Expired: ask the coach again.", "gray"),
)


def _decision(label: str, on_click: rx.EventSpec, busy: rx.Var, **style) -> rx.Component:
    return rx.button(
        label, on_click=on_click, disabled=busy, min_height=TAP, type="button", **style
    )


def action_card(
    card: rx.Var,
    on_confirm: Callable[[rx.Var, bool], rx.EventSpec],
    on_cancel: Callable[[rx.Var], rx.EventSpec],
    busy: rx.Var,
) -> rx.Component:
    """A write the coach proposed: nothing happens until Confirm (or, for a workout when one
    is already logged today, "Add to today's workout" / "New workout"); Cancel discards it.
    Then what became of it, with a link to the workout."""
    confirm = rx.cond(
        card.add_to != "",
        rx.fragment(
            _decision("Add to today's workout", on_confirm(card.id, True), busy),
            _decision("New workout", on_confirm(card.id, False), busy, variant="outline"),
        ),
        _decision("Confirm", on_confirm(card.id, False), busy),
    )
    buttons = rx.flex(
        confirm,
        _decision("Cancel", on_cancel(card.id), busy, variant="soft", color_scheme="gray"),
        wrap="wrap",
        gap="8px",
    )
    outcome = rx.match(
        card.status,
        *(
            (
                status,
                rx.hstack(
                    rx.icon(icon, size=16, color=rx.color(color, 11)),
                    rx.text(words, size="2", weight="medium"),
                    align="center",
                    spacing="1",
                ),
            )
            for status, icon, words, color in ACTION_OUTCOMES
        ),
        buttons,
    )
    return rx.vstack(
        rx.text(card.summary, size="2", weight="medium", class_name="action-summary"),
        rx.cond(
            card.status == "pending",
            rx.text(
                rx.cond(card.add_to != "", card.add_to + "? ", ""),
                "Nothing is saved until you confirm.",
                size="1",
                color=MUTED,
            ),
        ),
        outcome,
        rx.cond(
            (card.status == "failed") & (card.result != ""),
            rx.text(card.result, size="1", color=MUTED),
        ),
        rx.cond(
            card.href != "",
            rx.link(
                "Open the workout",
                rx.icon("arrow-right", size=14),
                href=card.href,
                size="2",
                class_name="action-link",
                display="inline-flex",
                align_items="center",
                gap="4px",
                min_height=TAP,
            ),
        ),
        role="group",
        aria_label="Proposed change",
        class_name="action-card",
        data_status=card.status,
        spacing="2",
        width="100%",
        padding="12px",
        border=f"1px solid {rx.color(ACCENT, 6)}",
        border_radius="10px",
        background=rx.color("gray", 1),
    )


def message_bubble(
    message: rx.Var,
    on_confirm: Callable[[rx.Var], rx.EventSpec],
    on_cancel: Callable[[rx.Var], rx.EventSpec],
    busy: rx.Var,
) -> rx.Component:
    is_user = message.role == "user"
    body = rx.vstack(
        rx.cond(
            message.tools.length() > 0,
            rx.flex(rx.foreach(message.tools, tool_chip), wrap="wrap", gap="6px"),
        ),
        rx.foreach(message.charts, chart_card),
        rx.cond(
            message.content,
            _markdown(message.content),
            rx.cond(
                message.status == "streaming",
                rx.hstack(rx.spinner(size="1"), rx.text("Thinking…", size="2"), align="center"),
            ),
        ),
        rx.cond(
            message.checks.length() > 0,
            rx.flex(
                rx.text("Numbers checked:", size="1", color=rx.color("gray", 10)),
                rx.foreach(message.checks, check_mark),
                wrap="wrap",
                gap="4px",
                align="center",
                class_name="check-marks",
            ),
        ),
        rx.foreach(message.actions, lambda card: action_card(card, on_confirm, on_cancel, busy)),
        rx.cond(
            message.status == "partial",
            rx.text("Stopped.", size="1", color=MUTED),
        ),
        spacing="2",
        width="100%",
        align="stretch",
    )
    return rx.box(
        body,
        class_name=rx.cond(is_user, "chat-message user", "chat-message assistant"),
        data_status=message.status,
        align_self=rx.cond(is_user, "flex-end", "stretch"),
        max_width=rx.cond(is_user, "85%", "100%"),
        padding="10px 14px",
        border_radius="12px",
        background=rx.cond(is_user, rx.color(ACCENT, 3), rx.color("gray", 2)),
        overflow_wrap="anywhere",
        min_width="0",
    )


def conversation_list(
    conversations: rx.Var,
    active_id: rx.Var,
    on_open: Callable[[rx.Var], rx.EventSpec],
    on_delete: Callable[[rx.Var], rx.EventSpec],
    on_new: rx.EventHandler,
    on_rename: Callable[[rx.Var, rx.Var], rx.EventSpec],
) -> rx.Component:
    def row(item: rx.Var) -> rx.Component:
        return rx.hstack(
            rx.button(
                rx.vstack(
                    rx.text(item.title, size="2", truncate=True, width="100%"),
                    rx.text(item.updated, size="1", color=MUTED, white_space="nowrap"),
                    spacing="0",
                    align="start",
                    width="100%",
                    min_width="0",
                    text_align="left",
                ),
                variant=rx.cond(item.id == active_id, "soft", "ghost"),
                color_scheme="gray",
                on_click=on_open(item.id),
                min_height=TAP,
                flex="1",
                min_width="0",
                height="auto",
                padding_y="6px",
                justify="start",
                class_name="conversation-item",
            ),
            rx.icon_button(
                rx.icon("pencil", size=16),
                variant="ghost",
                color_scheme="gray",
                on_click=on_rename(item.id, item.title),
                aria_label="Rename conversation",
                min_width=TAP,
                min_height=TAP,
            ),
            rx.icon_button(
                rx.icon("trash-2", size=16),
                variant="ghost",
                color_scheme="gray",
                on_click=on_delete(item.id),
                aria_label="Delete conversation",
                min_width=TAP,
                min_height=TAP,
            ),
            width="100%",
            spacing="1",
            align="center",
        )

    return rx.vstack(
        rx.button(
            rx.icon("plus", size=16),
            "New chat",
            on_click=on_new,
            width="100%",
            min_height=TAP,
            id="new-chat",
        ),
        rx.cond(
            conversations.length() > 0,
            rx.vstack(rx.foreach(conversations, row), spacing="1", width="100%"),
            rx.text("No conversations yet.", size="2", color=MUTED),
        ),
        spacing="3",
        width="100%",
        id="conversation-list",
    )


def model_picker(models: rx.Var, value: rx.Var, on_change: rx.EventHandler) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label="Model", min_height=TAP, max_width="100%"),
        rx.select.content(
            rx.foreach(models, lambda m: rx.select.item(m.label, value=m.id)),
        ),
        value=value,
        on_change=on_change,
        size="2",
    )


def suggestions(items: rx.Var, on_pick: Callable[[rx.Var], rx.EventSpec]) -> rx.Component:
    return rx.cond(
        items.length() > 0,
        rx.vstack(
            rx.text("Ask your coach", size="4", weight="medium"),
            rx.text("Answers come from your own data. Try one of these:", size="2", color=MUTED),
            rx.flex(
                rx.foreach(
                    items,
                    lambda q: rx.button(
                        q,
                        variant="outline",
                        on_click=on_pick(q),
                        min_height=TAP,
                        class_name="suggestion",
                        white_space="normal",
                        height="auto",
                        padding_y="8px",
                    ),
                ),
                wrap="wrap",
                gap="8px",
            ),
            spacing="2",
            padding_y="24px",
            width="100%",
        ),
    )


def composer(
    draft: rx.Var,
    on_change: rx.EventHandler,
    on_submit: rx.EventHandler,
    on_stop: rx.EventHandler,
    streaming: rx.Var,
    can_send: rx.Var,
) -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.text_area(
                value=draft,
                on_change=on_change,
                placeholder="Ask about sleep, HRV, training load, lifts… (Enter to send)",
                enter_key_submit=True,
                rows="2",
                max_length=8000,
                width="100%",
                size="3",
                id="chat-input",
                name="message",
                aria_label="Message",
            ),
            rx.cond(
                streaming,
                rx.button(
                    rx.icon("square", size=16),
                    "Stop",
                    type="button",
                    color_scheme="tomato",
                    on_click=on_stop,
                    min_height=TAP,
                    id="chat-stop",
                ),
                rx.button(
                    rx.icon("send", size=16),
                    "Send",
                    type="submit",
                    disabled=~can_send,
                    min_height=TAP,
                    id="chat-send",
                ),
            ),
            width="100%",
            align="end",
            spacing="2",
        ),
        on_submit=on_submit,
        width="100%",
    )


def rename_dialog(
    open_: rx.Var,
    title: rx.Var,
    error: rx.Var,
    on_change: rx.EventHandler,
    on_submit: rx.EventHandler,
    on_cancel: rx.EventHandler,
) -> rx.Component:
    """Rename a conversation: the title in a field, its error in words under it."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Rename conversation"),
            rx.form(
                rx.vstack(
                    rx.el.label("Title", html_for="rename-title", font_size="var(--font-size-2)"),
                    rx.input(
                        value=title,
                        on_change=on_change,
                        id="rename-title",
                        name="title",
                        max_length=120,
                        size="3",
                        min_height=TAP,
                        aria_describedby="rename-error",
                    ),
                    rx.cond(
                        error,
                        rx.text(
                            error,
                            size="1",
                            color=rx.color("tomato", 11),
                            id="rename-error",
                            role="alert",
                        ),
                    ),
                    rx.hstack(
                        rx.button(
                            "Cancel",
                            type="button",
                            variant="soft",
                            color_scheme="gray",
                            on_click=on_cancel,
                            min_height=TAP,
                        ),
                        rx.button("Save", type="submit", min_height=TAP, id="rename-save"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                    align="stretch",
                ),
                on_submit=on_submit,
            ),
            max_width="420px",
        ),
        open=open_,
        on_open_change=lambda _open: on_cancel,
    )


def history_dialog(
    open_: rx.Var, on_open_change: rx.EventHandler, conversations: rx.Component
) -> rx.Component:
    """Phones: the conversation list (open, rename, delete) in a dialog behind a History button."""
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.button(
                rx.icon("history", size=16),
                "History",
                variant="soft",
                color_scheme="gray",
                min_height=TAP,
                id="history-menu",
            )
        ),
        rx.dialog.content(
            rx.hstack(
                rx.dialog.title("Conversations", margin="0"),
                rx.spacer(),
                rx.dialog.close(
                    rx.icon_button(
                        rx.icon("x", size=18),
                        variant="ghost",
                        color_scheme="gray",
                        aria_label="Close",
                        min_width=TAP,
                        min_height=TAP,
                    )
                ),
                align="center",
                width="100%",
                margin_bottom="8px",
            ),
            conversations,
            max_height="80vh",
            overflow_y="auto",
        ),
        open=open_,
        on_open_change=on_open_change,
    )


def retry_bar(
    shown: rx.Var, offline_offered: rx.Var, on_retry: rx.EventSpec, on_offline: rx.EventSpec
) -> rx.Component:
    """Under an unanswered question: answer it again, or with the offline coach."""
    return rx.cond(
        shown,
        rx.hstack(
            rx.button(
                rx.icon("rotate-ccw", size=16),
                "Retry",
                on_click=on_retry,
                min_height=TAP,
                id="chat-retry",
            ),
            rx.cond(
                offline_offered,
                rx.button(
                    rx.icon("wifi-off", size=16),
                    "Answer with the offline coach",
                    variant="soft",
                    on_click=on_offline,
                    min_height=TAP,
                    id="chat-offline",
                ),
            ),
            wrap="wrap",
            spacing="2",
        ),
    )


def jump_to_latest() -> rx.Component:
    """Shown (by ``assets/chat.js``) when the reader scrolled up while an answer grows."""
    return rx.button(
        rx.icon("arrow-down", size=16),
        "Jump to latest",
        on_click=rx.call_script("window.cadenceJumpToLatest && window.cadenceJumpToLatest()"),
        id="jump-latest",
        type="button",
        radius="full",
        size="2",
        min_height=TAP,
        position="fixed",
        left="50%",
        transform="translateX(-50%)",
        bottom=[f"calc({BOTTOM_NAV_HEIGHT} + 110px)", None, "110px"],
        z_index="15",
        box_shadow="0 2px 8px rgba(0,0,0,.18)",
    )
