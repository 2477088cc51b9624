"""Reflex configuration from Cadence's settings (see README): the port (CADENCE_PORT), the
listening address (CADENCE_HOST, 127.0.0.1 unless set: a fresh install is not reachable from the
network) and the CORS allow-list (CADENCE_CORS_ORIGINS)."""

import reflex as rx
from reflex.plugins import SitemapPlugin

from cadence.config import get_settings, parse_cors_origins

settings = get_settings()

config = rx.Config(
    app_name="cadence",
    frontend_port=settings.port,
    backend_port=settings.port,
    backend_host=settings.host,
    # Cross-origin pages get no CORS grant unless listed (Reflex's default is "*" with
    # credentials); the same list is all the websocket accepts besides its own origin.
    cors_allowed_origins=parse_cors_origins(settings.cors_origins),
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
    redis_url=settings.redis_url,
)
