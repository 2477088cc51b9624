"""Authentication state shared by every page: the JWT (the same one the REST API accepts)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import quote

import reflex as rx

from cadence import routes
from cadence.services import auth, clients, users
from cadence.services.errors import DomainError, ServiceUnavailable
from cadence.states.failures import TOAST_ID, off_thread

T = TypeVar("T")

TOKEN_STORAGE_KEY = "cadence_token"
LOGIN_ROUTE = routes.LOGIN
HOME_ROUTE = routes.DASHBOARD


def _touch(session, user):
    users.touch_last_active(session=session, user=user)
    return user


def _safe_next(target: str) -> str:
    """Only same-site paths are allowed as a post-login destination."""
    return target if target.startswith("/") and not target.startswith("//") else HOME_ROUTE


class AuthState(rx.State):
    """Holds the token in localStorage and the signed-in user's public fields."""

    token: str = rx.LocalStorage("", name=TOKEN_STORAGE_KEY, sync=True)
    user_id: int = 0
    user_email: str = ""
    user_name: str = ""
    is_admin: bool = False
    auth_checked: bool = False

    @rx.var
    def is_authenticated(self) -> bool:
        return self.user_id > 0

    @rx.var
    def user_initial(self) -> str:
        return (self.user_name[:1] or "?").upper()

    def _remember(self, user) -> None:
        self.user_id = user.id
        self.user_email = user.email
        self.user_name = user.display_name
        self.is_admin = user.is_admin

    def _client_address(self) -> str:
        """The browser's address (behind ``CADENCE_TRUSTED_PROXIES``, as the API sees it)."""
        return clients.client_address(
            peer=self.router.session.client_ip or "unknown",
            forwarded_for=self.router.headers.raw_headers.get("x-forwarded-for"),
        )

    def _forget(self) -> None:
        self.token = ""
        self.user_id = 0
        self.user_email = ""
        self.user_name = ""
        self.is_admin = False

    async def _load_user(self):
        """The user for the stored token, or None; ``ServiceUnavailable`` (in words) when the
        database cannot be asked, so a signed-in user is not logged out by an outage."""
        if not self.token:
            return None
        try:
            return await off_thread(auth.run_as_user, token=self.token, work=_touch)
        except ServiceUnavailable:
            raise
        except DomainError:
            return None

    async def as_user(self, work: Callable[..., T]) -> T:
        """Run ``work(session, user)`` in a worker thread, in one transaction, as the signed-in
        user (the token is verified each time, so a revoked token stops working at once).

        Raises ``DomainError`` (``PermissionDenied`` for a missing or stale token), and every
        database, disk or Redis failure as a ``DomainError`` in words (``states.failures``).
        """
        return await off_thread(auth.run_as_user, token=self.token, work=work)

    @rx.event
    async def require_login(self):
        """on_load of protected pages: load the user or send them to login and back after."""
        try:
            user = await self._load_user()
        except ServiceUnavailable as exc:
            return rx.toast.error(exc.message, id=TOAST_ID, duration=10_000)
        self.auth_checked = True
        if user is None:
            self._forget()
            path = self.router.url.path or HOME_ROUTE
            query = f"?{self.router.url.query}" if self.router.url.query else ""
            return rx.redirect(f"{LOGIN_ROUTE}?next={quote(path + query, safe='')}")
        self._remember(user)
        return None

    @rx.event
    async def redirect_if_logged_in(self):
        """on_load of login/signup: a signed-in user goes straight to the app."""
        try:
            user = await self._load_user()
        except ServiceUnavailable as exc:
            return rx.toast.error(exc.message, id=TOAST_ID, duration=10_000)
        self.auth_checked = True
        if user is not None:
            self._remember(user)
            return rx.redirect(self._next_target())
        return None

    @rx.event
    async def load_if_logged_in(self):
        """on_load of pages anyone may reach (the 404 page): the user if signed in, no redirect."""
        try:
            user = await self._load_user()
        except ServiceUnavailable:
            user = None
        self.auth_checked = True
        if user is not None:
            self._remember(user)

    def _next_target(self) -> str:
        return _safe_next(self.router.url.query_parameters.get("next", HOME_ROUTE))

    @rx.event
    async def logout(self):
        """Forget the token and everything every page loaded for this user (all page states
        descend from ``AuthState``: resetting it resets them), and the live logger's cached
        copies of this user's data (pwa.js)."""
        (await self.get_state(AuthState)).reset()
        return [
            rx.call_script("window.cadenceForgetLoggerCache && window.cadenceForgetLoggerCache()"),
            rx.redirect(LOGIN_ROUTE),
        ]
