"""Chat page state: conversations, the model picker, and a background task that consumes the same
agent event generator as the SSE route (DESIGN §1), applying each event to the UI."""

from __future__ import annotations

import dataclasses
import functools
import time
from typing import Any

import reflex as rx

from cadence.display import short_date
from cadence.models.chat import (
    OFFLINE_MODEL_ID,
    ChatActionPublic,
    ChatMessagePublic,
    Verification,
)
from cadence.services import auth
from cadence.services.chat import agent, conversations, llm_settings, pending, suggestions
from cadence.services.chat.events import (
    ChartEvent,
    ChatEvent,
    DoneEvent,
    ErrorEvent,
    TokenEvent,
    ToolEndEvent,
    ToolStartEvent,
    VerifyEvent,
)
from cadence.services.errors import DomainError
from cadence.states.auth import AuthState
from cadence.states.failures import off_thread

FLUSH_SECONDS = 0.04  # coalesce token updates sent to the browser (~25 per second)
SERIES_COLORS = ("#0d9488", "#6366f1", "#f59e0b", "#ef4444")
TOOL_LABELS = {
    "get_daily_brief": "Daily brief",
    "get_readiness": "Readiness",
    "get_sleep_history": "Sleep history",
    "get_hrv_trend": "HRV trend",
    "get_training_load": "Training load",
    "get_activities": "Activities",
    "get_strength_history": "Strength history",
    "get_exercise_progress": "Exercise progress",
    "list_workouts": "Workouts",
    "log_workout": "Logging workout",
    "get_weekly_summary": "Weekly summary",
    "get_coaching_profile": "Coaching profile",
    "update_coaching_profile": "Updating profile",
    "update_workout": "Changing workout",
    "delete_workout": "Deleting workout",
    "search_exercise_catalog": "Exercise catalogue",
    "list_routines": "Routines",
    "start_workout_from_routine": "Routine",
    "render_chart": "Chart",
    "get_activity": "Activity",
    "get_metrics": "Metrics",
    "cadence": "Cadence's definitions",
}


@dataclasses.dataclass
class ToolChip:
    id: str
    label: str
    status: str  # running, ok, error, proposed (a write waiting for Confirm)
    summary: str = ""


@dataclasses.dataclass
class ChartSeries:
    key: str
    label: str
    unit: str
    color: str


@dataclasses.dataclass
class ChartView:
    id: str
    kind: str
    title: str
    data: list[dict[str, Any]]
    series: list[ChartSeries]


@dataclasses.dataclass
class CheckMark:
    """One checked number of an answer: ``verified``, ``unverified`` or ``advice``."""

    text: str
    kind: str
    detail: str


@dataclasses.dataclass
class ActionCard:
    """A write the coach proposed: ``pending`` (Confirm / Cancel), then what became of it."""

    id: str
    summary: str
    status: str  # pending, confirmed, failed, cancelled, expired
    result: str = ""
    href: str = ""
    add_to: str = ""  # a logged workout may go into today's workout instead


def action_card(action: ChatActionPublic) -> ActionCard:
    return ActionCard(
        id=action.id,
        summary=action.summary,
        status=action.status,
        result=action.result or "",
        href=action.href or "",
        add_to=action.add_to or "",
    )


@dataclasses.dataclass
class MessageView:
    role: str
    content: str
    status: str = "complete"
    tools: list[ToolChip] = dataclasses.field(default_factory=list)
    charts: list[ChartView] = dataclasses.field(default_factory=list)
    checks: list[CheckMark] = dataclasses.field(default_factory=list)
    actions: list[ActionCard] = dataclasses.field(default_factory=list)


UNVERIFIED_WORDS = "not found in your data"
ADVICE_WORDS = "advice, not a number from your data"


