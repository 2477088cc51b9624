"""Settings page: profile, password and coaching profile, saved through the same services."""

from __future__ import annotations

import reflex as rx

from cadence.models.user import MAX_COACHING_PROFILE_LENGTH
from cadence.services import auth, users
from cadence.services.errors import DomainError, PermissionDenied
from cadence.states.auth import AuthState


class SettingsState(AuthState):
    form_email: str = ""
    form_display_name: str = ""
    coaching_profile: str = ""
    profile_message: str = ""
    profile_error: str = ""
    password_message: str = ""
    password_error: str = ""
    coaching_message: str = ""
    coaching_error: str = ""
    saving: str = ""  # which section is saving: "profile", "password", "coaching" or ""

    @rx.var
    def coaching_chars_left(self) -> int:
        return MAX_COACHING_PROFILE_LENGTH - len(self.coaching_profile)

    @rx.event
    async def load(self):
        try:
            user = await self.as_user(lambda _session, user: user)
        except DomainError:
            return
        self.form_email = user.email
        self.form_display_name = user.display_name
        self.coaching_profile = user.coaching_profile
        self.profile_message = self.profile_error = ""
        self.password_message = self.password_error = ""
        self.coaching_message = self.coaching_error = ""

    @rx.event
    def set_coaching_profile(self, value: str):
        self.coaching_profile = value
        self.coaching_message = ""

    @rx.event
    async def save_profile(self, form: dict):
        self.profile_message = self.profile_error = ""
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
        except DomainError as exc:
            self.profile_error = exc.message
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
        self.password_message = self.password_error = ""
        current, new = str(form.get("current_password", "")), str(form.get("new_password", ""))
        if new != str(form.get("confirm_password", "")):
            self.password_error = "The new passwords do not match."
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
            self.password_error = exc.message
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
