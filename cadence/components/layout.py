"""The authenticated app shell: sidebar on desktop, bottom navigation under 768 px."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from cadence.components.pwa import install_button

ACCENT = "teal"
DESKTOP = ["none", "none", "flex"]  # responsive display: hidden under 768 px (48em)
MOBILE = ["flex", "flex", "none"]
BOTTOM_NAV_HEIGHT = "64px"


@dataclass(frozen=True)
class NavItem:
    label: str
    route: str
    icon: str  # a lucide icon name
    admin_only: bool = False  # rendered only when app_shell(show_admin=...) is true


NAV_ITEMS: list[NavItem] = [
    NavItem("Dashboard", "/", "layout-dashboard"),
    NavItem("Workouts", "/workouts", "dumbbell"),
    NavItem("Activities", "/activities", "route"),
    NavItem("Coach", "/chat", "message-circle"),
    NavItem("Devices", "/devices", "watch"),
    NavItem("Settings", "/settings", "settings"),
    NavItem("Admin", "/admin", "shield", admin_only=True),
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
        min_height="44px",
        display="flex",
        align_items="center",
        color=rx.cond(active, rx.color(ACCENT, 11), rx.color("gray", 11)),
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
        min_width="44px",
        display="flex",
        justify_content="center",
        align_items="center",
        color=rx.cond(active, rx.color(ACCENT, 11), rx.color("gray", 11)),
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


def _user_menu(
    user_name: rx.Var, on_logout: rx.EventHandler, show_admin: rx.Var | bool
) -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.icon("circle-user", size=18),
                rx.text(user_name, size="2", max_width="12em", truncate=True),
                variant="ghost",
                min_height="44px",
                aria_label="Account menu",
            )
        ),
        rx.menu.content(
            rx.menu.item("Settings", on_click=rx.redirect("/settings")),
            rx.cond(show_admin, rx.menu.item("Admin", on_click=rx.redirect("/admin"))),
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
            min_height="44px",
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
            # admin-only items stay out of the phone bar (reachable from the account menu)
            *[_bottom_link(item, current_path) for item in NAV_ITEMS if not item.admin_only],
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
        overflow_x="hidden",
    )


def loading_screen() -> rx.Component:
    return rx.center(rx.spinner(size="3"), height="100vh", aria_label="Loading")
