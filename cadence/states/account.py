"""Login and signup forms."""

from __future__ import annotations

import reflex as rx

from cadence.db import session_scope
from cadence.services import auth
from cadence.services.errors import Conflict, DomainError, InvalidInput
from cadence.states.auth import AuthState
from cadence.states.failures import off_thread


class LoginState(AuthState):
    error: str = ""
    loading: bool = False

    @rx.event
    async def submit(self, form: dict):
        self.error = ""
        self.loading = True
        yield
        client = self._client_address()
        try:
            issued = await off_thread(
                _login,
                email=str(form.get("email", "")),
                password=str(form.get("password", "")),
                client=client,
            )
        except DomainError as exc:
            self.error = exc.message
        else:
            self.token = issued.token
            self._remember(issued.user)
            yield rx.redirect(self._next_target())
        finally:
            self.loading = False


class SignupState(AuthState):
    email: str = ""
    password: str = ""
    display_name: str = ""
    needs_setup_code: bool = False
    setup_code_error: str = ""
    email_error: str = ""
    password_error: str = ""
    name_error: str = ""
    error: str = ""
    loading: bool = False

    @rx.var
    def password_hint(self) -> str:
        """The first password rule the typed password breaks (live, before submitting)."""
        if not self.password:
            return "At least 8 characters, with a letter and a digit."
        try:
            auth.check_password_rules(password=self.password, email=self.email)
        except InvalidInput as exc:
            return exc.message
        return "Looks good."

    @rx.event
    def set_email(self, value: str):
        self.email = value
        self.email_error = ""

    @rx.event
    async def load_signup(self):
        """on_load of /signup: a signed-in user goes to the app; while the install has no admin
        the form asks for the setup code printed on the server's console."""
        self.needs_setup_code = not await off_thread(_has_admin)
        return await self.redirect_if_logged_in()

    @rx.event
    def set_password(self, value: str):
        self.password = value
        self.password_error = ""

    @rx.event
    def set_display_name(self, value: str):
        self.display_name = value
        self.name_error = ""

    @rx.event
    async def submit(self, form: dict):
        self.email_error = self.password_error = self.name_error = self.error = ""
        self.setup_code_error = ""
        self.loading = True
        yield
        try:
            issued = await off_thread(
                _signup,
                email=str(form.get("email", "")),
                password=str(form.get("password", "")),
                display_name=str(form.get("display_name", "")),
                setup_code=str(form.get("setup_code", "")) or None,
                client=self._client_address(),
            )
        except InvalidInput as exc:
            self._show_field_error(exc)
        except Conflict as exc:
            self.email_error = exc.message
        except DomainError as exc:
            self.error = exc.message
        else:
            self.token = issued.token
            self._remember(issued.user)
            self.password = ""
            yield rx.redirect(self._next_target())
        finally:
            self.loading = False

    def _show_field_error(self, exc: InvalidInput) -> None:
        if exc.field == "email":
            self.email_error = exc.message
        elif exc.field == "password":
            self.password_error = exc.message
        elif exc.field == "display_name":
            self.name_error = exc.message
        elif exc.field == "setup_code":
            self.setup_code_error = exc.message
        else:
            self.error = exc.message


def _login(*, email: str, password: str, client: str) -> auth.IssuedToken:
    with session_scope() as session:
        return auth.login(session=session, email=email, password=password, client=client)


def _has_admin() -> bool:
    with session_scope() as session:
        return auth.has_admin(session=session)


def _signup(
    *, email: str, password: str, display_name: str, setup_code: str | None, client: str
) -> auth.IssuedToken:
    with session_scope() as session:
        user = auth.signup(
            session=session,
            email=email,
            password=password,
            display_name=display_name,
            setup_code_entered=setup_code,
            client=client,
        )
        return auth.IssuedToken(token=auth.issue_token(user=user), user=user)
