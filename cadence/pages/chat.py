"""/chat — the coaching chat: conversations, streaming answers, tool chips, inline charts."""

import reflex as rx

from cadence import routes
from cadence.components.chat import (
    composer,
    conversation_list,
    history_dialog,
    jump_to_latest,
    message_bubble,
    model_picker,
    rename_dialog,
    retry_bar,
    suggestions,
)
from cadence.components.forms import callout
from cadence.components.ui import BOTTOM_NAV_HEIGHT, DESKTOP, MOBILE
from cadence.models.chat import OFFLINE_MODEL_ID
from cadence.pages.shell import protected
from cadence.states.auth import AuthState
from cadence.states.chat import ChatState

ROUTE = routes.CHAT
TITLE = "Coach"
ON_LOAD = [AuthState.require_login, ChatState.load]


def _conversations() -> rx.Component:
    return conversation_list(
        ChatState.conversations,
        ChatState.conversation_id,
        ChatState.open_conversation,
        ChatState.delete_conversation,
        ChatState.new_conversation,
        ChatState.start_rename,
    )


def page() -> rx.Component:
    sidebar = rx.box(
        _conversations(),
        width="260px",
        flex_shrink="0",
        display=DESKTOP,
        padding_right="16px",
        border_right=f"1px solid {rx.color('gray', 4)}",
        position="sticky",
        top="76px",
        max_height="calc(100vh - 92px)",
        overflow_y="auto",
    )
    toolbar = rx.hstack(
        rx.box(
            history_dialog(ChatState.history_open, ChatState.set_history_open, _conversations()),
            display=MOBILE,
        ),
        model_picker(ChatState.models, ChatState.model_id, ChatState.set_model),
        rx.spacer(),
        width="100%",
        align="center",
        wrap="wrap",
        spacing="2",
    )
    thread = rx.vstack(
        suggestions(ChatState.suggestions, ChatState.ask),
        rx.foreach(
            ChatState.messages,
            lambda message: message_bubble(
                message,
                ChatState.confirm_action,
                ChatState.cancel_action,
                ChatState.streaming | ChatState.acting,
            ),
        ),
        spacing="3",
        width="100%",
        id="chat-messages",
        aria_live="polite",
    )
    main = rx.vstack(
        toolbar,
        thread,
        callout(ChatState.error),
        retry_bar(
            ChatState.can_retry,
            ChatState.offline_offered,
            ChatState.retry(""),
            ChatState.retry(OFFLINE_MODEL_ID),
        ),
        jump_to_latest(),
        rx.box(
            composer(
                ChatState.draft,
                ChatState.set_draft,
                ChatState.submit,
                ChatState.stop,
                ChatState.streaming,
                ChatState.can_send,
            ),
            id="chat-composer",
            position="sticky",
            bottom=[f"calc({BOTTOM_NAV_HEIGHT} + env(safe-area-inset-bottom))", None, "0"],
            width="100%",
            padding_y="8px",
            background=rx.color("gray", 1),
            z_index="5",
        ),
        spacing="3",
        width="100%",
        min_width="0",
    )
    return protected(
        rx.hstack(sidebar, main, spacing="4", width="100%", align="start"),
        rename_dialog(
            ChatState.rename_id > 0,
            ChatState.rename_title,
            ChatState.rename_error,
            ChatState.set_rename_title,
            ChatState.save_rename,
            ChatState.cancel_rename,
        ),
        title=TITLE,
    )
