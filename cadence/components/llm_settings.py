"""Settings → LLM key card: the key is write-only (only its last four characters are shown)."""

from __future__ import annotations

import reflex as rx

from cadence.components.forms import callout, card, field
from cadence.components.ui import MUTED, TAP


def llm_key_card(
    *,
    has_api_key: rx.Var,
    api_key_last4: rx.Var,
    base_url: rx.Var,
    key_on_hold: rx.Var,
    key_input: rx.Var,
    default_model_id: rx.Var,
    message: rx.Var,
    error: rx.Var,
    saving: rx.Var,
    on_key_change: rx.EventHandler,
    on_model_change: rx.EventHandler,
    on_save: rx.EventHandler,
    on_remove: rx.EventHandler,
) -> rx.Component:
    return card(
        rx.text(
            "Use any OpenAI-compatible provider (OpenRouter, OpenAI, a local Ollama…). Without "
            "a key the offline coach answers the common questions from your data.",
            size="2",
            color=MUTED,
        ),
        callout(error),
        callout(message, kind="success"),
        rx.text(
            "Your key is sent to ",
            rx.code(base_url),
            " (chosen by the administrator) and nowhere else.",
            size="2",
            id="llm-base-url",
            style={"overflow_wrap": "anywhere"},
        ),
        callout(
            rx.cond(
                key_on_hold,
                "The administrator changed where chats are sent since you saved your key, so "
                "it is not used: save it again to send it to the address above, or remove it.",
                "",
            )
        ),
        rx.cond(
            has_api_key,
            rx.hstack(
                rx.badge("Key saved", color_scheme="teal"),
                rx.text("ends in …" + api_key_last4, size="2", id="llm-key-last4"),
                rx.spacer(),
                rx.button(
                    "Remove key",
                    variant="soft",
                    color_scheme="tomato",
                    on_click=on_remove,
                    min_height=TAP,
                    id="llm-remove-key",
                ),
                align="center",
                width="100%",
                wrap="wrap",
            ),
            rx.text("No key saved.", size="2", color=rx.color("gray", 10)),
        ),
        field(
            rx.cond(has_api_key, "Replace API key", "API key"),
            rx.input(
                value=key_input,
                on_change=on_key_change,
                type="password",
                auto_complete="off",
                placeholder="sk-…",
                size="3",
                width="100%",
                min_height=TAP,
                id="llm-api-key",
            ),
            hint="Stored encrypted; it is never shown again.",
        ),
        field(
            "Default model",
            rx.input(
                value=default_model_id,
                on_change=on_model_change,
                placeholder="e.g. anthropic/claude-sonnet-4-5-20250929",
                size="3",
                width="100%",
                min_height=TAP,
                id="llm-default-model",
            ),
            hint="Optional: the model the chat starts with when your key is set.",
        ),
        rx.button(
            "Save LLM settings",
            on_click=on_save,
            loading=saving,
            size="3",
            min_height=TAP,
            id="llm-save",
        ),
        title="LLM key",
    )
