"""Strong and Hevy CSV exports (one row per set) imported as Cadence workouts.

Layouts read (header names exactly as the apps write them; comma or semicolon separated):

- **Strong** current: ``"Workout #","Date","Workout Name","Duration (sec)","Exercise Name",
  "Set Order","Weight (kg)"`` (or ``"Weight (lbs)"``) ``,"Reps","RPE","Distance (meters)","Seconds",
  "Notes","Workout Notes"``; ``Set Order`` is a number, ``W`` (warm-up), ``D`` (drop set), ``F``
  (failure), or ``Rest Timer`` / ``Note`` rows (skipped).
- **Strong** older: ``Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,...`` with
  ``Duration`` like ``1h 5m``; weights follow a ``Weight Unit`` column (``kg``/``lbs``) when there
  is one; otherwise (that export does not say which unit the app used) in the unit chosen for
  the import (``POST /imports?weight_unit=lb``), else the user's weight unit; the preview of a
  dry run says which (``weight_unit_assumed``).
- **Hevy**: ``"title","start_time","end_time","description","exercise_title","superset_id",
  "exercise_notes","set_index","set_type","weight_kg"`` (or ``"weight_lbs"``) ``,"reps",...,"rpe"``
  with times like ``15 Jan 2024, 08:30`` (or ``May 7, 2026, 6:13 AM`` from US locales) and
  ``set_type`` ``normal|warmup|dropset|failure``.

Dates and times in any layout these apps have written are read with ``python-dateutil``
(``parse_time``). Rules: pounds become kg (x 0.45359237, 2 decimals). Warm-up sets are kept
as ``warmup`` rows, so they add volume but never bests or PRs. Rows without reps (cardio, timed
holds, rest timers) are skipped and counted. Consecutive sets of one exercise at one weight
become one exercise row (``reps`` ``"5"`` or ``"5,5,3"``). The workout date is the local date
the app wrote.

Each workout gets a stable ``external_id`` (app + start time + name, hashed), so importing the
same file again stores nothing new: those workouts are counted as ``duplicates``. A bad line is
reported as ``"<file> line N: ..."`` and skipped; the rest of the file is still imported. One bad
value never loses a workout: a set with impossible reps (above 999) or weight (above 1000 kg) is
left out, an RPE outside 1-10 or a duration above 24 h (a timer left running) is dropped from an
otherwise kept set or workout, each reported by line with the reason.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import itertools
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from dateutil import parser as date_parser
from pydantic import ValidationError
from sqlmodel import Session

from cadence.models.preferences import WeightUnit
from cadence.models.workout import (
    MAX_DURATION_MINUTES,
    MAX_EXERCISES,
    MAX_NOTES_LENGTH,
    MAX_REPS_VALUE,
    MAX_SETS,
    MAX_WEIGHT_KG,
    MAX_WORKOUT_NAME_LENGTH,
    WorkoutCreate,
)
from cadence.services import preferences, workouts
from cadence.services.importers.base import ImportResult

LB_TO_KG = 0.45359237
PREVIEW_WORKOUTS = 10
_UNIT_COLUMNS = {"Weight (kg)", "Weight (lbs)", "Weight Unit", "weight_kg", "weight_lbs"}
_DURATION_PART = re.compile(r"(\d+)\s*([hms])")


MAX_PENDING_SETS = 2_000
"""Sets held in memory before the workouts read so far are stored."""
MAX_SETS_KEPT = MAX_EXERCISES * MAX_SETS
"""The most sets one workout can hold (its rows merge into at most ``MAX_EXERCISES`` rows of
``MAX_SETS``); further sets are reported and left out."""
MAX_LINE_CHARS = 256 * 1024


class RowError(ValueError):
    """A user-facing reason why one CSV line was not imported."""


def _lines(text: io.TextIOBase) -> Iterator[str]:
    """The file's lines, refusing one longer than ``MAX_LINE_CHARS`` (a file without line
    breaks must not be read into memory whole)."""
    while line := text.readline(MAX_LINE_CHARS + 1):
        if len(line) > MAX_LINE_CHARS:
            raise RowError(f"a line is longer than {MAX_LINE_CHARS} characters")
        yield line


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

    def __init__(
        self, header: list[str], row: list[str], decimal_comma: bool, unitless_pounds: bool = False
    ) -> None:
        self._index = {name: i for i, name in enumerate(header)}
        self._row = row
        self._decimal_comma = decimal_comma
        self.unitless_pounds = unitless_pounds
        self.problems: list[str] = []
        """Bad values dropped from this line while the rest of it is kept."""

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
        if value > MAX_REPS_VALUE:
            raise RowError(
                f"{int(value)} reps is more than {MAX_REPS_VALUE} (a typo?); this set is left "
                "out, the rest of the workout is kept"
            )
        return int(value)

    def rpe(self, name: str) -> float | None:
        """The RPE, or ``None`` (and a problem noted, the set kept) when it is out of range."""
        try:
            value = self.number(name, "RPE")
        except RowError as exc:
            self.problems.append(f"{exc}; the set is kept without an RPE")
            return None
        if value is not None and not 1 <= value <= 10:
            self.problems.append(
                f"RPE '{self.text(name)}' is not between 1 and 10; the set is kept without an RPE"
            )
            return None
        return value


class _StrengthCsvImporter(ABC):
    """Shared reading, grouping and storing; subclasses map one app's columns."""

    kind = ""
    header_markers: tuple[str, ...] = ()

    def __init__(self, *, unitless_unit: WeightUnit | None = None) -> None:
        self.unitless_unit = unitless_unit
        """The unit of weights in a file that does not say it (older Strong exports): the
        import's choice, else (``None``) the user's weight unit."""
        self.unitless_pounds = False
        self.unit_stated = True

    def matches(self, *, filename: str, head: bytes) -> bool:
        if not filename.lower().endswith(".csv"):
            return False
        first_line = head.decode("utf-8-sig", errors="replace").splitlines()[:1]
        return bool(first_line) and all(marker in first_line[0] for marker in self.header_markers)

    def run(
        self, *, session: Session, user_id: int, filename: str, stream: BinaryIO, dry_run: bool
    ) -> ImportResult:
        result = ImportResult()
        stored = preferences.stored(session=session, user_id=user_id)
        self.unitless_pounds = (self.unitless_unit or stored.weight_unit) == "lb"
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        try:
            for batch in self._parse(_lines(text), filename=filename, result=result):
                self._store(
                    batch,
                    session=session,
                    user_id=user_id,
                    filename=filename,
                    result=result,
                    dry_run=dry_run,
                )
        except UnicodeDecodeError:
            result.errors.append(f"{filename}: not UTF-8 text; export the CSV again from the app.")
        except (csv.Error, RowError) as exc:
            result.errors.append(f"{filename}: {exc}; the rest of the file was not read.")
        finally:
            text.detach()  # the caller owns ``stream``
        return result

    def _unit_note(self) -> dict:
        """For a file that does not say its weight unit: the unit its weights were read in,
        so the preview can ask whether that is right (import again with ``weight_unit``)."""
        if self.unit_stated:
            return {}
        return {"weight_unit_assumed": "lb" if self.unitless_pounds else "kg"}

    # --- per-app mapping ------------------------------------------------------------------------

    @abstractmethod
    def parse_row(self, cells: _Columns) -> ParsedRow:
        """The row's workout and set (``set`` is ``None`` for non-set rows); ``RowError`` if bad."""

    @abstractmethod
    def required_columns(self, header: list[str]) -> list[str]:
        """The columns this layout needs that ``header`` lacks."""

    # --- shared ---------------------------------------------------------------------------------

    def _parse(
        self, lines: Iterator[str], *, filename: str, result: ImportResult
    ) -> Iterator[list[ParsedWorkout]]:
        """The file's workouts, read row by row and handed out in batches: a batch ends when a
        new workout starts after ``MAX_PENDING_SETS`` sets, so memory stays bounded whatever
        the file's length (both apps write a workout's rows together)."""
        first_line = next(lines, "")
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
        reader = csv.reader(itertools.chain([first_line], lines), delimiter=delimiter)
        header = [name.strip() for name in next(reader, [])]
        self.unit_stated = bool(_UNIT_COLUMNS & set(header))
        missing = self.required_columns(header)
        if missing:
            result.errors.append(f"{filename}: missing column(s) {', '.join(missing)}.")
            return
        found: dict[str, ParsedWorkout] = {}
        reported: set[tuple[str, str]] = set()
        pending = 0
        line = reader.line_num + 1
        for row in reader:
            if any(cell.strip() for cell in row):
                cells = _Columns(header, row, delimiter == ";", self.unitless_pounds)
                try:
                    parsed = self.parse_row(cells)
                    workout = found.get(parsed.workout.key)
                    if parsed.set is not None and workout is None and pending >= MAX_PENDING_SETS:
                        yield [w for w in found.values() if w.sets]
                        found, reported, pending = {}, set(), 0
                    if parsed.set is not None and workout and len(workout.sets) >= MAX_SETS_KEPT:
                        raise RowError(
                            f"workout '{workout.name}' has more than {MAX_SETS_KEPT} sets; "
                            "this set is left out"
                        )
                except RowError as exc:
                    result.errors.append(f"{filename} line {line}: {exc}")
                    result.add("skipped_rows")
                else:
                    for problem in cells.problems:
                        if (parsed.workout.key, problem) not in reported:  # once per workout
                            reported.add((parsed.workout.key, problem))
                            result.errors.append(f"{filename} line {line}: {problem}")
                    if parsed.set is None:
                        result.add("skipped_rows")
                    else:
                        workout = found.setdefault(parsed.workout.key, parsed.workout)
                        workout.notes = workout.notes or parsed.workout.notes
                        workout.sets.append(parsed.set)
                        pending += 1
            line = reader.line_num + 1
        yield [w for w in found.values() if w.sets]

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
                result.preview.append(
                    _preview(data, duplicate=duplicate, kind=self.kind) | self._unit_note()
                )
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
            date=parse_time(started, label="date").date(),
            notes=cells.text("Workout Notes"),
            duration_minutes=_checked_minutes(cells, _strong_minutes(cells)),
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
        start = parse_time(started, label="start_time")
        end_text = cells.text("end_time")
        end = parse_time(end_text, label="end_time") if end_text else None
        minutes = round((end - start).total_seconds() / 60) if end and end > start else None
        minutes = _checked_minutes(cells, minutes, shown=f"{started} to {end_text}")
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
    kg = round(weight * LB_TO_KG, 2) if pounds else weight
    if kg > MAX_WEIGHT_KG:
        unit = "lb" if pounds else "kg"
        raise RowError(
            f"weight {weight:g} {unit} is more than {MAX_WEIGHT_KG} kg (a typo?); this set is "
            "left out, the rest of the workout is kept"
        )
    return kg


