"""Admin panel pieces: the user table with search, sort and pages, and the shared LLM form."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from cadence.components.forms import callout, card, field, submit_button, text_input
from cadence.components.ui import MUTED, TAP

RowHandler = Callable[[rx.Var], object]  # returns an event spec


SORTS = (
    ("created", "Joined"),
    ("email", "Email"),
    ("name", "Name"),
    ("last_active", "Last active"),
)


def user_toolbar(
    *,
    query: rx.Var,
    sort: rx.Var,
    descending: rx.Var,
    on_search: rx.EventHandler,
    on_sort: rx.EventHandler,
    on_order: rx.EventHandler,
) -> rx.Component:
    """Search (in email and name, on Enter or the button) and the sort column and order."""
    return rx.flex(
        rx.form(
            rx.hstack(
                rx.input(
                    name="q",
                    default_value=query,
                    placeholder="Search email or name",
                    type="search",
                    aria_label="Search users",
                    id="admin-search",
                    size="3",
                    min_height=TAP,
                    flex="1",
                    min_width="0",
                ),
                rx.button(rx.icon("search", size=16), "Search", type="submit", min_height=TAP),
                width="100%",
            ),
            on_submit=on_search,
            flex="1",
            min_width="220px",
        ),
        rx.hstack(
            rx.select.root(
                rx.select.trigger(aria_label="Sort by", min_height=TAP),
                rx.select.content(*[rx.select.item(label, value=key) for key, label in SORTS]),
                value=sort,
                on_change=on_sort,
                size="3",
            ),
            rx.icon_button(
                rx.cond(
                    descending, rx.icon("arrow-down-wide-narrow"), rx.icon("arrow-up-narrow-wide")
                ),
                variant="soft",
                color_scheme="gray",
                on_click=on_order,
                aria_label=rx.cond(descending, "Sorted descending", "Sorted ascending"),
                min_width=TAP,
                min_height=TAP,
                id="admin-order",
            ),
            spacing="2",
        ),
        gap="8px",
        wrap="wrap",
        width="100%",
    )


def model_usage_card(rows: rx.Var) -> rx.Component:
    """Per model: answers, tokens and how many of the numbers it stated were in the data (one
    line a model, so a phone never has to scroll it sideways)."""

    def row(item: rx.Var) -> rx.Component:
        return rx.flex(
            rx.text(item.model_id, size="2", weight="medium", class_name="model-id"),
            rx.spacer(),
            rx.text(
                rx.text.strong(item.faithfulness),
                " faithful · ",
                item.checked,
                " verified · ",
                item.answers,
                " · ",
                item.tokens,
                size="2",
                color=MUTED,
            ),
            wrap="wrap",
            gap="4px 12px",
            width="100%",
            class_name="model-usage",
        )

    return card(
        rx.heading("Usage by model", size="4"),
        rx.text(
            "Faithfulness: the share of the numbers a model stated as data that were found in "
            "the tool results (advice is not counted).",
            size="2",
            color=MUTED,
        ),
        rx.cond(
            rows.length() > 0,
            rx.vstack(rx.foreach(rows, row), spacing="2", width="100%"),
            rx.text("No answers yet.", size="2"),
        ),
    )


def _actions(
    row: rx.Var, *, on_toggle_active: RowHandler, on_toggle_admin: RowHandler, busy: rx.Var
) -> rx.Component:
    """Disable/enable and admin rights; never on one's own account (no way to lock oneself out)."""
    is_busy = busy == row.id.to_string()
    return rx.cond(
        row.is_self,
        rx.badge("You", color_scheme="gray", variant="soft"),
        rx.hstack(
            rx.button(
                rx.cond(row.is_active, "Disable", "Enable"),
                color_scheme=rx.cond(row.is_active, "tomato", "green"),
                variant="soft",
                size="2",
                min_height=TAP,
                loading=is_busy,
                on_click=on_toggle_active(row),
            ),
            rx.button(
                rx.cond(row.is_admin, "Remove admin", "Make admin"),
                variant="outline",
                size="2",
                min_height=TAP,
                loading=is_busy,
                on_click=on_toggle_admin(row),
            ),
            spacing="2",
            wrap="nowrap",
        ),
    )


