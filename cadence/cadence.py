"""Composition root: the Reflex app, every page, and the REST API mounted on its backend."""

import reflex as rx

from cadence.api.app import create_api
from cadence.components.pwa import pwa_head
from cadence.config import get_settings
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
    settings,
    signup,
    workout_detail,
    workout_form,
    workouts,
)
from cadence.services.devices.scheduler import background_sync

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
]

app = rx.App(
    api_transformer=create_api(),
    head_components=[
        rx.el.meta(
            name="viewport", content="width=device-width, initial-scale=1, viewport-fit=cover"
        ),
        *pwa_head(),
    ],
)
for module in PAGES:
    app.add_page(
        module.page, route=module.ROUTE, title=f"{module.TITLE} · Cadence", on_load=module.ON_LOAD
    )

if get_settings().device_sync_scheduler:  # every app process runs one; a lease per connection
    app.register_lifespan_task(background_sync, session_factory=session_scope)
