"""Workouts pages: the paginated list, the log/edit form and the detail view.

Every read and write goes through ``cadence.services.workouts`` as the signed-in user; rows are
turned into display-ready strings here so components stay presentational.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from urllib.parse import quote

import reflex as rx
from pydantic import ValidationError

from cadence import routes
from cadence.display import date_label, e1rm, number, plural
from cadence.models.gym import WorkoutPr
from cadence.models.workout import WorkoutCreate, WorkoutPublic
from cadence.services import exercises, workouts
from cadence.services.errors import DomainError
from cadence.services.strength import row_stats
from cadence.states.auth import AuthState

PER_PAGE = 20
LIST_ROUTE = routes.WORKOUTS
FORM_ROUTE = routes.WORKOUT_EDIT
DETAIL_ROUTE = routes.WORKOUT_VIEW
ROW_FIELDS = ("name", "sets", "reps", "weight", "rpe")
FORM_FIELDS = ("date", "name", "notes", "duration")
LOCAL_TODAY_JS = "new Date().toLocaleDateString('en-CA')"  # YYYY-MM-DD, local time
FIELD_LABELS = {
    "name": "name",
    "sets": "sets",
    "reps": "reps",
    "weight_kg": "weight",
    "rpe": "RPE",
    "date": "Date",
    "workout_name": "Workout name",
    "notes": "Notes",
    "duration_minutes": "Minutes",
    "exercises": "Exercises",
}


def set_summary(sets: int, reps: str, weight_kg: float) -> str:
    load = f"{number(weight_kg)} kg" if weight_kg > 0 else "bodyweight"
    return f"{sets} \u00d7 {reps} @ {load}"


def list_item(workout: WorkoutPublic) -> dict[str, str]:
    total_sets = sum(e.sets for e in workout.exercises)
    volume = sum(
        row_stats(sets=e.sets, reps=e.reps, weight_kg=e.weight_kg).volume_kg
        for e in workout.exercises
    )
    names = list(dict.fromkeys(e.name for e in workout.exercises))
    return {
        "id": str(workout.id),
        "href": f"{DETAIL_ROUTE}?id={workout.id}",
        "date": date_label(workout.date),
        "name": workout.workout_name,
        "summary": f"{plural(len(names), 'exercise')} \u00b7 {plural(total_sets, 'set')} \u00b7 "
        f"{number(volume)} kg",
        "exercises": ", ".join(names[:4]) + (" \u2026" if len(names) > 4 else ""),
    }


def pr_label(pr: WorkoutPr) -> str:
    kinds = [kind for kind, hit in (("e1RM", pr.e1rm), ("weight", pr.weight)) if hit]
    return f"\u2605 {' and '.join(kinds)} PR"


def detail_rows(workout: WorkoutPublic, prs: Sequence[WorkoutPr] = ()) -> list[dict[str, str]]:
    """One row per exercise row; an exercise's PR is marked on its first working row."""
    marks = {pr.name: pr_label(pr) for pr in prs}
    rows = []
    for entry in workout.exercises:
        stats = row_stats(sets=entry.sets, reps=entry.reps, weight_kg=entry.weight_kg)
        extras = [f"volume {number(stats.volume_kg)} kg"]
        if stats.e1rm_kg is not None and not entry.warmup:
            extras.append(f"e1RM {e1rm(stats.e1rm_kg)} kg")
        if entry.rpe is not None:
            extras.append(f"RPE {number(entry.rpe)}")
        if not entry.warmup and entry.name in marks:
            extras.append(marks.pop(entry.name))
        rows.append(
            {
                "name": entry.name + (" (warm-up)" if entry.warmup else ""),
                "sets": set_summary(entry.sets, entry.reps, entry.weight_kg),
                "extras": " \u00b7 ".join(extras),
                "href": f"/exercises?name={quote(entry.name)}",
            }
        )
    return rows


def error_lines(error: ValidationError) -> list[str]:
    """Field errors in words: ``Exercise 2 reps: reps 'abc' is not a number...``."""
    lines = []
    for item in error.errors():
        loc = [part for part in item["loc"] if part != "body"]
        message = item["msg"].removeprefix("Value error, ")
        if len(loc) >= 2 and loc[0] == "exercises" and isinstance(loc[1], int):
            where = f"Exercise {loc[1] + 1}"
            if len(loc) > 2:
                where += f" {FIELD_LABELS.get(str(loc[2]), loc[2])}"
        else:
            where = FIELD_LABELS.get(str(loc[0]), str(loc[0])) if loc else "Workout"
        lines.append(f"{where}: {message}")
    return lines


