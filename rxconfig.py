"""Reflex configuration. The port and Redis come from Cadence's settings (see README)."""

import reflex as rx
from reflex.plugins import SitemapPlugin

from cadence.config import get_settings

settings = get_settings()

config = rx.Config(
    app_name="cadence",
    frontend_port=settings.port,
    backend_port=settings.port,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(
                appearance="light", accent_color="teal", gray_color="slate", radius="large"
            )
        )
    ],
    disable_plugins=[SitemapPlugin],
    # One Redis for everything shared: Reflex's UI state and Cadence's task queue.
    # (REFLEX_REDIS_URL, when set, wins for Reflex.)
    redis_url=settings.redis_url,
)
