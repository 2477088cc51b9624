"""/chat — the coaching chat: conversations, streaming answers, tool chips, inline charts."""

import reflex as rx

from cadence import routes
from cadence.components.chat import (
    composer,
    conversation_list,
    message_bubble,
    model_picker,
    suggestions,
)
from cadence.components.forms import callout
from cadence.components.ui import BOTTOM_NAV_HEIGHT, DESKTOP, MOBILE
from cadence.pages.shell import protected
from cadence.states.auth import AuthState
from cadence.states.chat import ChatState

ROUTE = routes.CHAT
TITLE = "Coach"
ON_LOAD = [AuthState.require_login, ChatState.load]


def _history_menu() -> rx.Component:
    """Phones: the conversation list in a menu."""
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.icon("history", size=16),
                "History",
                variant="soft",
                color_scheme="gray",
                min_height="44px",
                id="history-menu",
            )
        ),
        rx.menu.content(
            rx.menu.item("New chat", on_click=ChatState.new_conversation),
            rx.menu.separator(),
            rx.foreach(
                ChatState.conversations,
                lambda c: rx.menu.item(
                    c.title, on_click=ChatState.open_conversation(c.id), max_width="80vw"
                ),
            ),
        ),
    )


def page() -> rx.Component:
    sidebar = rx.box(
        conversation_list(
            ChatState.conversations,
            ChatState.conversation_id,
            ChatState.open_conversation,
            ChatState.delete_conversation,
            ChatState.new_conversation,
        ),
        width="260px",
        flex_shrink="0",
        display=DESKTOP,
        padding_right="16px",
        border_right=f"1px solid {rx.color('gray', 4)}",
    )
    toolbar = rx.hstack(
        rx.box(_history_menu(), display=MOBILE),
        model_picker(ChatState.models, ChatState.model_id, ChatState.set_model),
        rx.spacer(),
        width="100%",
        align="center",
        wrap="wrap",
        spacing="2",
    )
    thread = rx.vstack(
        suggestions(ChatState.suggestions, ChatState.ask),
        rx.foreach(ChatState.messages, message_bubble),
        spacing="3",
        width="100%",
        id="chat-messages",
        aria_live="polite",
    )
    main = rx.vstack(
        toolbar,
        callout(ChatState.error),
        thread,
        rx.box(
            composer(
                ChatState.draft,
                ChatState.set_draft,
                ChatState.submit,
                ChatState.stop,
                ChatState.streaming,
                ChatState.can_send,
            ),
            position="sticky",
            bottom=[f"calc({BOTTOM_NAV_HEIGHT} + 4px)", None, "0"],
            width="100%",
            padding_y="8px",
            background=rx.color("gray", 1),
        ),
        spacing="3",
        width="100%",
        min_width="0",
    )
    return protected(
        rx.hstack(sidebar, main, spacing="4", width="100%", align="start"),
        title=TITLE,
    )