class WorkoutListState(AuthState):
    items: list[dict[str, str]] = []
    page: int = 1
    total: int = 0
    loaded: bool = False
    error: str = ""

    @rx.var
    def pages(self) -> int:
        return max(1, math.ceil(self.total / PER_PAGE))

    @rx.var
    def page_label(self) -> str:
        return f"Page {self.page} of {self.pages} \u00b7 {plural(self.total, 'workout')}"

    @rx.event
    async def load(self):
        raw = self.router.url.query_parameters.get("page", "1")
        self.page = int(raw) if str(raw).isdigit() and int(raw) > 0 else 1
        await self._fetch()

    async def _fetch(self) -> None:
        page = self.page
        try:
            result = await self.as_user(
                lambda session, user: workouts.list_workouts(
                    session=session, user_id=user.id, page=page, per_page=PER_PAGE
                )
            )
        except DomainError as exc:
            self.error = exc.message
            return
        self.error = ""
        self.total = result.total
        self.items = [list_item(w) for w in result.workouts]
        self.loaded = True

    @rx.event
    async def go_to(self, page: int):
        self.page = max(1, min(page, self.pages))
        await self._fetch()


class WorkoutFormState(AuthState):
    """The log/edit form. ``?id=N`` edits workout N; ``?from=N`` or ``?from=latest`` starts from
    a copy of workout N or of the last workout (dated today)."""

    workout_id: int = 0
    form_date: str = ""
    form_name: str = ""
    form_notes: str = ""
    form_duration: str = ""
    rows: list[dict[str, str]] = []
    next_key: int = 0
    suggestions: list[str] = []
    errors: list[str] = []
    notice: str = ""
    saving: bool = False
    loaded: bool = False

    @rx.var
    def heading(self) -> str:
        return "Edit workout" if self.workout_id else "Log workout"

    @rx.var
    def max_date(self) -> str:
        return (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)).isoformat()

    def _blank_row(self) -> dict[str, str]:
        self.next_key += 1
        return {
            "key": str(self.next_key),
            "name": "",
            "sets": "3",
            "reps": "",
            "weight": "",
            "rpe": "",
            "warmup": "",
        }

    def _fill(self, workout: WorkoutPublic | None, *, copy: bool) -> None:
        today = dt.datetime.now(dt.UTC).date().isoformat()
        self.rows = []
        if workout is None:
            self.form_date, self.form_name, self.form_notes, self.form_duration = today, "", "", ""
            self.rows = [self._blank_row()]
            return
        self.form_date = today if copy else workout.date.isoformat()
        self.form_name = workout.workout_name
        self.form_notes = "" if copy else workout.notes
        self.form_duration = (
            "" if copy or workout.duration_minutes is None else str(workout.duration_minutes)
        )
        for entry in workout.exercises:
            row = self._blank_row()
            row.update(
                name=entry.name,
                sets=str(entry.sets),
                reps=entry.reps,
                weight=number(entry.weight_kg).replace(",", ""),
                rpe="" if entry.rpe is None else number(entry.rpe),
                warmup="1" if entry.warmup else "",
            )
            self.rows.append(row)

    @rx.event
    async def load(self):
        params = self.router.url.query_parameters
        edit_id, source = str(params.get("id", "")), str(params.get("from", ""))
        self.errors, self.notice, self.saving, self.loaded = [], "", False, False
        self.workout_id = editing = int(edit_id) if edit_id.isdigit() else 0

        def read(session, user):
            names = [e.name for e in exercises.library(session=session, user_id=user.id).exercises]
            if editing:
                return names, workouts.get_workout(
                    session=session, user_id=user.id, workout_id=editing
                )
            if source == "latest":
                return names, workouts.latest_workout(session=session, user_id=user.id)
            if source.isdigit():
                return names, workouts.get_workout(
                    session=session, user_id=user.id, workout_id=int(source)
                )
            return names, None

        try:
            self.suggestions, workout = await self.as_user(read)
        except DomainError as exc:
            self.errors = [exc.message]
            self.workout_id = 0
            self._fill(None, copy=False)
        else:
            self._fill(workout, copy=not self.workout_id)
            if source and workout is not None and not self.workout_id:
                self.notice = (
                    f"Started from \u201c{workout.workout_name}\u201d of "
                    f"{date_label(workout.date)}: adjust and save."
                )
        self.loaded = True
        if not self.workout_id:  # a new workout is dated today in the browser's time zone
            yield rx.call_script(LOCAL_TODAY_JS, callback=WorkoutFormState.set_local_today)

    @rx.event
    def set_local_today(self, value: str):
        try:
            dt.date.fromisoformat(str(value))
        except ValueError:
            return
        if not self.workout_id:
            self.form_date = str(value)

    @rx.event
    def set_row_field(self, index: int, field: str, value: str):
        if 0 <= index < len(self.rows) and field in ROW_FIELDS:
            self.rows[index][field] = value

    @rx.event
    def set_row_warmup(self, index: int, checked: bool):
        if 0 <= index < len(self.rows):
            self.rows[index]["warmup"] = "1" if checked else ""

    @rx.event
    def add_row(self):
        self.rows.append(self._blank_row())

    @rx.event
    def remove_row(self, index: int):
        if 0 <= index < len(self.rows) and len(self.rows) > 1:
            self.rows.pop(index)

    @rx.event
    def move_row(self, index: int, offset: int):
        target = index + offset
        if 0 <= index < len(self.rows) and 0 <= target < len(self.rows):
            self.rows[index], self.rows[target] = self.rows[target], self.rows[index]

    @rx.event
    def set_form(self, field: str, value: str):
        """Set one workout-level field (``date``, ``name``, ``notes`` or ``duration``)."""
        if field in FORM_FIELDS:
            setattr(self, f"form_{field}", value)

    def _payload(self) -> dict:
        def optional_number(text: str) -> str | None:
            return text.strip().replace(",", ".") or None

        return {
            "date": self.form_date,
            "workout_name": self.form_name.strip() or "Workout",
            "notes": self.form_notes,
            "duration_minutes": optional_number(self.form_duration),
            "exercises": [
                {
                    "name": row["name"],
                    "sets": row["sets"].strip() or "0",
                    "reps": row["reps"],
                    "weight_kg": optional_number(row["weight"]) or "0",
                    "rpe": optional_number(row["rpe"]),
                    "warmup": row.get("warmup") == "1",
                }
                for row in self.rows
                if row["name"].strip() or row["reps"].strip() or row["weight"].strip()
            ],
        }

    @rx.event
    async def save(self):
        self.errors, self.notice = [], ""
        try:
            data = WorkoutCreate.model_validate(self._payload())
        except ValidationError as exc:
            self.errors = error_lines(exc)
            return
        self.saving = True
        yield
        workout_id = self.workout_id

        def write(session, user):
            if workout_id:
                return workouts.update_workout(
                    session=session, user_id=user.id, workout_id=workout_id, data=data
                )
            return workouts.create_workout(session=session, user_id=user.id, data=data)

        try:
            saved = await self.as_user(write)
        except DomainError as exc:
            self.errors = [exc.message]
            self.saving = False
            return
        self.saving = False
        yield rx.redirect(f"{DETAIL_ROUTE}?id={saved.id}")


