"""Strong and Hevy CSV exports (one row per set) imported as Cadence workouts.

Layouts read (header names exactly as the apps write them; comma or semicolon separated):

- **Strong** current: ``"Workout #","Date","Workout Name","Duration (sec)","Exercise Name",
  "Set Order","Weight (kg)"`` (or ``"Weight (lbs)"``) ``,"Reps","RPE","Distance (meters)","Seconds",
  "Notes","Workout Notes"``; ``Set Order`` is a number, ``W`` (warm-up), ``D`` (drop set), ``F``
  (failure), or ``Rest Timer`` / ``Note`` rows (skipped).
- **Strong** older: ``Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,...`` with
  ``Duration`` like ``1h 5m``; weights follow a ``Weight Unit`` column (``kg``/``lbs``) when there
  is one, otherwise they are taken as **kg** (that export does not say which unit the app used).
- **Hevy**: ``"title","start_time","end_time","description","exercise_title","superset_id",
  "exercise_notes","set_index","set_type","weight_kg"`` (or ``"weight_lbs"``) ``,"reps",...,"rpe"``
  with times like ``15 Jan 2024, 08:30`` and ``set_type`` ``normal|warmup|dropset|failure``.

Rules: pounds become kg (x 0.45359237, 2 decimals). Warm-up sets are kept as ``warmup`` rows, so
they add volume but never bests or PRs. Rows without reps (cardio, timed holds, rest timers) are
skipped and counted. Consecutive sets of one exercise at one weight become one exercise row
(``reps`` ``"5"`` or ``"5,5,3"``). The workout date is the local date the app wrote.

Each workout gets a stable ``external_id`` (app + start time + name, hashed), so importing the
same file again stores nothing new: those workouts are counted as ``duplicates``. A bad line is
reported as ``"<file> line N: ..."`` and skipped; the rest of the file is still imported.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import BinaryIO

from pydantic import ValidationError
from sqlmodel import Session

from cadence.models.workout import MAX_NOTES_LENGTH, MAX_WORKOUT_NAME_LENGTH, WorkoutCreate
from cadence.services import workouts
from cadence.services.importers.base import ImportResult

LB_TO_KG = 0.45359237
PREVIEW_WORKOUTS = 10
_DURATION_PART = re.compile(r"(\d+)\s*([hms])")


class RowError(ValueError):
    """A user-facing reason why one CSV line was not imported."""


@dataclass
class ParsedSet:
    exercise: str
    weight_kg: float
    reps: int
    rpe: float | None
    warmup: bool


@dataclass
class ParsedWorkout:
    """The sets of one workout, in file order."""

    key: str
    started: str
    name: str
    date: dt.date
    notes: str = ""
    duration_minutes: int | None = None
    sets: list[ParsedSet] = field(default_factory=list)


@dataclass
class ParsedRow:
    """One CSV line: the workout it belongs to, and its set (``None`` for non-set rows)."""

    workout: ParsedWorkout
    set: ParsedSet | None


class _Columns:
    """Cells of one row by header name."""

    def __init__(self, header: list[str], row: list[str], decimal_comma: bool) -> None:
        self._index = {name: i for i, name in enumerate(header)}
        self._row = row
        self._decimal_comma = decimal_comma

    def has(self, name: str) -> bool:
        return name in self._index

    def text(self, name: str) -> str:
        index = self._index.get(name)
        return self._row[index].strip() if index is not None and index < len(self._row) else ""

    def number(self, name: str, label: str) -> float | None:
        raw = self.text(name)
        if not raw:
            return None
        cleaned = raw.replace(",", ".") if self._decimal_comma else raw
        try:
            return float(cleaned)
        except ValueError:
            raise RowError(f"{label} '{raw}' is not a number") from None

    def reps(self, name: str) -> int | None:
        value = self.number(name, "reps")
        if value is None or value == 0:
            return None
        if value < 0 or value != int(value):
            raise RowError(f"reps '{self.text(name)}' is not a whole number")
        return int(value)

    def rpe(self, name: str) -> float | None:
        value = self.number(name, "RPE")
        if value is not None and not 1 <= value <= 10:
            raise RowError(f"RPE '{self.text(name)}' is not between 1 and 10")
        return value


class _StrengthCsvImporter(ABC):
    """Shared reading, grouping and storing; subclasses map one app's columns."""

    kind = ""
    header_markers: tuple[str, ...] = ()

    def matches(self, *, filename: str, head: bytes) -> bool:
        if not filename.lower().endswith(".csv"):
            return False
        first_line = head.decode("utf-8-sig", errors="replace").splitlines()[:1]
        return bool(first_line) and all(marker in first_line[0] for marker in self.header_markers)

    def run(
        self, *, session: Session, user_id: int, filename: str, stream: BinaryIO, dry_run: bool
    ) -> ImportResult:
        result = ImportResult()
        try:
            text = stream.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            result.errors.append(f"{filename}: not UTF-8 text; export the CSV again from the app.")
            return result
        parsed = self._parse(text, filename=filename, result=result)
        self._store(
            parsed,
            session=session,
            user_id=user_id,
            filename=filename,
            result=result,
            dry_run=dry_run,
        )
        return result

    # --- per-app mapping ------------------------------------------------------------------------

    @abstractmethod
    def parse_row(self, cells: _Columns) -> ParsedRow:
        """The row's workout and set (``set`` is ``None`` for non-set rows); ``RowError`` if bad."""

    @abstractmethod
    def required_columns(self, header: list[str]) -> list[str]:
        """The columns this layout needs that ``header`` lacks."""

    # --- shared ---------------------------------------------------------------------------------

    def _parse(self, text: str, *, filename: str, result: ImportResult) -> list[ParsedWorkout]:
        first_line = text.split("\n", 1)[0]
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        header = [name.strip() for name in next(reader, [])]
        missing = self.required_columns(header)
        if missing:
            result.errors.append(f"{filename}: missing column(s) {', '.join(missing)}.")
            return []
        found: dict[str, ParsedWorkout] = {}
        line = reader.line_num + 1
        for row in reader:
            if any(cell.strip() for cell in row):
                try:
                    parsed = self.parse_row(_Columns(header, row, delimiter == ";"))
                except RowError as exc:
                    result.errors.append(f"{filename} line {line}: {exc}")
                    result.add("skipped_rows")
                else:
                    if parsed.set is None:
                        result.add("skipped_rows")
                    else:
                        workout = found.setdefault(parsed.workout.key, parsed.workout)
                        workout.notes = workout.notes or parsed.workout.notes
                        workout.sets.append(parsed.set)
            line = reader.line_num + 1
        return [w for w in found.values() if w.sets]

    def _store(
        self,
        parsed: list[ParsedWorkout],
        *,
        session: Session,
        user_id: int,
        filename: str,
        result: ImportResult,
        dry_run: bool,
    ) -> None:
        known = workouts.external_ids(
            session=session, user_id=user_id, candidates=[w.key for w in parsed]
        )
        for workout in parsed:
            duplicate = workout.key in known
            try:
                data = _to_workout_create(workout)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(part) for part in first["loc"])
                result.errors.append(
                    f"{filename}: workout '{workout.name}' started {workout.started}: "
                    f"{where}: {first['msg']}"
                )
                continue
            if len(result.preview) < PREVIEW_WORKOUTS and dry_run:
                result.preview.append(_preview(data, duplicate=duplicate, kind=self.kind))
            if duplicate:
                result.add("duplicates")
                continue
            known.add(workout.key)
            result.add("workouts")
            result.add("sets", len(workout.sets))
            if not dry_run:
                workouts.create_workout(
                    session=session,
                    user_id=user_id,
                    data=data,
                    source=self.kind,
                    external_id=workout.key,
                )


