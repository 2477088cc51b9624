"""Admin panel state: one page of the user list (search, sort and pages run in the database),
account actions, and the shared LLM settings in their own tab, via the services.

Non-admins never receive any of it: ``load`` asks the service, which answers ``NotFound``.
"""

from __future__ import annotations

import dataclasses

import reflex as rx

from cadence.display import plural
from cadence.models.common import as_utc
from cadence.services import admin
from cadence.services.chat import llm_settings
from cadence.services.errors import DomainError, PermissionDenied
from cadence.states.auth import AuthState

PER_PAGE = 25


def _when(value) -> str:
    return as_utc(value).strftime("%Y-%m-%d %H:%M") if value else "never"


@dataclasses.dataclass
class AdminRow:
    """One account as the table shows it; ``is_self``: the admin's own row (no lock-out)."""

    id: int
    email: str
    display_name: str
    is_admin: bool
    is_active: bool
    is_self: bool
    created_at: str
    last_active_at: str
    workouts: int
    devices: int
    conversations: int
    chat_messages: int
    chat_tokens: int
    chat_tokens_today: int


def admin_row(usage: admin.UserUsage, *, actor_id: int) -> AdminRow:
    return AdminRow(
        id=usage.id,
        email=usage.email,
        display_name=usage.display_name,
        is_admin=usage.is_admin,
        is_active=usage.is_active,
        is_self=usage.id == actor_id,
        created_at=_when(usage.created_at)[:10],
        last_active_at=_when(usage.last_active_at),
        workouts=usage.workouts,
        devices=usage.devices,
        conversations=usage.conversations,
        chat_messages=usage.chat_messages,
        chat_tokens=usage.chat_tokens,
        chat_tokens_today=usage.chat_tokens_today,
    )


@dataclasses.dataclass
class ModelRow:
    """One model's usage as the admin page shows it."""

    model_id: str
    answers: str  # "1 answer", "12 answers"
    tokens: str
    checked: str  # "verified/stated"
    faithfulness: str  # "83%", or "—" when it stated no number


def model_row(usage: admin.ModelUsage) -> ModelRow:
    faith = usage.faithfulness
    return ModelRow(
        model_id=usage.model_id,
        answers=plural(usage.answers, "answer"),
        tokens=plural(usage.tokens, "token"),
        checked=f"{usage.numbers_verified}/{usage.numbers_stated}",
        faithfulness="—" if faith is None else f"{faith:.0%}",
    )


class AdminState(AuthState):
    users: list[AdminRow] = []
    models_usage: list[ModelRow] = []
    loaded: bool = False
    denied: bool = False
    error: str = ""
    message: str = ""
    query: str = ""
    sort: str = "created"
    descending: bool = False
    page: int = 1
    pages: int = 1
    total: int = 0
    has_api_key: bool = False
    api_key_last4: str = ""
    base_url: str = ""
    models_text: str = ""
    budget_text: str = ""
    llm_error: str = ""
    llm_message: str = ""
    busy: str = ""  # "llm", "list", or the id of the user being changed

    @rx.var
    def count_label(self) -> str:
        found = plural(self.total, "user")
        return f"{found}{' found' if self.query else ''} · page {self.page} of {self.pages}"

    def _read_page(self, session, actor) -> admin.UserPage:
        return admin.list_users(
            session=session,
            actor=actor,
            query=self.query,
            sort=self.sort,
            descending=self.descending,
            page=self.page,
            per_page=PER_PAGE,
        )

    def _apply_page(self, found: admin.UserPage) -> None:
        self.users = [admin_row(r, actor_id=self.user_id) for r in found.users]
        self.total, self.pages = found.total, found.pages
        self.page = min(self.page, found.pages)

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
        self.page = 1

        def read(session, actor):
            return (
                self._read_page(session, actor),
                admin.model_usage(session=session, actor=actor),
                llm_settings.admin_llm_settings(session=session, actor=actor),
            )

        try:
            found, models, llm = await self.as_user(read)
        except PermissionDenied:
            return
        except DomainError:
            self.denied, self.loaded, self.users = True, True, []
            return
        self.denied = False
        self._apply_page(found)
        self.models_usage = [model_row(m) for m in models]
        self._apply_llm(llm)
        self.loaded = True

    async def _reload(self):
        self.error, self.busy = "", "list"
        yield
        try:
            self._apply_page(await self.as_user(self._read_page))
        except DomainError as exc:
            self.error = exc.message
        finally:
            self.busy = ""

    @rx.event
    async def search(self, form: dict):
        self.query, self.page = str(form.get("q", "")).strip(), 1
        async for update in self._reload():
            yield update

    @rx.event
    async def set_sort(self, value: str):
        self.sort, self.page = value, 1
        async for update in self._reload():
            yield update

    @rx.event
    async def toggle_order(self):
        self.descending, self.page = not self.descending, 1
        async for update in self._reload():
            yield update

    @rx.event
    async def go_to_page(self, page: int):
        self.page = max(1, min(page, self.pages))
        async for update in self._reload():
            yield update

    async def _change(self, user_id: int, **change: bool):
        self.error = self.message = ""
        self.busy = str(user_id)
        yield

        def work(session, actor):
            if "active" in change:
                admin.set_active(session=session, actor=actor, user_id=user_id, **change)
            else:
                admin.set_admin(session=session, actor=actor, user_id=user_id, **change)
            return self._read_page(session, actor)

        try:
            self._apply_page(await self.as_user(work))
        except DomainError as exc:
            self.error = exc.message
        else:
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
            return llm_settings.update_admin_llm_settings(
                session=session, actor=actor, api_key=key or None, base_url=base_url, models=models
            )

        await self._save_llm(work, "Saved. The key is stored encrypted and never shown again.")

    @rx.event
    async def remove_key(self):
        self.llm_error = self.llm_message = ""

        def work(session, actor):
            return llm_settings.update_admin_llm_settings(session=session, actor=actor, api_key="")

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
