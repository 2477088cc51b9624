"""A calm "Reconnecting…" banner in place of Reflex's websocket-error toast.

Reflex's own overlay shows ``Cannot connect to server: websocket error ws://…/_event`` in a toast
over the page. This banner says the same in words, sits above the header's centre and lets every
click through (``pointer-events: none``), so no button is covered while the socket reconnects.
"""

from __future__ import annotations

import reflex as rx
from reflex.components.core.banner import has_connection_errors

from cadence.components.ui import MUTED


@rx.memo
def reconnecting_banner() -> rx.Component:
    return rx.cond(
        has_connection_errors,
        rx.hstack(
            rx.spinner(size="1"),
            rx.text("Reconnecting…", size="2", color=MUTED),
            id="reconnecting",
            role="status",
            aria_live="polite",
            align="center",
            spacing="2",
            position="fixed",
            top="max(8px, env(safe-area-inset-top))",
            left="50%",
            transform="translateX(-50%)",
            padding="4px 12px",
            border_radius="999px",
            background=rx.color("gray", 2),
            border=f"1px solid {rx.color('gray', 6)}",
            box_shadow="0 1px 4px rgba(0,0,0,.12)",
            pointer_events="none",
            z_index="100",
        ),
    )


def overlay(stateful: bool) -> rx.Component | None:
    """``rx.App.app_wraps`` entry replacing Reflex's connection overlay (stateful apps only):
    a fragment, because an app wrap holds the whole app as its children."""
    return rx.fragment(reconnecting_banner()) if stateful else None