class StrongCsvImporter(_StrengthCsvImporter):
    """Strong's "Export data" CSV (current and older layouts)."""

    kind = "strong_csv"
    header_markers = ("Exercise Name", "Set Order")

    def required_columns(self, header: list[str]) -> list[str]:
        needed = ["Date", "Workout Name", "Exercise Name", "Set Order", "Reps"]
        missing = [name for name in needed if name not in header]
        if not {"Weight (kg)", "Weight (lbs)", "Weight"} & set(header):
            missing.append("Weight (kg)")
        return missing

    def parse_row(self, cells: _Columns) -> ParsedRow:
        started = cells.text("Date")
        name = cells.text("Workout Name") or "Strong workout"
        workout = ParsedWorkout(
            key=_external_id("strong", started, name),
            started=started,
            name=name,
            date=_date_from_text(started[:10], started),
            notes=cells.text("Workout Notes"),
            duration_minutes=_strong_minutes(cells),
        )
        order = cells.text("Set Order")
        if order in ("Rest Timer", "Note"):
            return ParsedRow(workout=workout, set=None)
        if not (order.isdigit() or order in ("W", "D", "F")):
            raise RowError(f"set order '{order}' is not a set number or W/D/F")
        reps = cells.reps("Reps")
        if reps is None:
            return ParsedRow(workout=workout, set=None)
        return ParsedRow(
            workout=workout,
            set=ParsedSet(
                exercise=_exercise_name(cells.text("Exercise Name")),
                weight_kg=_strong_weight(cells),
                reps=reps,
                rpe=cells.rpe("RPE"),
                warmup=order == "W",
            ),
        )


