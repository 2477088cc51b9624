"""The coach's gym-mode tools (shared with MCP through ``TOOLS``): the exercise catalogue,
routines, and changing or deleting a logged workout.

``update_workout`` and ``delete_workout`` change stored data, so they run only with
``confirmed=true``: called without it they describe what would change and ask for the user's
explicit yes first. In the chat they never run from the model's call: the user confirms the
proposal on a card (``services/chat/pending.py``); MCP clients pass ``confirmed=true``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from cadence.models.chat import DB_INT_MAX
from cadence.models.gym import LOGGER_ROUTE
from cadence.models.workout import ExerciseEntry, WorkoutCreate, WorkoutPublic
from cadence.services import catalog, exercises, routines, workouts
from cadence.services.chat.registry import ToolContext, ToolEffect, ToolResult
from cadence.services.chat.tools import TOOLS, _workout_line

WorkoutId = Annotated[int, Field(ge=1, le=DB_INT_MAX, description="The workout's id.")]
Confirmed = Annotated[
    bool,
    Field(description="true only after the user said yes to this exact change in the chat."),
]
MAX_FOUND = 15


@TOOLS.register
def search_exercise_catalog(
    ctx: ToolContext,
    *,
    query: Annotated[str | None, Field(max_length=100, description="Words of the name.")] = None,
    muscle: Annotated[
        str | None, Field(max_length=40, description="e.g. hamstrings, chest, quadriceps")
    ] = None,
    equipment: Annotated[
        str | None, Field(max_length=40, description="e.g. barbell, dumbbell, body only")
    ] = None,
) -> ToolResult:
    """Search the exercise catalogue (873 exercises plus the user's own) by name, muscle and
    equipment; each match says when the user last did it and their last top set."""
    found = catalog.search_catalog(
        session=ctx.session,
        user_id=ctx.user_id,
        q=query,
        muscle=muscle,
        equipment=equipment,
        per_page=MAX_FOUND,
    )
    if not found.exercises:
        return ToolResult(summary="No catalogue exercise matches.", data={"total": 0})
    keys = catalog.identity_keys(
        session=ctx.session, user_id=ctx.user_id, names=[e.name for e in found.exercises]
    )
    history = {
        p.key: p
        for p in exercises.previous_values(session=ctx.session, user_id=ctx.user_id).exercises
    }
    lines, rows = [], []
    for item in found.exercises:
        done = history.get(keys[item.name])
        last = (
            f"last done {done.date.isoformat()}, top set {max(s.weight_kg for s in done.sets):g} kg"
            if done and done.sets
            else "never logged"
        )
        muscles = ", ".join(item.primary_muscles) or "n/a"
        lines.append(f"{item.name} ({item.equipment or 'no equipment'}; {muscles}; {last})")
        rows.append(
            {
                "id": item.id,
                "name": item.name,
                "equipment": item.equipment,
                "primary_muscles": item.primary_muscles,
                "last_done": done.date.isoformat() if done else None,
            }
        )
    summary = f"{found.total} matches; first {len(lines)}: " + " | ".join(lines)
    return ToolResult(summary=summary, data={"total": found.total, "exercises": rows})


@TOOLS.register
def list_routines(ctx: ToolContext) -> ToolResult:
    """The user's routines (workout templates) with their exercises."""
    found = routines.list_routines(session=ctx.session, user_id=ctx.user_id).routines
    if not found:
        return ToolResult(
            summary="No routines yet: finish a workout in the live logger and save it as one.",
            data={"routines": []},
        )
    lines = [
        f"#{r.id} {r.name}: " + ", ".join(dict.fromkeys(e.name for e in r.exercises)) for r in found
    ]
    return ToolResult(
        summary=f"{len(found)} routines: " + " | ".join(lines),
        data={"routines": [{"id": r.id, "name": r.name} for r in found]},
    )


@TOOLS.register
def start_workout_from_routine(
    ctx: ToolContext,
    *,
    routine_id: Annotated[int, Field(ge=1, le=DB_INT_MAX, description="The routine's id.")],
) -> ToolResult:
    """Prepare a workout from a routine with last time's weights and reps, and the link that
    opens it in the live logger (nothing is stored until the user finishes it there)."""
    draft = routines.start_from_routine(
        session=ctx.session, user_id=ctx.user_id, routine_id=routine_id
    )
    link = f"{LOGGER_ROUTE}?routine={routine_id}"
    sets = ", ".join(f"{e.name} {e.weight_kg:g} kg x {e.reps}" for e in draft.exercises)
    return ToolResult(
        summary=f"{draft.workout_name}: {len(draft.exercises)} sets ready ({sets}). "
        f"Open {link} to log it.",
        data={"link": link, "sets": len(draft.exercises), "workout_name": draft.workout_name},
    )


CHANGES_A_WORKOUT = ToolEffect(writes=True, destructive=True, idempotent=True)


@TOOLS.register(effect=CHANGES_A_WORKOUT)
def update_workout(
    ctx: ToolContext,
    *,
    workout_id: WorkoutId,
    exercises: Annotated[
        list[ExerciseEntry],
        Field(min_length=1, max_length=50, description="The workout's exercises, replacing all."),
    ],
    workout_name: Annotated[
        str | None, Field(max_length=200, description="A new title; default: unchanged.")
    ] = None,
    confirmed: Confirmed = False,
) -> ToolResult:
    """Replace a logged workout's exercises (and name). Ask the user first: call with
    confirmed=false to describe the change, and with confirmed=true only after they agree."""
    if not confirmed:
        change = update_workout_proposal(
            ctx, workout_id=workout_id, exercises=exercises, workout_name=workout_name
        )
        return ToolResult(
            summary=f"Not changed yet. Ask the user to confirm: {change}; then call again with "
            "confirmed=true.",
            data={"needs_confirmation": True, "workout_id": workout_id},
        )
    current = workouts.get_workout(session=ctx.session, user_id=ctx.user_id, workout_id=workout_id)
    updated = workouts.update_workout(
        session=ctx.session,
        user_id=ctx.user_id,
        workout_id=workout_id,
        data=_replacement(current, exercises, workout_name),
    )
    return ToolResult(
        summary=f"Updated workout #{workout_id}: {_workout_line(updated)}.",
        data={"workout_id": workout_id},
    )


@TOOLS.register(effect=CHANGES_A_WORKOUT)
def delete_workout(
    ctx: ToolContext, *, workout_id: WorkoutId, confirmed: Confirmed = False
) -> ToolResult:
    """Delete a logged workout. Ask the user first: call with confirmed=false to name it, and
    with confirmed=true only after they agree."""
    if not confirmed:
        return ToolResult(
            summary=f"Not deleted yet. Ask the user to confirm: "
            f"{delete_workout_proposal(ctx, workout_id=workout_id)}; then call again with "
            "confirmed=true.",
            data={"needs_confirmation": True, "workout_id": workout_id},
        )
    current = workouts.get_workout(session=ctx.session, user_id=ctx.user_id, workout_id=workout_id)
    workouts.delete_workout(session=ctx.session, user_id=ctx.user_id, workout_id=workout_id)
    return ToolResult(
        summary=f"Deleted workout #{workout_id} ({_workout_line(current)}).",
        data={"workout_id": workout_id, "deleted": True},
    )


def update_workout_proposal(
    ctx: ToolContext,
    *,
    workout_id: int,
    exercises: list[ExerciseEntry],
    workout_name: str | None = None,
    confirmed: bool = False,
) -> str:
    """What ``update_workout`` would change, in words (``NotFound`` for another's workout)."""
    current = workouts.get_workout(session=ctx.session, user_id=ctx.user_id, workout_id=workout_id)
    replacement = _replacement(current, exercises, workout_name)
    return f"Change '{_workout_line(current)}' to '{_workout_line(replacement)}'"


def _replacement(
    current: WorkoutPublic, exercises: list[ExerciseEntry], workout_name: str | None
) -> WorkoutCreate:
    """The workout with its exercises (and name) replaced, the rest kept."""
    return WorkoutCreate(
        date=current.date,
        workout_name=workout_name or current.workout_name,
        notes=current.notes,
        duration_minutes=current.duration_minutes,
        exercises=exercises,
    )


def delete_workout_proposal(ctx: ToolContext, *, workout_id: int, confirmed: bool = False) -> str:
    """What ``delete_workout`` would remove, in words (``NotFound`` for another's workout)."""
    current = workouts.get_workout(session=ctx.session, user_id=ctx.user_id, workout_id=workout_id)
    return f"Delete '{_workout_line(current)}'"
