"""Composition root: the Reflex app, every page, and the REST API mounted on its backend."""

import asyncio

import reflex as rx
from reflex.utils.exec import is_prod_mode

from cadence.api import pool
from cadence.api.app import create_api
from cadence.components.connection import overlay
from cadence.components.pwa import pwa_head
from cadence.db import session_scope
from cadence.pages import (
    activities,
    activity_detail,
    admin,
    chat,
    dashboard,
    devices,
    exercises,
    login,
    not_found,
    settings,
    signup,
    workout_detail,
    workout_form,
    workouts,
)
from cadence.services import auth
from cadence.states.failures import backend_exception_handler
from cadence.worker import embedded_worker

PAGES = [
    login,
    signup,
    dashboard,
    workouts,
    workout_form,
    workout_detail,
    exercises,
    activities,
    activity_detail,
    chat,
    devices,
    settings,
    admin,
    not_found,
]

api = create_api()
api.add_middleware(pool.PoolProxyMiddleware)  # /api/v1 to the API's own processes (prod)

app = rx.App(
    api_transformer=api,
    backend_exception_handler=backend_exception_handler,
    head_components=[
        rx.el.meta(
            name="viewport",
            # resizes-content: the on-screen keyboard shrinks the page, so the pinned chat
            # composer stays above it
            content="width=device-width, initial-scale=1, viewport-fit=cover, "
            "interactive-widget=resizes-content",
        ),
        rx.el.script(src="/chat.js", defer=True),
        *pwa_head(),
    ],
    stylesheets=["/theme.css"],
)
# "Reconnecting…" in words instead of Reflex's websocket-error toast (components/connection.py)
app.app_wraps[(5, "Overlay")] = overlay
for module in PAGES:
    app.add_page(
        module.page, route=module.ROUTE, title=f"{module.TITLE} · Cadence", on_load=module.ON_LOAD
    )

# Reflex runs its own lifespan, not the mounted API's: the queue worker starts here (each app
# process, unless CADENCE_WORKER=false).
app.register_lifespan_task(embedded_worker)


def _setup_notice() -> str | None:
    with session_scope() as session:
        return auth.setup_notice(session=session)


async def announce_setup_code() -> None:
    """While the install has no admin, print the setup code on the server's console."""
    notice = await asyncio.to_thread(_setup_notice)
    if notice:
        print(notice, flush=True)


app.register_lifespan_task(announce_setup_code)
app.register_lifespan_task(pool.run_pool, enabled=is_prod_mode())
