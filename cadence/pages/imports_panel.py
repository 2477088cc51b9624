"""The import card wired to ``ImportsState``, for the Devices page to place (not a route)."""

from __future__ import annotations

import reflex as rx

from cadence.components.exercises import mapping_card
from cadence.components.forms import callout
from cadence.components.imports import UPLOAD_ID, import_card
from cadence.states.imports import ImportsState
from cadence.states.mappings import ExerciseMappingState as M


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
        mappings=rx.fragment(
            callout(M.mapping_error),
            mapping_card(
                M.pending, notice=M.mapping_notice, on_confirm=M.confirm, on_next=M.next_choice
            ),
        ),
    )
