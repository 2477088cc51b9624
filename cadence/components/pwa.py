"""Installable web app: the head tags every page carries, and the "Install" button.

The manifest, service worker (``assets/sw.js``), offline page and icons live in ``assets/``;
``assets/pwa.js`` registers the worker and sets ``data-installable`` on ``<html>`` when the browser
offers installation, which ``assets/pwa.css`` turns into a visible button.
"""

from __future__ import annotations

import reflex as rx

from cadence.components.ui import TAP

THEME_COLOR = "#12a594"
INSTALL_BUTTON_ID = "cadence-install"


def pwa_head() -> list[rx.Component]:
    """Manifest, theme colour, iOS home-screen tags, and the registration script."""
    return [
        rx.el.link(rel="manifest", href="/manifest.webmanifest"),
        rx.el.meta(name="theme-color", content=THEME_COLOR),
        rx.el.link(rel="apple-touch-icon", href="/icons/apple-touch-icon.png"),
        rx.el.link(rel="icon", type="image/png", sizes="192x192", href="/icons/icon-192.png"),
        rx.el.meta(name="mobile-web-app-capable", content="yes"),
        rx.el.meta(name="apple-mobile-web-app-capable", content="yes"),
        rx.el.meta(name="apple-mobile-web-app-title", content="Cadence"),
        rx.el.meta(name="apple-mobile-web-app-status-bar-style", content="default"),
        rx.el.link(rel="stylesheet", href="/pwa.css"),
        rx.el.script(src="/pwa.js", defer=True),
    ]


def install_button() -> rx.Component:
    """Hidden until the browser fires ``beforeinstallprompt``; then asks to install Cadence."""
    return rx.button(
        rx.icon("download", size=16),
        rx.text("Install", size="2"),
        id=INSTALL_BUTTON_ID,
        variant="soft",
        min_height=TAP,
        aria_label="Install Cadence as an app",
        on_click=rx.call_script("window.cadencePromptInstall && window.cadencePromptInstall()"),
    )
