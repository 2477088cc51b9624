"""Settings → LLM key: the user's own provider key (write-only) and default model."""

from __future__ import annotations

import reflex as rx

from cadence.services.chat import llm_settings
from cadence.services.errors import DomainError
from cadence.states.auth import AuthState


class LlmSettingsState(AuthState):
    has_api_key: bool = False
    api_key_last4: str = ""
    default_model_id: str = ""
    base_url: str = ""
    key_base_url: str = ""
    key_input: str = ""
    llm_message: str = ""
    llm_error: str = ""
    llm_saving: bool = False

    @rx.event
    async def load_llm(self):
        try:
            current = await self.as_user(
                lambda session, user: llm_settings.get_user_llm_settings(
                    session=session, user_id=user.id
                )
            )
        except DomainError:
            return
        self._show(current)
        self.llm_message = self.llm_error = ""

    def _show(self, current) -> None:
        self.has_api_key = current.has_api_key
        self.api_key_last4 = current.api_key_last4 or ""
        self.default_model_id = current.default_model_id or ""
        self.base_url = current.base_url
        self.key_base_url = current.key_base_url or ""
        self.key_input = ""

    @rx.var
    def key_on_hold(self) -> bool:
        """The admin moved the provider URL since the key was saved: it is not sent there."""
        return self.has_api_key and self.key_base_url != self.base_url

    @rx.event
    def set_key_input(self, value: str):
        self.key_input = value

    @rx.event
    def set_default_model_id(self, value: str):
        self.default_model_id = value

    async def _save(self, *, api_key: str | None, message: str):
        self.llm_message = self.llm_error = ""
        self.llm_saving = True
        yield
        model = self.default_model_id.strip()
        try:
            current = await self.as_user(
                lambda session, user: llm_settings.update_user_llm_settings(
                    session=session, user_id=user.id, api_key=api_key, default_model_id=model
                )
            )
        except DomainError as exc:
            self.llm_error = exc.message
        else:
            self._show(current)
            self.llm_message = message
        finally:
            self.llm_saving = False

    @rx.event
    async def save_llm(self):
        """Save the default model, and the key when one was typed (an empty box keeps it)."""
        key = self.key_input.strip() or None
        async for update in self._save(api_key=key, message="LLM settings saved."):
            yield update

    @rx.event
    async def remove_key(self):
        async for update in self._save(api_key="", message="API key removed."):
            yield update
