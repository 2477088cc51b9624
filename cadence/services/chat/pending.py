"""The coach's writes wait for the user's yes in the chat.

In a chat turn (the LLM agent's or the offline coach's), ``log_workout``, ``update_workout`` and
``delete_workout`` do not run when they are called: the call is validated, described in words
and stored as a ``ChatAction`` (the user's, in that conversation, single-use, for
``ACTION_TTL``). The ``tool_end`` event carries it as ``pending``, and the chat shows a card
with Confirm and Cancel. ``confirm`` runs the stored call (no model round-trip) and stores what
happened as an assistant message, so the history and the model see it; ``cancel`` discards it.
MCP clients call the tools directly (``execute_tool``): they ask their user themselves, guided
by the tools' annotations.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import update
from sqlmodel import Session, col, select

from cadence.db import session_scope
from cadence.models.chat import ACTION_ID_LENGTH, ChatAction, ChatActionPublic
from cadence.models.common import as_utc, utcnow
from cadence.models.workout import Workout, WorkoutPublic
from cadence.services import preferences, workouts
from cadence.services.chat import conversations, gym_tools, tools
from cadence.services.chat.registry import BadToolCall, ToolContext, ToolResult, error_result
from cadence.services.errors import Conflict, DomainError, InvalidInput, NotFound

ACTION_TTL = timedelta(hours=1)

Proposer = Callable[..., str | None]
"""A tool's proposal: what running it would do, in words (``None``: nothing to confirm, the
tool runs at once, e.g. a workout already saved is only found)."""

CONFIRMED_IN_CHAT: dict[str, Proposer] = {
    "log_workout": tools.log_workout_proposal,
    "update_workout": gym_tools.update_workout_proposal,
    "delete_workout": gym_tools.delete_workout_proposal,
}


@dataclass(slots=True)
class Proposal(ToolResult):
    """A tool call stored for the user to confirm: ``summary`` tells the model so."""

    action: ChatActionPublic | None = None


def run_in_chat(
    *,
    user_id: int,
    conversation_id: int,
    today: date | None,
    name: str,
    arguments: dict[str, Any] | str,
) -> ToolResult:
    """Run one tool of a chat turn in its own transaction; a write listed in
    ``CONFIRMED_IN_CHAT`` is proposed (stored, not run) instead."""
    proposer = CONFIRMED_IN_CHAT.get(name)
    if proposer is None:
        return tools.execute_tool(user_id=user_id, today=today, name=name, arguments=arguments)
    try:
        tool, parsed = tools.TOOLS.parse(name, arguments)
    except BadToolCall as exc:
        return error_result(str(exc))
    with session_scope() as session:
        today = today or preferences.user_day(session=session, user_id=user_id).today()
        ctx = ToolContext(session=session, user_id=user_id, today=today)
        try:
            words = proposer(ctx, **dict(parsed))
        except DomainError as exc:  # e.g. another user's workout id
            return error_result(exc.message)
        except ValidationError as exc:  # e.g. a date the workout rules refuse
            return error_result(
                "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
            )
        if words is None:
            return tools.TOOLS.call(name, arguments, ctx)
        stored = parsed.model_dump(mode="json")
        if "confirmed" in tool.arguments_model.model_fields:
            stored["confirmed"] = True  # the user's Confirm is the yes the tool asks for
        into = None
        if name == "log_workout":
            if added := _added_before(
                session=session, user_id=user_id, arguments=stored, day=today
            ):
                return _already_added(session=session, action=added)
            if parsed.date in (None, today):  # "add to today's workout" means today's
                into = _day_workout(session=session, user_id=user_id, day=today)
        action = _open_action(
            session=session,
            user_id=user_id,
            conversation_id=conversation_id,
            tool=name,
            arguments=stored,
            day=today,
            summary=words,
            into=into,
        )
        return Proposal(
            summary=f"Not done yet: the user sees '{words}' with Confirm and Cancel buttons. "
            f"Tell them to press Confirm to go ahead; do not call {name} again for this.",
            data={"needs_confirmation": True, "action_id": action.id, "proposal": words},
            action=public(action),
        )


def _open_action(
    *,
    session: Session,
    user_id: int,
    conversation_id: int,
    tool: str,
    arguments: dict[str, Any],
    day: date,
    summary: str,
    into: WorkoutPublic | None,
) -> ChatAction:
    """The conversation's open proposal of this very call (a repeated message proposes it
    once), else a new one (offering to add to ``into``, the day's workout, when given)."""
    now = utcnow()
    for action in session.exec(
        select(ChatAction).where(
            ChatAction.user_id == user_id,
            ChatAction.conversation_id == conversation_id,
            ChatAction.tool == tool,
            ChatAction.status == "pending",
        )
    ).all():
        if action.arguments == arguments and action.day == day and as_utc(action.expires_at) > now:
            return action
    action = ChatAction(
        id=secrets.token_hex(ACTION_ID_LENGTH // 2),
        user_id=user_id,
        conversation_id=conversation_id,
        tool=tool,
        arguments=arguments,
        day=day,
        summary=summary,
        into_workout_id=into.id if into else None,
        into_summary=f"Add them to '{tools._workout_line(into)}'" if into else None,
        expires_at=now + ACTION_TTL,
    )
    session.add(action)
    session.flush()
    return action


# --- adding to the day's workout (log_workout) ----------------------------------------------


def _day_workout(*, session: Session, user_id: int, day: date) -> WorkoutPublic | None:
    """The workout logged last on ``day``: a logged workout may be added to it instead."""
    found = session.exec(
        select(Workout.id)
        .where(Workout.user_id == user_id, Workout.date == day)
        .order_by(col(Workout.created_at).desc(), col(Workout.id).desc())
        .limit(1)
    ).first()
    return (
        workouts.get_workout(session=session, user_id=user_id, workout_id=found) if found else None
    )


def _added_before(
    *, session: Session, user_id: int, arguments: dict[str, Any], day: date
) -> ChatAction | None:
    """The confirmed proposal that added these very exercises to a workout still there (a
    repeated message must not add them twice)."""
    for action in session.exec(
        select(ChatAction).where(
            ChatAction.user_id == user_id,
            ChatAction.tool == "log_workout",
            ChatAction.status == "confirmed",
            col(ChatAction.into_workout_id).is_not(None),
            ChatAction.day == day,
        )
    ).all():
        still_there = session.get(Workout, action.into_workout_id)
        if action.arguments == arguments and still_there and still_there.user_id == user_id:
            return action
    return None


def _already_added(*, session: Session, action: ChatAction) -> ToolResult:
    workout = workouts.get_workout(
        session=session, user_id=action.user_id, workout_id=action.into_workout_id
    )
    line = tools._workout_line(workout)
    return ToolResult(
        summary=f"Already added to workout #{workout.id} ({action.href}), not added twice: {line}.",
        data={"workout_id": workout.id, "line": line, "href": action.href, "repeated": True},
    )


def _add_to_day(ctx: ToolContext, action: ChatAction) -> ToolResult:
    """Append the proposal's exercises to the day's workout (through ``update_workout``)."""
    try:
        current = workouts.get_workout(
            session=ctx.session, user_id=ctx.user_id, workout_id=action.into_workout_id
        )
    except NotFound as exc:
        return error_result(exc.message)
    rows = [e.model_dump(mode="json") for e in current.exercises]
    arguments = {
        "workout_id": current.id,
        "exercises": [*rows, *action.arguments["exercises"]],
        "confirmed": True,
    }
    return tools.TOOLS.call("update_workout", arguments, ctx)


def attach(*, session: Session, action_ids: list[str], message_id: int) -> None:
    """Tie proposals to the assistant message that made them (the card shows under it)."""
    if action_ids:
        session.exec(
            update(ChatAction)
            .where(col(ChatAction.id).in_(action_ids))
            .values(message_id=message_id)
        )


def confirm(
    *,
    session: Session,
    user_id: int,
    conversation_id: int,
    action_id: str,
    add_to_workout: bool = False,
) -> ChatActionPublic:
    """Run a proposal once (``add_to_workout``: add a logged workout's exercises to the day's
    workout it offers instead): ``NotFound`` for another user's (or conversation's),
    ``Conflict`` when it was already confirmed or cancelled, or expired. A tool that fails (the
    workout was deleted meanwhile) leaves the proposal ``failed`` with the reason."""
    action = _claim(session=session, user_id=user_id, conversation_id=conversation_id, id=action_id)
    ctx = ToolContext(session=session, user_id=user_id, today=action.day)
    if add_to_workout:
        if action.into_workout_id is None:
            raise InvalidInput(
                "This proposal has no workout of that day to add to.", field="add_to_workout"
            )
        result = _add_to_day(ctx, action)
        done = f"Done: {result.summary}"
    else:
        action.into_workout_id = None  # kept only when added to: a repeat then finds it
        result = tools.TOOLS.call(action.tool, action.arguments, ctx)
        done = f"Done: {action.summary}."
    written = result.payload()
    workout_id = written.get("workout_id") if result.ok else None
    deleted = bool(written.get("deleted"))
    action.status = "confirmed" if result.ok else "failed"
    action.result = result.summary
    action.href = tools.workout_href(workout_id) if workout_id and not deleted else None
    words = done if result.ok else f"Not done: {result.summary}"
    link = f" [Open the workout]({action.href})" if action.href else ""
    _tell(
        session=session,
        action=action,
        content=words + link,
        tool_calls=[
            {
                "id": action.id,
                "name": action.tool,
                "arguments": action.arguments,
                "ok": result.ok,
                "summary": result.summary,
            }
        ],
    )
    return public(action)


def cancel(
    *, session: Session, user_id: int, conversation_id: int, action_id: str
) -> ChatActionPublic:
    """Discard a proposal (nothing runs); the same errors as ``confirm``."""
    action = _claim(session=session, user_id=user_id, conversation_id=conversation_id, id=action_id)
    action.status = "cancelled"
    _tell(session=session, action=action, content=f"Cancelled: {action.summary}. Nothing changed.")
    return public(action)


def _claim(*, session: Session, user_id: int, conversation_id: int, id: str) -> ChatAction:
    """Take a pending, unexpired proposal for one use (a second, concurrent use finds it taken)."""
    action = session.get(ChatAction, id)
    if action is None or action.user_id != user_id or action.conversation_id != conversation_id:
        raise NotFound("Action not found.")
    if action.status != "pending":
        raise Conflict(f"This action was already {action.status}.")
    now = utcnow()
    if as_utc(action.expires_at) <= now:
        raise Conflict("This proposal expired; ask the coach again.")
    taken = session.exec(
        update(ChatAction)
        .where(col(ChatAction.id) == id, col(ChatAction.status) == "pending")
        .values(status="taken", decided_at=now)
    )
    if taken.rowcount != 1:
        raise Conflict("This action was already used.")
    session.refresh(action)
    return action


def _tell(
    *,
    session: Session,
    action: ChatAction,
    content: str,
    tool_calls: list[dict[str, Any]] | None = None,
) -> None:
    """Store what became of a proposal as an assistant message of its conversation."""
    session.add(action)
    conversations.save_assistant_message(
        session=session,
        conversation_id=action.conversation_id,
        content=content,
        status="complete",
        model_id=None,
        tool_calls=tool_calls or [],
        charts=[],
    )


def public(action: ChatAction) -> ChatActionPublic:
    return ChatActionPublic.of(action, now=utcnow())
