"""The Settings page's data-ownership cards, wired to ``AccountDataState``."""

import reflex as rx

from cadence.components.account_data import danger_zone_card, export_card
from cadence.states.account_data import AccountDataState


def data_ownership_cards() -> list[rx.Component]:
    return [
        export_card(
            on_export=AccountDataState.download_export,
            exporting=AccountDataState.exporting,
            error=AccountDataState.export_error,
        ),
        danger_zone_card(
            is_open=AccountDataState.delete_open,
            on_open_change=AccountDataState.set_delete_open,
            on_submit=AccountDataState.delete_account,
            deleting=AccountDataState.deleting,
            error=AccountDataState.delete_error,
            password_error=AccountDataState.delete_password_error,
            confirm_error=AccountDataState.delete_confirm_error,
        ),
    ]
