"""The exercise catalogue (free-exercise-db, public domain, shipped in ``cadence/data``), the
user's custom exercises, and the one identity of every logged exercise.

A logged row's identity is the name key of its canonical exercise. A name that is a catalogue or
custom exercise is its own identity; another name ("Bench Press (Barbell)" from Strong, "bench
press" typed by hand) keeps its own key until the user confirms a mapping, which re-keys every
row already logged under it, so the library, history, PRs and the coach see one exercise.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from sqlalchemy import update
from sqlmodel import Session, col, select

from cadence.models.chat import DB_INT_MAX
from cadence.models.gym import (
    CatalogExercise,
    CatalogPage,
    CustomExercise,
    CustomExerciseCreate,
    ExerciseAlias,
    MappingConfirm,
    MappingPublic,
    MappingSuggestion,
    MappingSuggestions,
)
from cadence.models.workout import WorkoutExercise, exercise_name_key
from cadence.services.errors import Conflict, InvalidInput, NotFound

CATALOG_FILE = Path(__file__).resolve().parents[1] / "data" / "free_exercise_db" / "exercises.json"
CUSTOM_PREFIX = "custom-"
MAX_CATALOG_PER_PAGE = 1000
SUGGESTIONS_PER_NAME = 5
MAX_UNMAPPED_NAMES = 200
_WORD = re.compile(r"[a-z0-9]+")
_EQUIPMENT_WORDS = {"barbell", "dumbbell", "cable", "machine", "kettlebell", "band", "smith"}
_NEUTRAL_WORDS = {"medium", "grip"}  # "Medium Grip" is the default variant, not a different lift
# names of one lift the catalogue spells one way ("Barbell Shoulder Press", "Standing Military
# Press"): Strong's and Hevy's "Overhead Press (Barbell)" is that lift, not a bench press
_SAME_LIFT = (("overhead press", "shoulder press"), ("military press", "shoulder press"))


@lru_cache(maxsize=1)
def builtin_catalog() -> tuple[CatalogExercise, ...]:
    """The shipped catalogue, read once per process (about 0.8 MB)."""
    raw = json.loads(CATALOG_FILE.read_text(encoding="utf-8"))
    return tuple(
        CatalogExercise(
            id=item["id"],
            name=item["name"],
            category=item["category"],
            equipment=item["equipment"],
            primary_muscles=item["primaryMuscles"],
            secondary_muscles=item["secondaryMuscles"],
            instructions=item["instructions"],
        )
        for item in raw
    )


@lru_cache(maxsize=1)
def _builtin_by_key() -> dict[str, CatalogExercise]:
    return {exercise_name_key(item.name): item for item in builtin_catalog()}


def _custom_public(row: CustomExercise) -> CatalogExercise:
    return CatalogExercise(
        id=f"{CUSTOM_PREFIX}{row.id}",
        name=row.name,
        category="strength",
        equipment=row.equipment,
        primary_muscles=row.primary_muscles,
        secondary_muscles=row.secondary_muscles,
        instructions=[],
        custom=True,
    )


def _customs(session: Session, user_id: int) -> list[CatalogExercise]:
    rows = session.exec(
        select(CustomExercise)
        .where(CustomExercise.user_id == user_id)
        .order_by(col(CustomExercise.name))
    ).all()
    return [_custom_public(row) for row in rows]


def search_catalog(
    *,
    session: Session,
    user_id: int,
    q: str | None = None,
    muscle: str | None = None,
    equipment: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> CatalogPage:
    """The user's custom exercises then the catalogue, filtered: every word of ``q`` in the name
    (any case), ``muscle`` a primary or secondary muscle, ``equipment`` exact (any case); names
    starting with ``q`` come first."""
    if page < 1:
        raise InvalidInput("page must be at least 1", field="page")
    if not 1 <= per_page <= MAX_CATALOG_PER_PAGE:
        raise InvalidInput(
            f"per_page must be between 1 and {MAX_CATALOG_PER_PAGE}", field="per_page"
        )
    words = _WORD.findall((q or "").casefold())
    found = [
        item
        for item in [*_customs(session, user_id), *builtin_catalog()]
        if _matches(item, words=words, muscle=muscle, equipment=equipment)
    ]
    prefix = " ".join(words)
    found.sort(key=lambda item: (not item.custom, not item.name.casefold().startswith(prefix)))
    start = (page - 1) * per_page
    return CatalogPage(exercises=found[start : start + per_page], total=len(found))


def _matches(
    item: CatalogExercise, *, words: Sequence[str], muscle: str | None, equipment: str | None
) -> bool:
    name = item.name.casefold()
    if any(word not in name for word in words):
        return False
    if muscle and muscle.casefold() not in (*item.primary_muscles, *item.secondary_muscles):
        return False
    return not equipment or (item.equipment or "").casefold() == equipment.casefold()


def create_custom(*, session: Session, user_id: int, data: CustomExerciseCreate) -> CatalogExercise:
    """Add an exercise of the user's own; ``Conflict`` when the catalogue or the user has it."""
    key = exercise_name_key(data.name)
    if key in _builtin_by_key():
        raise Conflict(f"'{_builtin_by_key()[key].name}' is already in the catalogue.")
    exists = session.exec(
        select(CustomExercise.id).where(
            CustomExercise.user_id == user_id, CustomExercise.name_key == key
        )
    ).first()
    if exists is not None:
        raise Conflict(f"You already have an exercise named '{data.name}'.")
    row = CustomExercise(
        user_id=user_id,
        name=data.name,
        name_key=key,
        equipment=data.equipment,
        primary_muscles=[m.casefold() for m in data.primary_muscles],
        secondary_muscles=[m.casefold() for m in data.secondary_muscles],
    )
    session.add(row)
    session.flush()
    return _custom_public(row)


