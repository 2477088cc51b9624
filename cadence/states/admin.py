"""Admin panel state: the user list, account actions and the shared LLM key, via the services.

Non-admins never receive any of it: ``load`` asks the service, which answers ``NotFound``.
"""

from __future__ import annotations

from dataclasses import asdict

import reflex as rx

from cadence.models.common import as_utc
from cadence.services import admin
from cadence.services.chat import llm_settings
from cadence.services.errors import DomainError, PermissionDenied
from cadence.states.auth import AuthState


def _when(value) -> str:
    return as_utc(value).strftime("%Y-%m-%d %H:%M") if value else "never"


def _row(usage: admin.UserUsage) -> dict[str, str | int | bool]:
    data = asdict(usage)
    data["created_at"] = _when(usage.created_at)[:10]
    data["last_active_at"] = _when(usage.last_active_at)
    return data


def _model_row(usage: admin.ModelUsage) -> dict[str, str | int]:
    faith = usage.faithfulness
    return {
        "model_id": usage.model_id,
        "answers": usage.answers,
        "tokens": usage.tokens,
        "checked": f"{usage.numbers_verified}/{usage.numbers_stated}",
        "faithfulness": "—" if faith is None else f"{faith:.0%}",
    }


class AdminState(AuthState):
    users: list[dict[str, str | int | bool]] = []
    models_usage: list[dict[str, str | int]] = []
    loaded: bool = False
    denied: bool = False
    error: str = ""
    message: str = ""
    has_api_key: bool = False
    api_key_last4: str = ""
    base_url: str = ""
    models_text: str = ""
    budget_text: str = ""
    llm_error: str = ""
    llm_message: str = ""
    busy: str = ""  # "llm", or the id of the user being changed

    def _read(self, session, user):
        rows = admin.list_users(session=session, actor=user)
        models = admin.model_usage(session=session, actor=user)
        return rows, models, llm_settings.get_admin_llm_settings(session=session)

    def _apply(self, rows, models, llm) -> None:
        self.users = [_row(r) for r in rows]
        self.models_usage = [_model_row(m) for m in models]
        self._apply_llm(llm)

    def _apply_llm(self, llm) -> None:
        self.has_api_key = llm.has_api_key
        self.api_key_last4 = llm.api_key_last4 or ""
        self.base_url = llm.base_url
        self.models_text = "\n".join(llm.models)
        budget = llm.daily_token_budget
        self.budget_text = (
            f"Each user may spend {budget:,} tokens per UTC day on the shared key "
            "(CADENCE_CHAT_DAILY_TOKEN_BUDGET); their own key has no budget."
            if budget
            else "No daily token budget (set CADENCE_CHAT_DAILY_TOKEN_BUDGET to add one)."
        )

    @rx.event
    async def load(self):
        self.error = self.message = self.llm_error = self.llm_message = ""
        try:
            rows, models, llm = await self.as_user(self._read)
        except PermissionDenied:
            return
        except DomainError:
            self.denied, self.loaded, self.users = True, True, []
            return
        self.denied = False
        self._apply(rows, models, llm)
        self.loaded = True

    async def _change(self, user_id: int, **change: bool):
        self.error = self.message = ""
        self.busy = str(user_id)
        yield

        def work(session, actor):
            if "active" in change:
                admin.set_active(session=session, actor=actor, user_id=user_id, **change)
            else:
                admin.set_admin(session=session, actor=actor, user_id=user_id, **change)
            return self._read(session, actor)

        try:
            rows, models, llm = await self.as_user(work)
        except DomainError as exc:
            self.error = exc.message
        else:
            self._apply(rows, models, llm)
            self.message = "Saved."
        finally:
            self.busy = ""

    @rx.event
    async def set_active(self, user_id: int, active: bool):
        async for update in self._change(user_id, active=active):
            yield update

    @rx.event
    async def set_admin(self, user_id: int, is_admin: bool):
        async for update in self._change(user_id, is_admin=is_admin):
            yield update

    @rx.event
    def set_models_text(self, value: str):
        self.models_text = value

    @rx.event
    def set_base_url(self, value: str):
        self.base_url = value

    @rx.event
    async def save_llm(self, form: dict):
        self.llm_error = self.llm_message = ""
        self.busy = "llm"
        yield
        key = str(form.get("api_key", "")).strip()
        models = [m.strip() for m in str(form.get("models", "")).splitlines() if m.strip()]
        base_url = self.base_url.strip()

        def work(session, actor):
            admin.require_admin(actor)
            return llm_settings.update_admin_llm_settings(
                session=session, api_key=key or None, base_url=base_url, models=models
            )

        await self._save_llm(work, "Saved. The key is stored encrypted and never shown again.")

    @rx.event
    async def remove_key(self):
        self.llm_error = self.llm_message = ""

        def work(session, actor):
            admin.require_admin(actor)
            return llm_settings.update_admin_llm_settings(session=session, api_key="")

        await self._save_llm(work, "The shared key was removed.")

    async def _save_llm(self, work, done: str) -> None:
        try:
            llm = await self.as_user(work)
        except DomainError as exc:
            self.llm_error = exc.message
        else:
            self._apply_llm(llm)
            self.llm_message = done
        finally:
            self.busy = ""
