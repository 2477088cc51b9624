"""Wraps page content in the authenticated shell; protected pages show a spinner until the
token is verified and redirect to login (and back after) when it is not."""

from __future__ import annotations

import reflex as rx

from cadence.components.layout import app_shell, loading_screen
from cadence.states.auth import AuthState


def protected(*children: rx.Component, title: str) -> rx.Component:
    return rx.cond(
        AuthState.is_authenticated,
        app_shell(
            *children,
            title=title,
            current_path=AuthState.router.url.path,
            user_name=AuthState.user_name,
            on_logout=AuthState.logout,
            show_admin=AuthState.is_admin,
        ),
        loading_screen(),
    )
