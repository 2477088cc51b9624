"""/devices — connect Garmin, WHOOP or Strava, sync, see each device's state; import files or
load demo data."""

import reflex as rx

from cadence import routes
from cadence.components.devices import GarminErrors, devices_section
from cadence.components.ui import MUTED
from cadence.pages.imports_panel import imports_panel
from cadence.pages.shell import protected
from cadence.states.auth import AuthState
from cadence.states.devices import DevicesState as S

ROUTE = routes.DEVICES
TITLE = "Devices"
ON_LOAD = [AuthState.require_login, S.load]


def page() -> rx.Component:
    return protected(
        rx.vstack(
            rx.text(
                "Connected devices sync in the background every few hours; "
                "tap Sync now for fresh data.",
                size="2",
                color=MUTED,
            ),
            devices_section(
                S.devices,
                loaded=S.loaded,
                message=S.message,
                error=S.error,
                busy=S.busy,
                garmin_errors=GarminErrors(
                    email=S.garmin_email_error, password=S.garmin_password_error
                ),
                on_garmin_submit=S.connect_garmin,
                on_connect=S.connect_oauth,
                on_sync=S.sync_now,
                on_disconnect=S.disconnect,
            ),
            imports_panel(),
            spacing="4",
            width="100%",
            max_width="720px",
        ),
        title=TITLE,
    )
