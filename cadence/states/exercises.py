"""Exercise library page: search, per-exercise bests and the progress chart with PRs."""

from __future__ import annotations

import reflex as rx

from cadence.display import DASH, e1rm, number
from cadence.models.workout import ExerciseHistory, LibraryExercise
from cadence.services import exercises
from cadence.services.errors import DomainError
from cadence.states.auth import AuthState


def library_row(entry: LibraryExercise) -> dict[str, str]:
    best = f"{number(entry.best_weight_kg)} kg" if entry.best_weight_kg else "bodyweight"
    best_e1rm = f"{e1rm(entry.best_e1rm_kg)} kg" if entry.best_e1rm_kg is not None else DASH
    return {
        "name": entry.name,
        "times": f"{entry.times_logged}\u00d7 \u00b7 last {entry.last_performed:%-d %b %Y}",
        "best": best,
        "e1rm": best_e1rm,
        "volume": f"{number(entry.total_volume_kg)} kg",
    }


def chart_points(history: ExerciseHistory) -> list[dict]:
    """One point per workout: e1RM (line), volume (bars) and the e1RM again where it was a PR."""
    return [
        {
            "date": f"{p.date:%-d %b %y}",
            "e1rm": p.e1rm_kg,
            "volume": p.volume_kg,
            "pr": p.e1rm_kg if p.e1rm_pr else None,
        }
        for p in history.points
    ]


def pr_lines(history: ExerciseHistory) -> list[str]:
    lines = []
    for p in reversed(history.points):
        kinds = [k for k, flag in (("e1RM", p.e1rm_pr), ("weight", p.weight_pr)) if flag]
        if kinds and p.top_weight_kg is not None:
            lines.append(
                f"{p.date:%-d %b %Y}: {' and '.join(kinds)} PR \u2014 top set "
                f"{number(p.top_weight_kg)} kg \u00d7 {p.top_reps}"
                + (f", e1RM {e1rm(p.e1rm_kg)} kg" if p.e1rm_kg is not None else "")
            )
    return lines


class ExerciseLibraryState(AuthState):
    search: str = ""
    items: list[dict[str, str]] = []
    selected: str = ""
    points: list[dict] = []
    prs: list[str] = []
    sessions_label: str = ""
    loaded: bool = False
    error: str = ""

    @rx.event
    async def load(self):
        self.search, self.error = "", ""
        await self._fetch_library()
        names = [item["name"] for item in self.items]
        wanted = str(self.router.url.query_parameters.get("name", ""))
        if not wanted and names:
            wanted = self.selected if self.selected in names else names[0]
        if wanted:
            await self._fetch_history(wanted)
        else:
            self.selected, self.points, self.prs = "", [], []
        self.loaded = True

    async def _fetch_library(self) -> None:
        search = self.search
        try:
            library = await self.as_user(
                lambda session, user: exercises.library(
                    session=session, user_id=user.id, search=search
                )
            )
        except DomainError as exc:
            self.error = exc.message
            return
        self.items = [library_row(e) for e in library.exercises]

    async def _fetch_history(self, name: str) -> None:
        try:
            history = await self.as_user(
                lambda session, user: exercises.exercise_history(
                    session=session, user_id=user.id, name=name
                )
            )
        except DomainError as exc:
            self.error = exc.message
            self.selected, self.points, self.prs = "", [], []
            return
        self.error = ""
        self.selected = history.name
        self.points = chart_points(history)
        self.prs = pr_lines(history)
        count = len(history.points)
        self.sessions_label = f"{count} session{'s' if count != 1 else ''}"

    @rx.event
    async def set_search(self, value: str):
        self.search = value[:100]
        await self._fetch_library()

    @rx.event
    async def select(self, name: str):
        """Chart the tapped exercise and bring the chart into view (on phones it sits above
        the list, far out of sight)."""
        await self._fetch_history(name)
        return rx.scroll_to("selected-exercise")
