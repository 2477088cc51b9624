"""Login and signup forms: each error in words under its field (``states.forms``)."""

from __future__ import annotations

import hashlib

import reflex as rx

from cadence.db import session_scope
from cadence.services import auth
from cadence.services.errors import Conflict, DomainError, InvalidInput
from cadence.states.auth import AuthState
from cadence.states.failures import off_thread
from cadence.states.forms import broken_rules, clear_errors, required, show_error, show_errors

LOGIN_FIELDS = {"email": "email_error", "password": "password_error"}
SIGNUP_FIELDS = LOGIN_FIELDS | {"display_name": "name_error", "setup_code": "setup_code_error"}
PASSWORD_MISSING = "Enter your password."


def _fingerprint(form: dict) -> str:
    """A digest of the submitted values, to know a second submit of the same ones."""
    values = "\0".join(f"{key}={form.get(key, '')}" for key in sorted(form))
    return hashlib.sha256(values.encode()).hexdigest()


class LoginState(AuthState):
    error: str = ""
    email_error: str = ""
    password_error: str = ""
    loading: bool = False

    @rx.event
    async def submit(self, form: dict):
        clear_errors(self, LOGIN_FIELDS)
        email, password = str(form.get("email", "")), str(form.get("password", ""))
        wrong = _login_input_errors(email=email, password=password)
        if show_errors(self, wrong, LOGIN_FIELDS):
            return
        self.loading = True
        yield
        client = self._client_address()
        try:
            issued = await off_thread(_login, email=email, password=password, client=client)
        except DomainError as exc:
            show_error(self, exc, LOGIN_FIELDS)
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
    _answered: str = ""  # the values whose answer (an error under a field) is on the screen

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
        """Typing clears the field's error; a late (debounced) echo of the value submitted
        does not, so the submit's answer stays."""
        if value != self.email:
            self.email, self.email_error = value, ""

    @rx.event
    async def load_signup(self):
        """on_load of /signup: a signed-in user goes to the app; while the install has no admin
        the form asks for the setup code printed on the server's console."""
        self.needs_setup_code = not await off_thread(_has_admin)
        return await self.redirect_if_logged_in()

    @rx.event
    def set_password(self, value: str):
        if value != self.password:
            self.password, self.password_error = value, ""

    @rx.event
    def set_display_name(self, value: str):
        if value != self.display_name:
            self.display_name, self.name_error = value, ""

    def _shows_answer_for(self, fingerprint: str) -> bool:
        errors = (self.email_error, self.password_error, self.name_error, self.setup_code_error)
        return fingerprint == self._answered and any(errors)

    @rx.event
    async def submit(self, form: dict):
        """A second submit of the same values (a double click) while their answer is on the
        screen is ignored: the answer stays instead of blinking away and back."""
        fingerprint = _fingerprint(form)
        if self._shows_answer_for(fingerprint):
            return
        clear_errors(self, SIGNUP_FIELDS)
        self.email = str(form.get("email", ""))
        self.password = str(form.get("password", ""))
        self.display_name = str(form.get("display_name", ""))
        self._answered = ""
        wrong = _signup_input_errors(
            email=self.email, password=self.password, display_name=self.display_name
        )
        if show_errors(self, wrong, SIGNUP_FIELDS):
            self._answered = fingerprint
            return
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
        except Conflict as exc:  # the email is taken
            self.email_error, self._answered = exc.message, fingerprint
        except DomainError as exc:
            show_error(self, exc, SIGNUP_FIELDS)
            self._answered = fingerprint
        else:
            self.token = issued.token
            self._remember(issued.user)
            self.password = ""
            yield rx.redirect(self._next_target())
        finally:
            self.loading = False


def _login_input_errors(*, email: str, password: str) -> list[InvalidInput]:
    """An empty or malformed email and an empty password, answered before anything is counted
    against the address."""
    return broken_rules(
        lambda: auth.normalize_email(email),
        lambda: required(password, message=PASSWORD_MISSING, field="password"),
    )


def _signup_input_errors(*, email: str, password: str, display_name: str) -> list[InvalidInput]:
    """The service's own rules (``auth.signup`` applies them again), each under its field."""
    return broken_rules(
        lambda: auth.normalize_display_name(display_name),
        lambda: auth.normalize_email(email),
        lambda: auth.check_password_rules(password=password, email=email),
    )


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
