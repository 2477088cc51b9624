"""Settings → "Your data": download the export zip, and delete the account after confirmation."""

from __future__ import annotations

import io

import reflex as rx

from cadence.services import account, export
from cadence.services.errors import DomainError, PermissionDenied
from cadence.states.auth import LOGIN_ROUTE, AuthState
from cadence.states.forms import clear_errors, show_error

DELETE_FIELDS = {"password": "delete_password_error", "confirm": "delete_confirm_error"}
DELETE_WORD_MISSING = "Type DELETE to confirm."


def _build_export(session, user) -> tuple[str, bytes]:
    buffer = io.BytesIO()
    export.write_export(session=session, user=user, out=buffer)
    return export.export_filename(user=user), buffer.getvalue()


class AccountDataState(AuthState):
    export_error: str = ""
    exporting: bool = False
    delete_open: bool = False
    delete_error: str = ""
    delete_password_error: str = ""
    delete_confirm_error: str = ""
    deleting: bool = False

    @rx.event
    async def download_export(self):
        self.export_error = ""
        self.exporting = True
        yield
        try:
            filename, data = await self.as_user(_build_export)
        except PermissionDenied:
            yield AuthState.logout
            return
        except DomainError as exc:
            self.export_error = exc.message
            return
        finally:
            self.exporting = False
        yield rx.download(data=data, filename=filename, mime_type="application/zip")

    @rx.event
    def set_delete_open(self, is_open: bool):
        self.delete_open = is_open
        clear_errors(self, DELETE_FIELDS, other="delete_error")

    @rx.event
    async def delete_account(self, form: dict):
        clear_errors(self, DELETE_FIELDS, other="delete_error")
        if str(form.get("confirm", "")).strip().upper() != "DELETE":
            self.delete_confirm_error = DELETE_WORD_MISSING
            return
        password = str(form.get("password", ""))
        self.deleting = True
        yield
        try:
            await self.as_user(
                lambda session, user: account.delete_account(
                    session=session, user=user, password=password
                )
            )
        except PermissionDenied:
            yield AuthState.logout
            return
        except DomainError as exc:
            show_error(self, exc, DELETE_FIELDS, other="delete_error")
            return
        finally:
            self.deleting = False
        self.delete_open = False
        self._forget()
        yield rx.redirect(f"{LOGIN_ROUTE}?deleted=1")
