"""/admin: users (usage, disable/enable, admin rights) and the shared LLM key. Admins only;
everyone else sees a 404 and receives no data."""

import reflex as rx

from cadence import routes
from cadence.components.admin import llm_card, not_found, user_card
from cadence.components.forms import callout
from cadence.pages.shell import protected
from cadence.states.admin import AdminState
from cadence.states.auth import AuthState

ROUTE = routes.ADMIN
TITLE = "Admin"
ON_LOAD = [AuthState.require_login, AdminState.load]


def _users() -> rx.Component:
    return rx.vstack(
        rx.heading("Users", size="4"),
        callout(AdminState.error),
        callout(AdminState.message, kind="success"),
        rx.foreach(
            AdminState.users,
            lambda row: user_card(
                row,
                on_toggle_active=lambda r: AdminState.set_active(r["id"], ~r["is_active"].to(bool)),
                on_toggle_admin=lambda r: AdminState.set_admin(r["id"], ~r["is_admin"].to(bool)),
                busy=AdminState.busy,
            ),
        ),
        spacing="3",
        width="100%",
    )


def page() -> rx.Component:
    return protected(
        rx.cond(
            AdminState.denied | ~AuthState.is_admin,
            not_found(),
            rx.cond(
                AdminState.loaded,
                rx.vstack(
                    _users(),
                    llm_card(
                        has_api_key=AdminState.has_api_key,
                        api_key_last4=AdminState.api_key_last4,
                        base_url=AdminState.base_url,
                        models_text=AdminState.models_text,
                        error=AdminState.llm_error,
                        message=AdminState.llm_message,
                        saving=AdminState.busy == "llm",
                        on_base_url=AdminState.set_base_url,
                        on_models=AdminState.set_models_text,
                        on_submit=AdminState.save_llm,
                        on_remove_key=AdminState.remove_key,
                    ),
                    spacing="5",
                    width="100%",
                    max_width="900px",
                ),
                rx.center(rx.spinner(), padding="48px"),
            ),
        ),
        title=TITLE,
    )