class WorkoutDetailState(AuthState):
    workout_id: int = 0
    name: str = ""
    date: str = ""
    notes: str = ""
    meta: str = ""
    rows: list[dict[str, str]] = []
    error: str = ""
    loaded: bool = False

    @rx.var
    def edit_href(self) -> str:
        return f"{FORM_ROUTE}?id={self.workout_id}"

    @rx.var
    def repeat_href(self) -> str:
        return f"{FORM_ROUTE}?from={self.workout_id}"

    @rx.event
    async def load(self):
        raw = str(self.router.url.query_parameters.get("id", ""))
        self.loaded, self.error = False, ""
        if not raw.isdigit():
            self.error = "No workout was chosen."
            self.loaded = True
            return
        workout_id = int(raw)
        try:
            workout, prs = await self.as_user(
                lambda session, user: (
                    workouts.get_workout(session=session, user_id=user.id, workout_id=workout_id),
                    exercises.workout_prs(session=session, user_id=user.id, workout_id=workout_id),
                )
            )
        except DomainError as exc:
            self.error = exc.message
            self.loaded = True
            return
        self.workout_id = workout.id
        self.name = workout.workout_name
        self.date = date_label(workout.date)
        self.notes = workout.notes
        summary = list_item(workout)["summary"]
        minutes = f" \u00b7 {workout.duration_minutes} min" if workout.duration_minutes else ""
        self.meta = summary + minutes
        self.rows = detail_rows(workout, prs)
        self.loaded = True

    @rx.event
    async def delete(self):
        workout_id = self.workout_id
        try:
            await self.as_user(
                lambda session, user: workouts.delete_workout(
                    session=session, user_id=user.id, workout_id=workout_id
                )
            )
        except DomainError as exc:
            self.error = exc.message
            return
        yield rx.redirect(LIST_ROUTE)
