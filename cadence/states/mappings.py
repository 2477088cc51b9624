"""Exercise names to confirm: each logged or imported name that is not a catalogue exercise yet,
with the likeliest catalogue match; confirming makes every row under the name count as it."""

from __future__ import annotations

import reflex as rx

from cadence.models.gym import MappingConfirm, MappingSuggestions
from cadence.services import catalog
from cadence.services.errors import DomainError
from cadence.states.auth import AuthState
from cadence.states.exercises import ExerciseLibraryState


class ExerciseMappingState(AuthState):
    # one row per name: name, choice (the suggestion shown), index of it, count of suggestions
    pending: list[dict[str, str]] = []
    mapping_error: str = ""
    mapping_notice: str = ""
    _choices: dict[str, list[tuple[str, str]]] = {}

    def _show(self, found: MappingSuggestions) -> None:
        self._choices = {
            item.name: [(s.id, s.name) for s in item.suggestions]
            for item in found.names
            if item.suggestions
        }
        self.pending = [self._row(name, 0) for name in self._choices]

    def _row(self, name: str, index: int) -> dict[str, str]:
        choices = self._choices[name]
        return {
            "name": name,
            "choice": choices[index][1],
            "index": str(index),
            "more": "true" if len(choices) > 1 else "",
        }

    @rx.event
    async def load(self):
        self.mapping_error, self.mapping_notice = "", ""
        try:
            found = await self.as_user(
                lambda session, user: catalog.unmapped_names(session=session, user_id=user.id)
            )
        except DomainError as exc:
            self.mapping_error = exc.message
            return
        self._show(found)

    @rx.event
    def next_choice(self, name: str):
        """Show the next suggestion for ``name`` (wrapping around)."""
        if name not in self._choices:
            return
        rows = {row["name"]: row for row in self.pending}
        index = (int(rows[name]["index"]) + 1) % len(self._choices[name])
        self.pending = [
            self._row(row["name"], index) if row["name"] == name else row for row in self.pending
        ]

    @rx.event
    async def confirm(self, name: str):
        row = next((r for r in self.pending if r["name"] == name), None)
        if row is None:
            return None
        exercise_id = self._choices[name][int(row["index"])][0]
        data = MappingConfirm(name=name, exercise_id=exercise_id)
        try:
            done = await self.as_user(
                lambda session, user: catalog.confirm_mapping(
                    session=session, user_id=user.id, data=data
                )
            )
        except DomainError as exc:
            self.mapping_error = exc.message
            return None
        self.mapping_notice = f"“{name}” now counts as {done.exercise_name}."
        self.pending = [r for r in self.pending if r["name"] != name]
        return ExerciseLibraryState.load
