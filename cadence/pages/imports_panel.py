"""The import card wired to ``ImportsState``, for the Devices page to place (not a route)."""

from __future__ import annotations

import reflex as rx

from cadence.components.imports import UPLOAD_ID, import_card
from cadence.states.imports import ImportsState


def imports_panel() -> rx.Component:
    return import_card(
        on_import=ImportsState.upload(
            rx.upload_files(
                upload_id=UPLOAD_ID,
                # /_upload accepts only a signed-in browser (api.middleware), before the body
                extra_headers={"Authorization": "Bearer " + ImportsState.token},
            )
        ),
        status=ImportsState.status,
        progress=ImportsState.progress,
        summary=ImportsState.summary,
        errors=ImportsState.errors,
        imported=ImportsState.imported,
        importing=ImportsState.importing,
        upload_error=ImportsState.upload_error,
        on_demo=ImportsState.load_demo,
        demo_loading=ImportsState.demo_loading,
        demo_message=ImportsState.demo_message,
        demo_error=ImportsState.demo_error,
        weight_unit=ImportsState.weight_unit,
        on_weight_unit=ImportsState.set_weight_unit,
    )