def _strong_weight(cells: _Columns) -> float:
    if cells.has("Weight (lbs)"):
        return _kg(cells.number("Weight (lbs)", "weight") or 0.0, pounds=True)
    if cells.has("Weight (kg)"):
        return _kg(cells.number("Weight (kg)", "weight") or 0.0, pounds=False)
    unit = cells.text("Weight Unit").lower()
    if unit not in ("", "kg", "kgs", "lb", "lbs"):
        raise RowError(f"weight unit '{unit}' is not kg or lbs")
    pounds = unit.startswith("lb") if unit else cells.unitless_pounds
    return _kg(cells.number("Weight", "weight") or 0.0, pounds=pounds)


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


def parse_time(text: str, *, label: str) -> dt.datetime:
    """A date and time in any layout Strong or Hevy has written (``2026-05-07 06:13:00``,
    ``7 May 2026, 06:13``, ``May 7, 2026, 6:13 AM``...), read with ``python-dateutil``; a
    numeric day and month separated by dots is day first (European), by slashes month first
    (US) unless the first number is above 12. The error names the layout that failed."""
    if not re.search(r"\d{4}", text):
        raise RowError(f"{label} '{text}' ({_layout(text)}) has no four-digit year")
    parsed = _parsed_time(text)
    if parsed is None:
        raise RowError(f"{label} '{text}' ({_layout(text)}) is not a readable date")
    return parsed