def check_marks(verification: Verification) -> list[CheckMark]:
    """The answer's numbers in reading order, each with its source (or why it has none)."""
    marks = [
        (
            span.start,
            CheckMark(
                text=span.text,
                kind="verified",
                detail=" · ".join(
                    part
                    for part in (TOOL_LABELS.get(span.tool, span.tool), span.field, span.day)
                    if part
                ),
            ),
        )
        for span in verification.verified
    ]
    marks += [
        (s.start, CheckMark(text=s.text, kind="unverified", detail=UNVERIFIED_WORDS))
        for s in verification.unverified
    ]
    marks += [
        (s.start, CheckMark(text=s.text, kind="advice", detail=ADVICE_WORDS))
        for s in verification.advice
    ]
    return [mark for _, mark in sorted(marks, key=lambda pair: pair[0])]


@dataclasses.dataclass
class ConversationItem:
    id: int
    title: str
    updated: str


@dataclasses.dataclass
class ModelOption:
    id: str
    label: str


def chart_view(chart: dict[str, Any]) -> ChartView:
    series = [
        ChartSeries(
            key=str(s.get("key", "")),
            label=str(s.get("label", "")),
            unit=str(s.get("unit", "")),
            color=SERIES_COLORS[i % len(SERIES_COLORS)],
        )
        for i, s in enumerate(chart.get("series", []))
    ]
    return ChartView(
        id=str(chart.get("id", "")),
        kind=str(chart.get("kind", "line")),
        title=str(chart.get("title", "")),
        data=list(chart.get("data", [])),
        series=series,
    )


def chip_status(*, ok: bool, proposed: bool) -> str:
    if not ok:
        return "error"
    return "proposed" if proposed else "ok"


def shown(message: ChatMessagePublic) -> bool:
    """A failed answer with nothing in it is not shown (no empty bubble); Retry is offered."""
    return not (message.status == "error" and not message.content and not message.tool_calls)


def message_view(message: ChatMessagePublic) -> MessageView:
    tools = [
        ToolChip(
            id=str(call.get("id", "")),
            label=TOOL_LABELS.get(call.get("name", ""), call.get("name", "")),
            status=chip_status(ok=bool(call.get("ok")), proposed=bool(call.get("action_id"))),
            summary=str(call.get("summary", "")),
        )
        for call in message.tool_calls or []
    ]
    return MessageView(
        role=message.role,
        content=message.content,
        status=message.status,
        tools=tools,
        charts=[chart_view(c) for c in message.charts or []],
        checks=check_marks(message.verify) if message.verify else [],
        actions=[action_card(a) for a in message.actions],
    )