def user_table(
    rows: rx.Var,
    *,
    on_toggle_active: RowHandler,
    on_toggle_admin: RowHandler,
    busy: rx.Var,
) -> rx.Component:
    """One page of accounts; the table scrolls sideways inside its box on phones."""

    def row(item: rx.Var) -> rx.Component:
        return rx.table.row(
            rx.table.row_header_cell(
                rx.vstack(
                    rx.link(  # a focusable control in every row (keyboard users scroll the table)
                        item.email,
                        href="mailto:" + item.email,
                        weight="medium",
                        class_name="admin-email",
                        white_space="nowrap",
                    ),
                    rx.hstack(
                        rx.text(item.display_name, size="1", color=MUTED),
                        rx.cond(item.is_admin, rx.badge("admin", color_scheme="teal")),
                        rx.cond(~item.is_active, rx.badge("disabled", color_scheme="tomato")),
                        spacing="1",
                        align="center",
                    ),
                    spacing="0",
                ),
            ),
            rx.table.cell(item.created_at, white_space="nowrap"),
            rx.table.cell(item.last_active_at, white_space="nowrap"),
            rx.table.cell(item.workouts, text_align="right"),
            rx.table.cell(item.devices, text_align="right"),
            rx.table.cell(item.chat_messages, text_align="right"),
            rx.table.cell(item.chat_tokens, text_align="right"),
            rx.table.cell(item.chat_tokens_today, text_align="right"),
            rx.table.cell(
                _actions(
                    item,
                    on_toggle_active=on_toggle_active,
                    on_toggle_admin=on_toggle_admin,
                    busy=busy,
                )
            ),
            align="center",
            class_name="admin-user",
        )

    head = [
        ("Account", "left"),
        ("Joined", "left"),
        ("Last active", "left"),
        ("Workouts", "right"),
        ("Devices", "right"),
        ("Messages", "right"),
        ("Tokens", "right"),
        ("Tokens today", "right"),
        ("", "left"),
    ]
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(
                            label or rx.el.span("Actions", class_name="sr-only"),
                            text_align=align,
                            white_space="nowrap",
                        )
                        for label, align in head
                    ]
                )
            ),
            rx.table.body(rx.foreach(rows, row)),
            variant="surface",
            size="2",
            width="100%",
        ),
        width="100%",
        overflow_x="auto",
        id="admin-users",
    )


def llm_card(
    *,
    has_api_key: rx.Var,
    api_key_last4: rx.Var,
    base_url: rx.Var,
    models_text: rx.Var,
    budget_text: rx.Var,
    error: rx.Var,
    message: rx.Var,
    saving: rx.Var,
    on_base_url: rx.EventHandler,
    on_models: rx.EventHandler,
    on_submit: rx.EventHandler,
    on_remove_key: rx.EventHandler,
) -> rx.Component:
    """The shared key (write-only: only its last four characters are shown) and the models."""
    return card(
        rx.text(
            "Used for every user who has not set their own key, for the models listed below "
            "only. Stored encrypted; it is never shown again after saving.",
            size="2",
            color=MUTED,
        ),
        rx.text(budget_text, size="2", color=MUTED, id="admin_token_budget"),
        callout(error),
        callout(message, kind="success"),
        rx.hstack(
            rx.cond(
                has_api_key,
                rx.badge("Key set, ending in " + api_key_last4.to(str), color_scheme="green"),
                rx.badge("No shared key: chats use the offline coach", color_scheme="gray"),
            ),
            rx.cond(
                has_api_key,
                rx.button(
                    "Remove key",
                    variant="ghost",
                    color_scheme="tomato",
                    min_height=TAP,
                    on_click=on_remove_key,
                ),
            ),
            align="center",
            wrap="wrap",
        ),
        rx.form(
            rx.vstack(
                field(
                    "New API key",
                    text_input(
                        "api_key",
                        type="password",
                        auto_complete="off",
                        placeholder="Leave empty to keep the current key",
                        id="admin_api_key",
                    ),
                ),
                field(
                    "Provider base URL",
                    text_input(
                        "base_url",
                        type="url",
                        input_mode="url",
                        value=base_url,
                        on_change=on_base_url,
                        id="admin_base_url",
                    ),
                    hint="Any OpenAI-compatible endpoint (OpenRouter, OpenAI, Ollama...).",
                ),
                field(
                    "Offered models (one per line)",
                    rx.text_area(
                        value=models_text,
                        on_change=on_models,
                        rows="5",
                        width="100%",
                        size="3",
                        name="models",
                        id="admin_models",
                    ),
                ),
                submit_button("Save LLM settings", loading=saving),
                spacing="3",
                width="100%",
            ),
            on_submit=on_submit,
            reset_on_submit=True,
        ),
        title="Shared LLM key and models",
    )