@functools.lru_cache(maxsize=64)
def _parsed_time(text: str) -> dt.datetime | None:
    """``dateutil``'s reading of ``text`` (cached: every set row of a workout repeats its
    start time, and parsing is the costliest step of a row)."""
    try:
        return date_parser.parse(text, dayfirst=bool(_DOTTED_DATE.search(text)))
    except (ValueError, OverflowError):
        return None


_DOTTED_DATE = re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{2,4}\b")
_MONTH_WORD = re.compile(r"[A-Za-z]+")


def _layout(text: str) -> str:
    """The shape of a date as written: ``May 7, 2026, 6:13 AM`` is
    ``layout 'Mon D, YYYY, D:DD AM'`` (words are Mon, AM or PM, digits D, four digits YYYY)."""
    shape = _MONTH_WORD.sub(
        lambda m: m.group().upper() if m.group().upper() in ("AM", "PM") else "Mon", text
    )
    shape = re.sub(r"\d{4}", "YYYY", shape)
    shape = re.sub(r"\d{1,2}", lambda m: "D" * len(m.group()), shape)
    return f"layout '{shape}'"


def _checked_minutes(cells: _Columns, minutes: int | None, *, shown: str = "") -> int | None:
    """A workout's minutes, or ``None`` (the workout kept, the problem noted) above 24 h."""
    if minutes is None or minutes <= MAX_DURATION_MINUTES:
        return minutes
    seconds = cells.text("Duration (sec)")
    written = (
        shown
        or (f"{seconds} s" if seconds else "")
        or cells.text("Duration")
        or cells.text("Workout Duration")
    )
    cells.problems.append(
        f"workout duration '{written}' is more than 24 h (a timer left running?); the workout is "
        "kept without a duration"
    )
    return None


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