class ChatState(AuthState):
    conversations: list[ConversationItem] = []
    conversation_id: int = 0
    messages: list[MessageView] = []
    models: list[ModelOption] = []
    model_id: str = OFFLINE_MODEL_ID
    draft: str = ""
    streaming: bool = False
    stop_requested: bool = False
    error: str = ""
    suggested: list[str] = []
    history_open: bool = False
    rename_id: int = 0
    rename_title: str = ""
    rename_error: str = ""
    acting: bool = False  # a Confirm or Cancel is on its way

    @rx.var
    def can_send(self) -> bool:
        return bool(self.draft.strip()) and not self.streaming

    @rx.var
    def suggestions(self) -> list[str]:
        return self.suggested if not self.messages else []

    @rx.var
    def can_retry(self) -> bool:
        """The last question has no answer (the provider failed, or the page closed)."""
        return not self.streaming and bool(self.messages) and self.messages[-1].role == "user"

    @rx.var
    def offline_offered(self) -> bool:
        return self.can_retry and self.model_id != OFFLINE_MODEL_ID

    @rx.event
    async def load(self):
        """on_load: models, conversation list, and the open conversation's messages."""
        self.error = ""
        try:
            await self._refresh(reset_model=True)
            if self.conversation_id:
                await self._load_messages(self.conversation_id)
        except DomainError as exc:
            self.error = exc.message

    async def _refresh(self, *, reset_model: bool = False) -> None:
        """Re-read models and conversations; ``reset_model`` selects the user's default model
        (on each visit, so a key or default saved in Settings takes effect)."""

        def read(session, user):
            return (
                llm_settings.list_models(session=session, user_id=user.id),
                llm_settings.default_model_id(session=session, user_id=user.id),
                conversations.list_conversations(session=session, user_id=user.id),
                suggestions.suggested_questions(session=session, user_id=user.id),
            )

        models, default, listed, self.suggested = await self.as_user(read)
        self.models = [ModelOption(id=m.id, label=m.label) for m in models if m.available]
        if reset_model or self.model_id not in {m.id for m in self.models}:
            self.model_id = default
        self.conversations = [
            ConversationItem(id=c.id, title=c.title, updated=short_date(c.updated_at))
            for c in listed
        ]
        if self.conversation_id not in {c.id for c in listed}:
            self.conversation_id = 0
            self.messages = []

    async def _load_messages(self, conversation_id: int) -> None:
        stored = await self.as_user(
            lambda session, user: conversations.list_messages(
                session=session, user_id=user.id, conversation_id=conversation_id
            )
        )
        self.conversation_id = conversation_id
        self.messages = [message_view(m) for m in stored if shown(m)]

    @rx.event
    async def open_conversation(self, conversation_id: int):
        if self.streaming:
            return
        self.error, self.history_open = "", False
        try:
            await self._load_messages(conversation_id)
        except DomainError as exc:
            self.error = exc.message

    @rx.event
    def new_conversation(self):
        if self.streaming:
            return
        self.conversation_id = 0
        self.messages = []
        self.error, self.history_open = "", False

    @rx.event
    def set_history_open(self, value: bool):
        self.history_open = value

    @rx.event
    def start_rename(self, conversation_id: int, title: str):
        self.rename_id, self.rename_title, self.rename_error = conversation_id, title, ""
        self.history_open = False  # one dialog at a time on phones

    @rx.event
    def cancel_rename(self):
        self.rename_id, self.rename_error = 0, ""

    @rx.event
    def set_rename_title(self, value: str):
        self.rename_title = value

    @rx.event
    async def save_rename(self, _form: dict):
        conversation_id, title = self.rename_id, self.rename_title
        try:
            await self.as_user(
                lambda session, user: conversations.rename_conversation(
                    session=session, user_id=user.id, conversation_id=conversation_id, title=title
                )
            )
            self.rename_id, self.rename_error = 0, ""
            await self._refresh()
        except DomainError as exc:
            self.rename_error = exc.message

    @rx.event
    async def delete_conversation(self, conversation_id: int):
        if self.streaming:
            return
        try:
            await self.as_user(
                lambda session, user: conversations.delete_conversation(
                    session=session, user_id=user.id, conversation_id=conversation_id
                )
            )
            if conversation_id == self.conversation_id:
                self.conversation_id = 0
                self.messages = []
            await self._refresh()
        except DomainError as exc:
            self.error = exc.message

    @rx.event
    async def confirm_action(self, action_id: str, add_to_workout: bool):
        """Run the write the coach proposed (no model round-trip), as a new workout or added to
        today's; the answer says what happened."""
        if self._may_decide(action_id):
            yield  # the buttons show as busy at once
            await self._decide(
                functools.partial(pending.confirm, add_to_workout=add_to_workout), action_id
            )

    @rx.event
    async def cancel_action(self, action_id: str):
        if self._may_decide(action_id):
            yield
            await self._decide(pending.cancel, action_id)

    def _may_decide(self, action_id: str) -> bool:
        """Only a card still pending, one at a time, never while an answer streams (a second
        tap of the same button finds it decided and does nothing)."""
        open_card = any(
            card.id == action_id and card.status == "pending"
            for message in self.messages
            for card in message.actions
        )
        if self.streaming or self.acting or not self.conversation_id or not open_card:
            return False
        self.acting, self.error = True, ""
        return True

    async def _decide(self, decision, action_id: str) -> None:
        conversation_id = self.conversation_id
        try:
            await self.as_user(
                lambda session, user: decision(
                    session=session,
                    user_id=user.id,
                    conversation_id=conversation_id,
                    action_id=action_id,
                )
            )
        except DomainError as exc:
            self.error = exc.message
        finally:
            self.acting = False
        try:
            await self._load_messages(conversation_id)
            await self._refresh()
        except DomainError as exc:
            self.error = exc.message

    @rx.event
    def set_draft(self, value: str):
        self.draft = value

    @rx.event
    def set_model(self, value: str):
        self.model_id = value

    @rx.event
    def stop(self):
        self.stop_requested = True

    @rx.event
    def ask(self, question: str):
        """A suggested question: put it in the composer and send it."""
        self.draft = question
        return ChatState.send

    @rx.event
    def submit(self, _form: dict):
        return ChatState.send

    @rx.event(background=True)
    async def send(self):
        """Run one turn in the background; every agent event updates the page."""
        async with self:
            message = self.draft.strip()
            if not message or self.streaming:
                return
            self.draft = ""
            self.messages.append(MessageView(role="user", content=message))
            conversation_id, model_id = self.conversation_id, self.model_id

        def start(session, user):
            return agent.start_turn(
                session=session,
                user_id=user.id,
                message=message,
                conversation_id=conversation_id or None,
                model_id=model_id,
            )

        await self._run(start)

    @rx.event(background=True)
    async def retry(self, model_id: str):
        """Answer the unanswered last question again, with ``model_id`` or the chosen model."""
        async with self:
            if not self.can_retry or not self.conversation_id:
                return
            if model_id:
                self.model_id = model_id
            conversation_id, chosen = self.conversation_id, self.model_id

        await self._run(
            lambda session, user: agent.retry_turn(
                session=session, user_id=user.id, conversation_id=conversation_id, model_id=chosen
            )
        )

    async def _run(self, start) -> None:
        """Start a turn with ``start(session, user)`` and stream its answer into the page."""
        async with self:
            if self.streaming:
                return
            self.streaming, self.stop_requested, self.error = True, False, ""
            self.messages.append(MessageView(role="assistant", content="", status="streaming"))
            token = self.token
        try:
            turn = await off_thread(auth.run_as_user, token=token, work=start)
        except DomainError as exc:
            async with self:
                self.messages = self.messages[:-1]
                self.error = exc.message
                self.streaming = False
            return
        async with self:
            self.conversation_id = turn.conversation_id
        await self._consume(agent.stream_turn(turn))
        async with self:
            self.streaming = False
            try:
                await self._refresh()
            except DomainError as exc:
                self.error = exc.message

    async def _consume(self, stream) -> None:
        """Apply events in small batches; stop (closing the stream) when asked to."""
        pending: list[ChatEvent] = []
        last_flush = time.monotonic()
        try:
            async for event in stream:
                pending.append(event)
                urgent = not isinstance(event, TokenEvent)
                if urgent or time.monotonic() - last_flush >= FLUSH_SECONDS:
                    async with self:
                        self._apply(pending)
                        stop = self.stop_requested
                    pending, last_flush = [], time.monotonic()
                    if stop:
                        break
        finally:
            await stream.aclose()  # a stop or a closed page: the agent saves the partial text
            async with self:
                self._apply(pending)
                if self.messages and self.messages[-1].status == "streaming":
                    self.messages[-1].status = "partial" if self.stop_requested else "complete"
                    self.messages = list(self.messages)

    def _apply(self, events: list[ChatEvent]) -> None:
        if not events or not self.messages:
            return
        answer = self.messages[-1]
        for event in events:
            if isinstance(event, TokenEvent):
                answer.content += event.text
            elif isinstance(event, ToolStartEvent):
                answer.tools.append(
                    ToolChip(
                        id=event.id, label=TOOL_LABELS.get(event.name, event.name), status="running"
                    )
                )
            elif isinstance(event, ToolEndEvent):
                for chip in answer.tools:
                    if chip.id == event.id:
                        chip.status = chip_status(ok=event.ok, proposed=event.pending is not None)
                        chip.summary = event.summary
                if event.pending is not None:
                    answer.actions.append(action_card(event.pending))
            elif isinstance(event, ChartEvent):
                answer.charts.append(chart_view(event.chart))
            elif isinstance(event, VerifyEvent):
                answer.checks = check_marks(event.verification)
            elif isinstance(event, DoneEvent):
                answer.status = "complete"
            elif isinstance(event, ErrorEvent):
                answer.status = "error"
                self.error = event.message
        if answer.status == "error" and not answer.content and not answer.tools:
            self.messages = self.messages[:-1]  # no empty bubble: the error says what happened
        else:
            self.messages = list(self.messages)
