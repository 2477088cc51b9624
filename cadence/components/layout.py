"""The authenticated app shell: sidebar on desktop, bottom navigation under 768 px."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx
from reflex.style import color_mode, set_color_mode

from cadence import routes
from cadence.components.pwa import install_button
from cadence.components.ui import ACCENT, BOTTOM_NAV_HEIGHT, DESKTOP, MOBILE, MUTED, TAP


@dataclass(frozen=True)
class NavItem:
    label: str
    route: str
    icon: str  # a lucide icon name
    admin_only: bool = False  # rendered only when app_shell(show_admin=...) is true
    in_phone_bar: bool = True  # False: on phones it sits in the account menu instead


NAV_ITEMS: list[NavItem] = [
    NavItem("Dashboard", routes.DASHBOARD, "layout-dashboard"),
    NavItem("Workouts", routes.WORKOUTS, "dumbbell"),
    NavItem("Exercises", routes.EXERCISES, "trending-up"),
    NavItem("Activities", routes.ACTIVITIES, "route"),
    NavItem("Coach", routes.CHAT, "message-circle"),
    NavItem("Devices", routes.DEVICES, "watch", in_phone_bar=False),
    NavItem("Settings", routes.SETTINGS, "settings", in_phone_bar=False),
    NavItem("Admin", routes.ADMIN, "shield", admin_only=True, in_phone_bar=False),
]


def _nav_links(render, current_path: rx.Var, show_admin: rx.Var | bool) -> list[rx.Component]:
    """One link per nav item; admin-only items are wrapped in ``rx.cond(show_admin, ...)``."""
    return [
        rx.cond(show_admin, render(item, current_path))
        if item.admin_only
        else render(item, current_path)
        for item in NAV_ITEMS
    ]


def _is_current(route: str, current_path: rx.Var) -> rx.Var:
    if route == "/":
        return current_path == "/"
    return current_path.to(str).startswith(route)


def _sidebar_link(item: NavItem, current_path: rx.Var) -> rx.Component:
    active = _is_current(item.route, current_path)
    return rx.link(
        rx.hstack(rx.icon(item.icon, size=18), rx.text(item.label, size="3"), spacing="3"),
        href=item.route,
        underline="none",
        padding_x="12px",
        padding_y="10px",
        border_radius="8px",
        min_height=TAP,
        display="flex",
        align_items="center",
        color=rx.cond(active, rx.color(ACCENT, 11), MUTED),
        background=rx.cond(active, rx.color(ACCENT, 3), "transparent"),
        _hover={"background": rx.color("gray", 3)},
        aria_current=rx.cond(active, "page", "false"),
    )


def _bottom_link(item: NavItem, current_path: rx.Var) -> rx.Component:
    active = _is_current(item.route, current_path)
    return rx.link(
        rx.vstack(
            rx.icon(item.icon, size=20),
            rx.text(item.label, size="1"),
            spacing="1",
            align="center",
        ),
        href=item.route,
        underline="none",
        flex="1",
        min_height="48px",
        min_width=TAP,
        display="flex",
        justify_content="center",
        align_items="center",
        color=rx.cond(active, rx.color(ACCENT, 11), MUTED),
        aria_current=rx.cond(active, "page", "false"),
        aria_label=item.label,
    )


def brand() -> rx.Component:
    return rx.hstack(
        rx.icon("activity", size=22, color=rx.color(ACCENT, 10)),
        rx.heading("Cadence", size="5", weight="bold"),
        spacing="2",
        align="center",
    )


def _menu_link(item: NavItem) -> rx.Component:
    return rx.menu.item(
        rx.icon(item.icon, size=16), item.label, on_click=rx.redirect(item.route), min_height=TAP
    )


def _user_menu(
    user_name: rx.Var, on_logout: rx.EventHandler, show_admin: rx.Var | bool
) -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.icon("circle-user", size=18),
                # the accessible name holds the visible name (WCAG 2.5.3 label in name)
                rx.el.span("Account menu: ", class_name="sr-only"),
                rx.text(user_name, size="2", max_width="12em", truncate=True),
                variant="ghost",
                min_height=TAP,
            )
        ),
        rx.menu.content(
            *[
                rx.cond(show_admin, _menu_link(item)) if item.admin_only else _menu_link(item)
                for item in NAV_ITEMS
                if not item.in_phone_bar
            ],
            rx.menu.separator(),
            rx.menu.item("Log out", on_click=on_logout, color="tomato"),
        ),
    )


def app_shell(
    *children: rx.Component,
    title: str,
    current_path: rx.Var,
    user_name: rx.Var,
    on_logout: rx.EventHandler,
    show_admin: rx.Var | bool = False,
) -> rx.Component:
    """Sidebar + header + content on desktop; header + content + bottom nav on phones."""
    sidebar = rx.vstack(
        rx.box(brand(), padding="16px"),
        *_nav_links(_sidebar_link, current_path, show_admin),
        rx.spacer(),
        rx.button(
            rx.icon("log-out", size=16),
            "Log out",
            variant="soft",
            color_scheme="gray",
            on_click=on_logout,
            min_height=TAP,
            width="100%",
        ),
        width="220px",
        height="100vh",
        position="sticky",
        top="0",
        padding="12px",
        border_right=f"1px solid {rx.color('gray', 5)}",
        display=DESKTOP,
        spacing="1",
    )
    header = rx.hstack(
        rx.box(brand(), display=MOBILE),
        rx.heading(title, size="6", display=DESKTOP),
        rx.spacer(),
        install_button(),
        _user_menu(user_name, on_logout, show_admin),
        width="100%",
        align="center",
        padding_x="16px",
        padding_y="8px",
        padding_top="max(8px, env(safe-area-inset-top))",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        background=rx.color("gray", 1),
        position="sticky",
        top="0",
        z_index="10",
    )
    bottom_nav = rx.el.nav(
        rx.hstack(
            # the rest (devices, settings, admin) are in the account menu
            *[_bottom_link(item, current_path) for item in NAV_ITEMS if item.in_phone_bar],
            width="100%",
            height="100%",
            spacing="0",
        ),
        position="fixed",
        bottom="0",
        left="0",
        right="0",
        height=f"calc({BOTTOM_NAV_HEIGHT} + env(safe-area-inset-bottom))",  # home indicator
        padding_bottom="env(safe-area-inset-bottom)",
        background=rx.color("gray", 1),
        border_top=f"1px solid {rx.color('gray', 5)}",
        display=MOBILE,
        z_index="20",
        aria_label="Main navigation",
    )
    content = rx.box(
        rx.heading(title, size="6", display=MOBILE, margin_bottom="12px"),
        *children,
        width="100%",
        max_width="1100px",
        margin_x="auto",
        padding="16px",
        padding_bottom=[
            f"calc({BOTTOM_NAV_HEIGHT} + 24px + env(safe-area-inset-bottom))",
            None,
            "32px",
        ],
    )
    return rx.hstack(
        sidebar,
        rx.vstack(header, content, spacing="0", width="100%", min_width="0"),
        bottom_nav,
        spacing="0",
        width="100%",
        align="start",
        # clip, not hidden: "hidden" makes this box a scroll container, and the sticky sidebar,
        # header and chat composer would then stick to it (which never scrolls) and scroll away
        overflow_x="clip",
    )


def loading_screen() -> rx.Component:
    return rx.center(rx.spinner(size="3"), height="100vh", aria_label="Loading")


COLOR_MODES = (
    ("system", "Automatic", "monitor"),
    ("light", "Light", "sun"),
    ("dark", "Dark", "moon"),
)


def color_mode_picker() -> rx.Component:
    """Automatic (the device's ``prefers-color-scheme``), light or dark; kept in this browser."""
    return rx.hstack(
        *[
            rx.button(
                rx.icon(icon, size=16),
                label,
                variant=rx.cond(color_mode == mode, "solid", "soft"),
                color_scheme=rx.cond(color_mode == mode, ACCENT, "gray"),
                on_click=set_color_mode(mode),
                aria_pressed=rx.cond(color_mode == mode, "true", "false"),
                min_height=TAP,
                class_name="color-mode",
                data_mode=mode,
            )
            for mode, label, icon in COLOR_MODES
        ],
        wrap="wrap",
        spacing="2",
        role="group",
        aria_label="Appearance",
    )


def not_found_message(home: str, label: str) -> rx.Component:
    """What the 404 page (and the admin page, to anyone else) says, with a way back."""
    return rx.vstack(
        rx.text(
            "There is no page at this address. It may have moved, or the link is mistyped.",
            color=MUTED,
        ),
        rx.hstack(
            rx.link(rx.button(rx.icon("arrow-left", size=16), label, min_height=TAP), href=home),
            rx.button(
                "Go back",
                variant="soft",
                color_scheme="gray",
                min_height=TAP,
                on_click=rx.call_script("window.history.back()"),
            ),
            wrap="wrap",
            spacing="3",
        ),
        spacing="4",
        id="not-found",
    )
