"""Reflex configuration. The port comes from CADENCE_PORT, the listening address from
CADENCE_HOST (127.0.0.1 unless set: a fresh install is not reachable from the network)."""

import os

import reflex as rx
from reflex.plugins import SitemapPlugin

from cadence.config import parse_cors_origins

PORT = int(os.environ.get("CADENCE_PORT", "8000"))
HOST = os.environ.get("CADENCE_HOST") or "127.0.0.1"

config = rx.Config(
    app_name="cadence",
    frontend_port=PORT,
    backend_port=PORT,
    backend_host=HOST,
    # Cross-origin pages get no CORS grant unless listed (Reflex's default is "*" with
    # credentials); the same list is all the websocket accepts besides its own origin.
    cors_allowed_origins=parse_cors_origins(os.environ.get("CADENCE_CORS_ORIGINS", "")),
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
    redis_url=os.environ.get("CADENCE_REDIS_URL") or None,
)