class HevyCsvImporter(_StrengthCsvImporter):
    """Hevy's "Export workouts" CSV."""

    kind = "hevy_csv"
    header_markers = ("exercise_title", "set_type")

    def required_columns(self, header: list[str]) -> list[str]:
        needed = ["title", "start_time", "exercise_title", "set_type", "reps"]
        missing = [name for name in needed if name not in header]
        if not {"weight_kg", "weight_lbs"} & set(header):
            missing.append("weight_kg")
        return missing

    def parse_row(self, cells: _Columns) -> ParsedRow:
        started = cells.text("start_time")
        start = _hevy_time(started)
        end_text = cells.text("end_time")
        end = _hevy_time(end_text) if end_text else None
        minutes = round((end - start).total_seconds() / 60) if end and end > start else None
        name = cells.text("title") or "Hevy workout"
        workout = ParsedWorkout(
            key=_external_id("hevy", started, name),
            started=started,
            name=name,
            date=start.date(),
            notes=cells.text("description"),
            duration_minutes=minutes or None,
        )
        set_type = cells.text("set_type").lower() or "normal"
        if set_type not in ("normal", "warmup", "dropset", "failure"):
            raise RowError(f"set_type '{set_type}' is not normal, warmup, dropset or failure")
        reps = cells.reps("reps")
        if reps is None:
            return ParsedRow(workout=workout, set=None)
        pounds = cells.has("weight_lbs") and not cells.has("weight_kg")
        weight = cells.number("weight_lbs" if pounds else "weight_kg", "weight") or 0.0
        return ParsedRow(
            workout=workout,
            set=ParsedSet(
                exercise=_exercise_name(cells.text("exercise_title")),
                weight_kg=_kg(weight, pounds=pounds),
                reps=reps,
                rpe=cells.rpe("rpe"),
                warmup=set_type == "warmup",
            ),
        )


def _external_id(app: str, started: str, name: str) -> str:
    digest = hashlib.sha256(f"{app}\x1f{started}\x1f{name}".encode()).hexdigest()[:40]
    return f"{app}:{digest}"


def _exercise_name(name: str) -> str:
    if not name:
        raise RowError("the exercise name is empty")
    return name


def _kg(weight: float, *, pounds: bool) -> float:
    if weight < 0:
        raise RowError(f"weight {weight:g} is negative")
    return round(weight * LB_TO_KG, 2) if pounds else weight


def _strong_weight(cells: _Columns) -> float:
    if cells.has("Weight (lbs)"):
        return _kg(cells.number("Weight (lbs)", "weight") or 0.0, pounds=True)
    if cells.has("Weight (kg)"):
        return _kg(cells.number("Weight (kg)", "weight") or 0.0, pounds=False)
    unit = cells.text("Weight Unit").lower()
    if unit not in ("", "kg", "kgs", "lb", "lbs"):
        raise RowError(f"weight unit '{unit}' is not kg or lbs")
    return _kg(cells.number("Weight", "weight") or 0.0, pounds=unit.startswith("lb"))


def _strong_minutes(cells: _Columns) -> int | None:
    seconds = cells.number("Duration (sec)", "duration") if cells.has("Duration (sec)") else None
    if seconds is None:
        text = cells.text("Duration") or cells.text("Workout Duration")
        parts = _DURATION_PART.findall(text)
        scale = {"h": 3600, "m": 60, "s": 1}
        seconds = sum(int(amount) * scale[unit] for amount, unit in parts) if parts else None
    if not seconds:
        return None
    return max(1, round(seconds / 60))


def _date_from_text(text: str, original: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise RowError(f"date '{original}' is not YYYY-MM-DD HH:MM:SS") from None


_HEVY_FORMATS: tuple[str, ...] = ("%d %b %Y, %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


def _hevy_time(text: str) -> dt.datetime:
    for pattern in _HEVY_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise RowError(f"time '{text}' is not like '15 Jan 2024, 08:30'")


def _merge_sets(sets: list[ParsedSet]) -> list[dict]:
    """Consecutive sets of one exercise at one weight (and warm-up flag) become one row."""
    rows: list[dict] = []
    for item in sets:
        if rows and _continues(rows[-1], item):
            rows[-1]["_reps"].append(item.reps)
            rows[-1]["_rpes"].append(item.rpe)
            continue
        rows.append(
            {
                "name": item.exercise,
                "weight_kg": item.weight_kg,
                "warmup": item.warmup,
                "_reps": [item.reps],
                "_rpes": [item.rpe],
            }
        )
    for row in rows:
        reps = row.pop("_reps")
        rpes = [r for r in row.pop("_rpes") if r is not None]
        row["sets"] = len(reps)
        row["reps"] = str(reps[0]) if len(set(reps)) == 1 else ",".join(map(str, reps))
        row["rpe"] = max(rpes) if rpes else None
    return rows


def _continues(row: dict, item: ParsedSet) -> bool:
    return (
        row["name"] == item.exercise
        and row["weight_kg"] == item.weight_kg
        and row["warmup"] == item.warmup
    )


def _to_workout_create(workout: ParsedWorkout) -> WorkoutCreate:
    return WorkoutCreate.model_validate(
        {
            "date": workout.date,
            "workout_name": workout.name[:MAX_WORKOUT_NAME_LENGTH],
            "notes": workout.notes[:MAX_NOTES_LENGTH],
            "duration_minutes": workout.duration_minutes,
            "exercises": _merge_sets(workout.sets),
        }
    )


def _preview(data: WorkoutCreate, *, duplicate: bool, kind: str) -> dict:
    return {
        "kind": kind,
        "date": data.date.isoformat(),
        "workout_name": data.workout_name,
        "exercises": len({e.name for e in data.exercises}),
        "sets": sum(e.sets for e in data.exercises),
        "duplicate": duplicate,
    }
