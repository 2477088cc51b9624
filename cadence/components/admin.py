"""Admin panel pieces: a user card (stacks on phones) and the shared LLM key form."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from cadence.components.forms import callout, card, field, submit_button, text_input

RowHandler = Callable[[rx.Var], object]  # returns an event spec


def _stat(label: str, value: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.text(value, size="4", weight="bold"),
        rx.text(label, size="1", color=rx.color("gray", 10)),
        spacing="0",
        align="center",
        min_width="0",
    )


def user_card(
    row: rx.Var,
    *,
    on_toggle_active: RowHandler,
    on_toggle_admin: RowHandler,
    busy: rx.Var,
) -> rx.Component:
    """One account: email, badges, usage figures, and the enable/disable and admin buttons."""
    is_busy = busy == row["id"].to_string()
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.text(row["email"], weight="bold", size="3", class_name="admin-email"),
                    rx.text(
                        row["display_name"].to(str)
                        + " · joined "
                        + row["created_at"].to(str)
                        + " · last active "
                        + row["last_active_at"].to(str),
                        size="1",
                        color=rx.color("gray", 10),
                    ),
                    spacing="1",
                    min_width="0",
                    style={"overflow_wrap": "anywhere"},
                ),
                rx.spacer(),
                rx.cond(row["is_admin"], rx.badge("admin", color_scheme="teal")),
                rx.cond(~row["is_active"].to(bool), rx.badge("disabled", color_scheme="tomato")),
                width="100%",
                align="start",
                wrap="wrap",
            ),
            rx.grid(
                _stat("workouts", row["workouts"]),
                _stat("devices", row["devices"]),
                _stat("chats", row["conversations"]),
                _stat("messages", row["chat_messages"]),
                _stat("tokens", row["chat_tokens"]),
                columns="5",
                spacing="1",
                width="100%",
                max_width="420px",
            ),
            rx.hstack(
                rx.button(
                    rx.cond(row["is_active"], "Disable", "Enable"),
                    color_scheme=rx.cond(row["is_active"], "tomato", "green"),
                    variant="soft",
                    min_height="44px",
                    loading=is_busy,
                    on_click=on_toggle_active(row),
                ),
                rx.button(
                    rx.cond(row["is_admin"], "Remove admin", "Make admin"),
                    variant="outline",
                    min_height="44px",
                    loading=is_busy,
                    on_click=on_toggle_admin(row),
                ),
                wrap="wrap",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def llm_card(
    *,
    has_api_key: rx.Var,
    api_key_last4: rx.Var,
    base_url: rx.Var,
    models_text: rx.Var,
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
            "Used for every user who has not set their own key. Stored encrypted; it is never "
            "shown again after saving.",
            size="2",
            color=rx.color("gray", 11),
        ),
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
                    min_height="44px",
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
                        id="admin_models",
                        name="models",
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


def not_found() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.heading("404", size="8"),
            rx.text("This page could not be found."),
            rx.link("Back to the dashboard", href="/"),
            align="center",
        ),
        padding_y="64px",
        width="100%",
    )