def find_exercise(*, session: Session, user_id: int, exercise_id: str) -> CatalogExercise:
    """A catalogue entry or one of the user's exercises by id; ``NotFound`` otherwise."""
    if exercise_id.startswith(CUSTOM_PREFIX):
        number = exercise_id.removeprefix(CUSTOM_PREFIX)
        row = (
            session.exec(
                select(CustomExercise).where(
                    CustomExercise.id == int(number), CustomExercise.user_id == user_id
                )
            ).first()
            if number.isdigit() and int(number) <= DB_INT_MAX
            else None
        )
        if row is not None:
            return _custom_public(row)
    else:
        for item in builtin_catalog():
            if item.id == exercise_id:
                return item
    raise NotFound(f"No exercise with id '{exercise_id}'.")


def identity_keys(*, session: Session, user_id: int, names: Iterable[str]) -> dict[str, str]:
    """Each name's identity key: its confirmed mapping's, else its own name key."""
    own = {name: exercise_name_key(name) for name in names}
    if not own:
        return {}
    aliases = dict(
        session.exec(
            select(ExerciseAlias.name_key, ExerciseAlias.exercise_key).where(
                ExerciseAlias.user_id == user_id,
                col(ExerciseAlias.name_key).in_(set(own.values())),
            )
        ).all()
    )
    return {name: aliases.get(key, key) for name, key in own.items()}


def aliases(*, session: Session, user_id: int) -> dict[str, str]:
    """The user's confirmed mappings: a name's key -> the identity key it counts as."""
    return dict(
        session.exec(
            select(ExerciseAlias.name_key, ExerciseAlias.exercise_key).where(
                ExerciseAlias.user_id == user_id
            )
        ).all()
    )


def confirm_mapping(*, session: Session, user_id: int, data: MappingConfirm) -> MappingPublic:
    """Record that ``data.name`` is ``data.exercise_id`` and re-key the rows logged under it."""
    target = find_exercise(session=session, user_id=user_id, exercise_id=data.exercise_id)
    key = exercise_name_key(data.name)
    target_key = exercise_name_key(target.name)
    if key in _builtin_by_key() and key != target_key:
        raise InvalidInput(
            f"'{data.name}' is itself a catalogue exercise; it cannot be mapped.", field="name"
        )
    alias = session.exec(
        select(ExerciseAlias).where(ExerciseAlias.user_id == user_id, ExerciseAlias.name_key == key)
    ).first() or ExerciseAlias(user_id=user_id, name_key=key, exercise_key="", exercise_name="")
    old_key = alias.exercise_key or key
    alias.exercise_key = target_key
    alias.exercise_name = target.name
    session.add(alias)
    # names already mapped onto this one follow it
    session.execute(
        update(ExerciseAlias)
        .where(col(ExerciseAlias.user_id) == user_id, col(ExerciseAlias.exercise_key) == key)
        .values(exercise_key=target_key, exercise_name=target.name)
    )
    result = session.execute(
        update(WorkoutExercise)
        .where(
            col(WorkoutExercise.user_id) == user_id,
            col(WorkoutExercise.name_key).in_({key, old_key} - {target_key}),
        )
        .values(name_key=target_key)
    )
    session.flush()
    return MappingPublic(
        name=data.name,
        exercise_id=target.id,
        exercise_name=target.name,
        rows_updated=result.rowcount or 0,
    )


def unmapped_names(*, session: Session, user_id: int) -> MappingSuggestions:
    """Names the user logged or imported that are neither a catalogue nor a custom exercise nor
    mapped yet, each with the likeliest catalogue matches for the user to confirm."""
    keys = session.exec(
        select(WorkoutExercise.name_key, WorkoutExercise.name)
        .where(WorkoutExercise.user_id == user_id)
        .distinct()
        .limit(MAX_UNMAPPED_NAMES * 4)
    ).all()
    known = {exercise_name_key(item.name) for item in _customs(session, user_id)}
    known |= set(_builtin_by_key())
    known |= set(
        session.exec(
            select(ExerciseAlias.exercise_key).where(ExerciseAlias.user_id == user_id)
        ).all()
    )
    names: dict[str, str] = {}
    for key, name in keys:
        if key not in known:
            names.setdefault(key, name)
    return MappingSuggestions(
        names=[
            MappingSuggestion(name=name, suggestions=suggest(name))
            for name in sorted(names.values())[:MAX_UNMAPPED_NAMES]
        ]
    )


def suggest(name: str) -> list[CatalogExercise]:
    """The catalogue entries most like ``name``: most of its words, fewest others.

    Strong's "Bench Press (Barbell)" and a typed "bench press" both rank "Barbell Bench Press -
    Medium Grip" first: an equipment word in brackets counts like any other, and when no
    equipment is named the barbell version is preferred (the usual meaning in a gym). An
    overhead or military press is a shoulder press.
    """
    words = _words(name)
    if not words:
        return []
    words_with_default = words if words & _EQUIPMENT_WORDS else words | {"barbell"}
    scored = []
    for item in builtin_catalog():
        item_words = _words(item.name)
        shared = len(words & item_words)
        if not shared:
            continue
        bonus = len((words_with_default - words) & item_words)
        extra = len(item_words - words_with_default - _NEUTRAL_WORDS)
        scored.append((-(shared + bonus) / len(words_with_default), extra, item.name, item))
    scored.sort(key=lambda entry: entry[:3])
    return [entry[3] for entry in scored[:SUGGESTIONS_PER_NAME]]


def _words(name: str) -> set[str]:
    text = name.casefold()
    for spelling, canonical in _SAME_LIFT:
        text = text.replace(spelling, canonical)
    return set(_WORD.findall(text))
