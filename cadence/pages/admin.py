"""/admin: users (a searchable, sortable table, paged in the database) and, in their own tab,
the shared LLM settings. Admins only; everyone else sees the 404 message and receives no data."""

import reflex as rx

from cadence import routes
from cadence.components.admin import llm_card, model_usage_card, user_table, user_toolbar
from cadence.components.forms import callout, pager
from cadence.components.layout import not_found_message
from cadence.components.ui import TAP
from cadence.pages.shell import protected
from cadence.states.admin import AdminState
from cadence.states.auth import AuthState

ROUTE = routes.ADMIN
TITLE = "Admin"
ON_LOAD = [AuthState.require_login, AdminState.load]


def _users() -> rx.Component:
    return rx.vstack(
        user_toolbar(
            query=AdminState.query,
            sort=AdminState.sort,
            descending=AdminState.descending,
            on_search=AdminState.search,
            on_sort=AdminState.set_sort,
            on_order=AdminState.toggle_order,
        ),
        callout(AdminState.error),
        callout(AdminState.message, kind="success"),
        rx.cond(
            AdminState.total > 0,
            user_table(
                AdminState.users,
                on_toggle_active=lambda r: AdminState.set_active(r.id, ~r.is_active),
                on_toggle_admin=lambda r: AdminState.set_admin(r.id, ~r.is_admin),
                busy=AdminState.busy,
            ),
            rx.text("No account matches this search.", id="admin-empty"),
        ),
        pager(
            label=AdminState.count_label,
            page=AdminState.page,
            pages=AdminState.pages,
            on_page=AdminState.go_to_page,
            id_prefix="admin",
        ),
        spacing="3",
        width="100%",
    )


def _llm() -> rx.Component:
    return llm_card(
        has_api_key=AdminState.has_api_key,
        api_key_last4=AdminState.api_key_last4,
        base_url=AdminState.base_url,
        models_text=AdminState.models_text,
        budget_text=AdminState.budget_text,
        error=AdminState.llm_error,
        message=AdminState.llm_message,
        saving=AdminState.busy == "llm",
        on_base_url=AdminState.set_base_url,
        on_models=AdminState.set_models_text,
        on_submit=AdminState.save_llm,
        on_remove_key=AdminState.remove_key,
    )


def page() -> rx.Component:
    return protected(
        rx.cond(
            AdminState.denied | ~AuthState.is_admin,
            not_found_message(routes.DASHBOARD, "Back to the dashboard"),
            rx.cond(
                AdminState.loaded,
                rx.tabs.root(
                    rx.tabs.list(
                        rx.tabs.trigger("Users", value="users", min_height=TAP),
                        rx.tabs.trigger("LLM settings", value="llm", min_height=TAP, id="tab-llm"),
                    ),
                    rx.tabs.content(
                        rx.vstack(
                            _users(), model_usage_card(AdminState.models_usage), width="100%"
                        ),
                        value="users",
                        padding_top="16px",
                    ),
                    rx.tabs.content(_llm(), value="llm", padding_top="16px"),
                    default_value="users",
                    width="100%",
                ),
                rx.center(rx.spinner(), padding="48px"),
            ),
        ),
        title=TITLE,
    )
