"""Settings page: profile, password and coaching profile, saved through the same services."""

from __future__ import annotations

import reflex as rx

from cadence.display import plural
from cadence.models.user import MAX_COACHING_PROFILE_LENGTH
from cadence.services import auth, users
from cadence.services.errors import Conflict, DomainError, PermissionDenied
from cadence.states.auth import AuthState
from cadence.states.forms import clear_errors, show_error

PROFILE_FIELDS = {
    "display_name": "name_error",
    "email": "email_error",
    "current_password": "profile_password_error",
}
PASSWORD_FIELDS = {
    "current_password": "current_password_error",
    "new_password": "new_password_error",
    "confirm_password": "confirm_password_error",
}
PASSWORDS_DIFFER = "The new passwords do not match."


class SettingsState(AuthState):
    form_email: str = ""
    form_display_name: str = ""
    coaching_profile: str = ""
    profile_message: str = ""
    profile_error: str = ""
    name_error: str = ""
    email_error: str = ""
    profile_password_error: str = ""
    password_message: str = ""
    password_error: str = ""
    current_password_error: str = ""
    new_password_error: str = ""
    confirm_password_error: str = ""
    coaching_message: str = ""
    coaching_error: str = ""
    saving: str = ""  # which section is saving: "profile", "password", "coaching" or ""

    @rx.var
    def coaching_chars_left(self) -> str:
        """ "9,871 characters left" (one character: singular)."""
        return (
            plural(MAX_COACHING_PROFILE_LENGTH - len(self.coaching_profile), "character") + " left"
        )

    @rx.event
    async def load(self):
        try:
            user = await self.as_user(lambda _session, user: user)
        except DomainError:
            return
        self.form_email = user.email
        self.form_display_name = user.display_name
        self.coaching_profile = user.coaching_profile
        self.profile_message = self.password_message = ""
        clear_errors(self, PROFILE_FIELDS, other="profile_error")
        clear_errors(self, PASSWORD_FIELDS, other="password_error")
        self.coaching_message = self.coaching_error = ""

    @rx.event
    def set_coaching_profile(self, value: str):
        self.coaching_profile = value
        self.coaching_message = ""

    @rx.event
    async def save_profile(self, form: dict):
        self.profile_message = ""
        clear_errors(self, PROFILE_FIELDS, other="profile_error")
        self.saving = "profile"
        yield
        name, email = str(form.get("display_name", "")), str(form.get("email", ""))
        password = str(form.get("current_password", "")) or None
        before = self.user_email
        try:
            user = await self.as_user(
                lambda session, user: users.update_profile(
                    session=session,
                    user=user,
                    display_name=name,
                    email=email,
                    current_password=password,
                )
            )
        except PermissionDenied:
            yield AuthState.logout
        except Conflict as exc:  # the new email is taken
            self.email_error = exc.message
        except DomainError as exc:
            show_error(self, exc, PROFILE_FIELDS, other="profile_error")
        else:
            self._remember(user)
            self.form_email, self.form_display_name = user.email, user.display_name
            self.profile_message = "Profile saved."
            if user.email != before:
                # Older tokens stopped working: keep this browser signed in with a fresh one.
                self.token = auth.issue_token(user=user)
                self.profile_message = "Profile saved. Other devices have been signed out."
        finally:
            self.saving = ""

    @rx.event
    async def change_password(self, form: dict):
        self.password_message = ""
        clear_errors(self, PASSWORD_FIELDS, other="password_error")
        current, new = str(form.get("current_password", "")), str(form.get("new_password", ""))
        if new != str(form.get("confirm_password", "")):
            self.confirm_password_error = PASSWORDS_DIFFER
            return
        self.saving = "password"
        yield
        try:
            user = await self.as_user(
                lambda session, user: auth.change_password(
                    session=session, user=user, current_password=current, new_password=new
                )
            )
        except PermissionDenied:
            yield AuthState.logout
        except DomainError as exc:
            show_error(self, exc, PASSWORD_FIELDS, other="password_error")
        else:
            # Older tokens stopped working: keep this browser signed in with a fresh one.
            self.token = auth.issue_token(user=user)
            self.password_message = "Password changed. Other devices have been signed out."
        finally:
            self.saving = ""

    @rx.event
    async def save_coaching_profile(self):
        self.coaching_message = self.coaching_error = ""
        self.saving = "coaching"
        yield
        text = self.coaching_profile
        try:
            await self.as_user(
                lambda session, user: users.set_coaching_profile(
                    session=session, user=user, coaching_profile=text
                )
            )
        except DomainError as exc:
            self.coaching_error = exc.message
        else:
            self.coaching_message = "Coaching profile saved. Your coach will use it from now on."
        finally:
            self.saving = ""
