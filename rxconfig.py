"""Reflex configuration. The port comes from CADENCE_PORT (see README)."""

import os

import reflex as rx
from reflex.plugins import SitemapPlugin

PORT = int(os.environ.get("CADENCE_PORT", "8000"))

config = rx.Config(
    app_name="cadence",
    frontend_port=PORT,
    backend_port=PORT,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(
                appearance="inherit", accent_color="teal", gray_color="slate", radius="large"
            )
        )
    ],
    disable_plugins=[SitemapPlugin],
    # One Redis for everything shared: Reflex's UI state and Cadence's task queue.
    # (REFLEX_REDIS_URL, when set, wins for Reflex.)
    redis_url=os.environ.get("CADENCE_REDIS_URL") or None,
)
