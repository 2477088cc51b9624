"""Show your work: every number an answer states, traced to the tool result it came from.

The checker knows nothing of the tools' exact shapes. It walks every leaf of each tool result as
JSON (``model_dump(mode="json")`` or plain dicts), keeping its path (``tool``, ``field``) and the
day it belongs to (the nearest ``date`` beside or above it), reads the numbers written inside
string leaves and the tool's summary, and adds Cadence's own definitions (the analytics
thresholds) and the tool calls' arguments. Then each number the answer states with a unit, a date
or a metric's name is compared with those facts in a common base unit (seconds, metres,
kilograms, fractions), within the rounding the two numbers were written with:

- matched → ``verified`` (with the source's tool, field and day);
- unmatched in a sentence that recommends ("you should sleep 8.5 h", "aim for 3 sessions") →
  ``advice``;
- unmatched otherwise → ``unverified`` ("not found in your data").

Known limits (docs/coach.md): computed differences and ratios the tools did not return are
unverified (except "N % of X"), a number matching an unrelated value of the same unit passes, and
advice is recognised by its words only.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from cadence.models.chat import Span, Verification, VerifiedSpan
from cadence.services import analytics
from cadence.services.units import KG_PER_LB, METRES_PER_KM, METRES_PER_MILE

Dimension = Literal[
    "duration", "distance", "mass", "ms", "bpm", "fraction", "count", "load", "date"
]
MAX_FACTS = 50_000
"""Leaves read per check (a turn's results are compact; streams are not asked for by default)."""

# unit word → (dimension, factor to the dimension's base unit)
UNITS: dict[str, tuple[Dimension, float]] = {
    "s": ("duration", 1.0),
    "sec": ("duration", 1.0),
    "secs": ("duration", 1.0),
    "second": ("duration", 1.0),
    "seconds": ("duration", 1.0),
    "min": ("duration", 60.0),
    "mins": ("duration", 60.0),
    "minute": ("duration", 60.0),
    "minutes": ("duration", 60.0),
    "h": ("duration", 3600.0),
    "hr": ("duration", 3600.0),
    "hrs": ("duration", 3600.0),
    "hour": ("duration", 3600.0),
    "hours": ("duration", 3600.0),
    "m": ("distance", 1.0),
    "km": ("distance", METRES_PER_KM),
    "mi": ("distance", METRES_PER_MILE),
    "mile": ("distance", METRES_PER_MILE),
    "miles": ("distance", METRES_PER_MILE),
    "kg": ("mass", 1.0),
    "kgs": ("mass", 1.0),
    "lb": ("mass", KG_PER_LB),
    "lbs": ("mass", KG_PER_LB),
    "pounds": ("mass", KG_PER_LB),
    "ms": ("ms", 1.0),
    "bpm": ("bpm", 1.0),
    "%": ("fraction", 0.01),
    "percent": ("fraction", 0.01),
    "au": ("load", 1.0),
    "trimp": ("load", 1.0),
}
COUNT_WORDS = (
    "sessions|session|workouts|workout|nights|night|days|day|sets|set|reps|rep|readings|reading"
    "|laps|lap|steps|runs|run|rides|ride|prs|pr|weeks|week|activities|activity|times"
)
METRIC_WORDS = re.compile(
    r"(score|fitness|fatigue|form|acwr|ratio|monotony|readiness|load|trimp|e1rm|1rm|hrv|"
    r"heart rate|hr|steps|strain|recovery|battery|stress|spo2|respiratory rate|volume)"
    r"[^0-9\n.;:!?]{0,24}$",
    re.IGNORECASE,
)
ADVICE_WORDS = re.compile(
    r"\b(should|aim(ing)? (for|at)|try( to)?|target|recommend\w*|consider|at least|no more than"
    r"|goal|ideally|plan (for|on)|keep (it |them )?(under|below|above)|tonight|tomorrow"
    r"|next week|build up|increase|reduce|cap|limit)\b",
    re.IGNORECASE,
)
ADVICE_REACH = 24
"""Characters before a number within which an advice word makes it advice ("should sleep 8 h")."""
THRESHOLD_WORDS = re.compile(
    r"(above|below|over|under|more than|less than|fewer than|range|between|threshold|flag"
    r"|needs?|at least|≥|≤|>|<|green|yellow|red|of)\s*\(?\s*[^0-9\n]{0,12}$",
    re.IGNORECASE,
)
_NUMBER = r"[-+\u2212]?(?:\d{1,3}(?:[,\u202f\u00a0 ]\d{3})+|\d+)(?:\.\d+)?"
_UNIT = r"(?:" + "|".join(sorted((re.escape(u) for u in UNITS), key=len, reverse=True)) + r")"
CLAIM = re.compile(
    r"(?P<date>\b\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?\b)"
    r"|(?P<clock>\b\d{1,2}:\d{2}(?::\d{2})?\b)(?P<pace>\s*/\s*(?:km|mi)\b)?"
    r"|(?P<md>\b\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{1,2}\b)"
    r"|(?<![\w#.])(?P<num>" + _NUMBER + r")"
    r"(?:\s*(?:-|\u2013|to)\s*(?P<num2>" + _NUMBER + r"))?"
    r"(?P<window>-day)?"
    r"(?:\s?(?P<unit>" + _UNIT + r"|/100)(?![\w])"
    r"|\s(?P<count>" + COUNT_WORDS + r")\b)?"
    r"(?![\w.]\d)(?![a-z])",
    re.IGNORECASE,
)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_SENTENCE_END = re.compile(r"[.!?\n](?:\s|$)|;|\n")


# --- sources and claims ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ToolOutput:
    """One tool call of the turn or the conversation: its arguments, result data and summary."""

    tool: str
    arguments: Mapping[str, Any]
    data: Any
    summary: str


@dataclass(frozen=True, slots=True)
class Fact:
    """One value a source gave, in its dimension's base unit (``None``: dimension unknown)."""

    tool: str
    field: str
    day: str | None
    base: float
    tolerance: float
    dimension: Dimension | None


@dataclass(frozen=True, slots=True)
class Claim:
    start: int
    end: int
    text: str
    base: float  # dates: their ordinal
    tolerance: float
    dimension: Dimension | None  # None: a unitless number after a metric's name
    day: str | None = None  # dates: the ISO day
    of_base: float | None = None  # "81 % of 8 h": the 8 h in base units


# --- facts from sources ------------------------------------------------------------------------


def reference_facts() -> list[Fact]:
    """Cadence's own definitions, accepted where the answer quotes a threshold or a window."""
    refs: list[tuple[str, float, Dimension | None]] = [
        ("GREEN_MIN", analytics.GREEN_MIN, None),
        ("YELLOW_MIN", analytics.RED_MAX + 1, None),
        ("YELLOW_MAX", analytics.GREEN_MIN - 1, None),
        ("RED_MAX", analytics.RED_MAX, None),
        ("ACWR_FLAG", analytics.ACWR_FLAG, None),
        ("ACWR_LOW", analytics.ACWR_LOW, None),
        ("ACWR_CRITICAL", analytics.ACWR_CRITICAL, None),
        ("MONOTONY_FLAG", analytics.MONOTONY_FLAG, None),
        ("SLEEP_DEBT_FLAG_HOURS", analytics.SLEEP_DEBT_FLAG_HOURS * 3600, "duration"),
        ("HRV_LOW_DAYS", analytics.HRV_LOW_DAYS, "count"),
        ("BASELINE_DAYS", analytics.BASELINE_DAYS, "count"),
        ("SHORT_DAYS", analytics.SHORT_DAYS, "count"),
        ("MIN_BASELINE_VALUES", analytics.MIN_BASELINE_VALUES, "count"),
        ("READINESS_MIN_DAYS", analytics.READINESS_MIN_DAYS, "count"),
        ("CHRONIC_DAYS", analytics.CHRONIC_DAYS, "count"),
        ("FITNESS_DAYS", analytics.FITNESS_DAYS, "count"),
    ]
    return [Fact("cadence", f"analytics.{name}", None, float(v), 0.0, d) for name, v, d in refs]


def facts_from(outputs: Iterable[ToolOutput], *, today: dt.date) -> list[Fact]:
    """Every value the tools gave: data leaves, numbers in their text, then call arguments (on a
    tie the earlier source names the claim)."""
    facts: list[Fact] = []
    for output in outputs:
        facts.extend(_walk(output.tool, as_json(output.data), "", None))
        facts.extend(_text_facts(output.tool, "summary", output.summary, None))
        facts.extend(_walk(output.tool, as_json(output.arguments), "arguments", None))
        if len(facts) > MAX_FACTS:
            break
    today_fact = Fact("cadence", "today", today.isoformat(), _day_number(today), 0.0, "date")
    return [*facts[:MAX_FACTS], today_fact]


def as_json(value: Any) -> Any:
    """A tool result as JSON (pydantic models dumped, tuples as lists)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Mapping):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [as_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _walk(tool: str, node: Any, path: str, day: str | None) -> Iterator[Fact]:
    if isinstance(node, Mapping):
        day = _own_day(node) or day
        unit = node.get("unit") if isinstance(node.get("unit"), str) else None
        for key, value in node.items():
            child = f"{path}.{key}" if path else key
            if isinstance(value, bool) or value is None:
                continue
            if isinstance(value, int | float) and math.isfinite(value):
                yield _leaf_fact(tool, child, day, float(value), unit)
            else:
                yield from _walk(tool, value, child, day)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            child = f"{path}[{index}]"
            if isinstance(value, int | float) and not isinstance(value, bool):
                if math.isfinite(value):
                    yield _leaf_fact(tool, child, day, float(value), None)
            else:
                yield from _walk(tool, value, child, day)
    elif isinstance(node, str) and path:
        yield from _text_facts(tool, path, node, day)


def _own_day(node: Mapping[str, Any]) -> str | None:
    for key in ("date", "day", "local_start", "start_time", "start"):
        value = node.get(key)
        if isinstance(value, str) and _ISO_DAY.match(value):
            return value[:10]
    return None


def states(*, answer: str, today: dt.date, tool: str, field: str, value: Any) -> bool:
    """Whether ``answer`` states this value of a tool result (a number or an ISO date)."""
    if isinstance(value, str):
        facts = list(_text_facts(tool, field, value, None))
    elif isinstance(value, int | float) and not isinstance(value, bool):
        facts = [_leaf_fact(tool, field, None, float(value), None)]
    else:
        return False
    return any(_match(claim, facts) for claim in _claims(answer, today=today))


def _leaf_fact(tool: str, path: str, day: str | None, value: float, unit: str | None) -> Fact:
    dimension, factor = _leaf_unit(path, unit)
    tolerance = _half_step(repr(value)) * factor if value != int(value) else 0.0
    return Fact(tool, path, day, value * factor, tolerance, dimension)


_KEY = re.compile(r"[a-z0-9_]+")
GENERIC_KEYS = frozenset(
    {"value", "values", "mean", "min", "max", "first", "last", "change", "avg", "latest"}
)
"""Leaf names that take their unit from the field above (``weight_kg.mean``)."""


def _leaf_unit(path: str, unit: str | None) -> tuple[Dimension | None, float]:
    """The unit a leaf's name (or a sibling ``unit``) says: ``sleep_seconds`` s, ``avg_hr`` bpm."""
    if unit and unit.lower() in UNITS:
        return UNITS[unit.lower()]
    for key in reversed(_KEY.findall(path.lower())):
        found = _key_unit(key)
        if found is not None:
            return found
        if key not in GENERIC_KEYS and not key.isdigit():
            break
    return None, 1.0


def _key_unit(key: str) -> tuple[Dimension, float] | None:
    suffixes: tuple[tuple[str, tuple[Dimension, float]], ...] = (
        ("seconds", UNITS["s"]),
        ("_s", UNITS["s"]),
        ("minutes", UNITS["min"]),
        ("_min", UNITS["min"]),
        ("hours", UNITS["h"]),
        ("_ms", UNITS["ms"]),
        ("_km", UNITS["km"]),
        ("_m", UNITS["m"]),
        ("_mps", ("distance", 1.0)),
        ("_kg", UNITS["kg"]),
        ("_hr", UNITS["bpm"]),
        ("_pct", ("fraction", 0.01)),
        ("share", ("fraction", 1.0)),
        ("weight", ("fraction", 1.0)),
    )
    exact = {"ms": UNITS["ms"], "kg": UNITS["kg"], "hours": UNITS["h"], "load": UNITS["au"]}
    if key in exact:
        return exact[key]
    if "pace" in key:
        return UNITS["s"]
    for suffix, found in suffixes:
        if key.endswith(suffix):
            return found
    return None


def _text_facts(tool: str, path: str, text: str, day: str | None) -> Iterator[Fact]:
    """Numbers written in a string (a summary, a ``detail`` line), each with the day written in
    the same sentence (the last one before it, else the first one after it)."""
    for claim in _claims(text, keep_unitless=True):
        before = _ISO_DAY.findall(text[_sentence_start(text, claim.start) : claim.start])
        after = _ISO_DAY.findall(text[claim.end : _sentence_end(text, claim.end)])
        when = claim.day or (before[-1] if before else after[0] if after else day)
        yield Fact(tool, path, when, claim.base, claim.tolerance, claim.dimension)


def _day_number(day: dt.date) -> float:
    return float(day.toordinal())


# --- claims in the answer ------------------------------------------------------------------------


def _claims(text: str, *, keep_unitless: bool = False, today: dt.date | None = None) -> list[Claim]:
    claims: list[Claim] = []
    for match in CLAIM.finditer(text):
        claims.extend(_claim(text, match, keep_unitless=keep_unitless, today=today))
    return claims


def _claim(text: str, match: re.Match[str], *, keep_unitless: bool, today: dt.date | None):
    start, end = match.span()
    if match.group("date"):
        day = match.group("date")[:10]
        try:
            dt.date.fromisoformat(day)
        except ValueError:
            return []
        return [_date_claim(start, end, match.group(0), day)]
    if match.group("md"):
        day = _month_day(match.group("md"), today)
        return [_date_claim(start, end, match.group(0), day)] if day else []
    if match.group("clock"):
        seconds = _clock_seconds(match.group("clock"))
        dimension: Dimension = "duration"
        return [Claim(start, end, match.group(0), seconds, 0.5, dimension)]
    unit = (match.group("unit") or "").lower()
    count = match.group("count")
    before = text[max(0, start - 40) : start]
    if unit == "/100":
        unit_info: tuple[Dimension | None, float] | None = (None, 1.0)
        end = match.start("unit")
    elif unit:
        unit_info = UNITS[unit]
    elif count or match.group("window"):
        unit_info = ("count", 1.0)
    elif (
        keep_unitless
        or METRIC_WORDS.search(before)
        or _sets_reps(text, start, end)
        or _cell(text, start)
    ):
        unit_info = (None, 1.0)
    else:
        return []
    if _is_label(text, start) or _quoted(text, start):
        return []
    dimension, factor = unit_info
    numbers = [("num", match.group("num"))]
    if match.group("num2"):
        numbers.append(("num2", match.group("num2")))
    found = []
    for group, written in numbers:
        value = _number(written)
        if value is None:
            continue
        g_start, g_end = match.span(group)
        span_end = end if group == "num2" or not match.group("num2") else g_end
        tolerance = _half_step(written) * factor
        found.append(
            Claim(
                g_start,
                span_end,
                text[g_start:span_end].rstrip(),
                value * factor,
                tolerance,
                dimension,
                of_base=_of_base(text, end) if dimension == "fraction" else None,
            )
        )
    return found


def _date_claim(start: int, end: int, text: str, day: str) -> Claim:
    return Claim(start, end, text, _day_number(dt.date.fromisoformat(day)), 0.0, "date", day=day)


def _is_label(text: str, start: int) -> bool:
    """A number that names rather than measures: ``Z2``, ``#12``, ``workout 12``, list markers."""
    before = text[max(0, start - 12) : start].lower()
    line_start = text.rfind("\n", 0, start) + 1
    marker = re.match(r"\s*\d+[.)]\s", text[line_start:])
    if marker and line_start + marker.end() > start:
        return True
    return bool(re.search(r"(#|\bworkout |\bactivity |\bzone |\bweek \d*$)$", before))


def _cell(text: str, start: int) -> bool:
    """A number in a markdown table row (its row label says what it is)."""
    line_start = text.rfind("\n", 0, start) + 1
    return text.startswith("|", line_start)


def _quoted(text: str, start: int) -> bool:
    """Inside a quoted example ("Log bench press 3x8 at 80 kg"), not a claim."""
    line = text[text.rfind("\n", 0, start) + 1 : start]
    return line.count('"') % 2 == 1 or line.count("\u201c") > line.count("\u201d")


def _sets_reps(text: str, start: int, end: int) -> bool:
    """``3 x 8`` and ``100 kg x 5``: both numbers of a set are counts."""
    return bool(
        re.match(r"\s*[x\u00d7]\s*\d", text[end : end + 4])
        or re.search(r"[x\u00d7]\s*$", text[max(0, start - 3) : start])
    )


def _of_base(text: str, end: int) -> float | None:
    """The ``8 h`` in ``81 % of 8 h``, in base units."""
    match = re.match(r"\s*of (?:your |the |a )?(" + _NUMBER + r")\s?(" + _UNIT + r")\b", text[end:])
    if match is None:
        return None
    value = _number(match.group(1))
    unit = UNITS.get(match.group(2).lower())
    return value * unit[1] if value is not None and unit else None


def _number(written: str) -> float | None:
    cleaned = re.sub(r"[,\u202f\u00a0 ]", "", written).replace("\u2212", "-")
    try:
        return float(cleaned)
    except ValueError:
        return None


def _half_step(written: str) -> float:
    """Half of the last written digit: ``6.3`` → 0.05, ``52`` → 0.5."""
    cleaned = written.strip().lower()
    if "e" in cleaned:
        return 0.0
    decimals = len(cleaned.split(".", 1)[1]) if "." in cleaned else 0
    return 0.5 * 10**-decimals


def _clock_seconds(written: str) -> float:
    parts = [int(p) for p in written.split(":")]
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + part
    return float(seconds)


def _month_day(written: str, today: dt.date | None) -> str | None:
    if today is None:
        return None
    words = written.lower().split()
    day_word, month_word = (words[0], words[1]) if words[0].isdigit() else (words[1], words[0])
    month = _MONTHS.index(month_word[:3]) + 1
    for year in (today.year, today.year - 1):
        try:
            day = dt.date(year, month, int(day_word))
        except ValueError:
            return None
        if day <= today:
            return day.isoformat()
    return None


def _sentence_start(text: str, index: int) -> int:
    starts = [m.end() for m in _SENTENCE_END.finditer(text, 0, index)]
    return starts[-1] if starts else 0


def _sentence_end(text: str, index: int) -> int:
    end_match = _SENTENCE_END.search(text, index)
    return end_match.start() if end_match else len(text)


def _sentence(text: str, index: int) -> str:
    return text[_sentence_start(text, index) : _sentence_end(text, index)]


# --- matching ------------------------------------------------------------------------------------


def check(
    *, answer: str, outputs: Iterable[ToolOutput], today: dt.date, facts: list[Fact] | None = None
) -> Verification:
    """Trace each number of ``answer`` to the tool outputs (see the module docstring)."""
    data = facts if facts is not None else facts_from(outputs, today=today)
    references = reference_facts()
    result = Verification()
    for claim in _claims(answer, today=today):
        before = answer[_sentence_start(answer, claim.start) : claim.start]
        if ADVICE_WORDS.search(before[-ADVICE_REACH:]):  # "aim for 8.5 h": advice, even if
            result.advice.append(Span(text=claim.text, start=claim.start, end=claim.end))
            continue  # some value happens to be 8.5 h
        source = _match(claim, data)
        if source is None and (THRESHOLD_WORDS.search(before) or "-day" in claim.text):
            source = _match(claim, references)
        if source is not None:
            result.verified.append(
                VerifiedSpan(
                    text=claim.text,
                    start=claim.start,
                    end=claim.end,
                    tool=source.tool,
                    field=source.field,
                    day=claim.day or source.day,
                )
            )
        elif ADVICE_WORDS.search(_sentence(answer, claim.start)):
            result.advice.append(Span(text=claim.text, start=claim.start, end=claim.end))
        else:
            result.unverified.append(Span(text=claim.text, start=claim.start, end=claim.end))
    return result


def _match(claim: Claim, facts: list[Fact]) -> Fact | None:
    """The closest compatible fact within both numbers' rounding (the first one on a tie)."""
    best: Fact | None = None
    best_gap = math.inf
    for fact in facts:
        if not _compatible(claim.dimension, fact.dimension):
            continue
        gap = min(abs(fact.base - claim.base), abs(abs(fact.base) - abs(claim.base)))
        if gap <= claim.tolerance + fact.tolerance + 1e-9 and gap < best_gap:
            best, best_gap = fact, gap
    if best is None and claim.dimension == "fraction" and claim.of_base:
        best = _ratio_match(claim, facts)
    return best


def _compatible(claimed: Dimension | None, fact: Dimension | None) -> bool:
    """Same dimension, or a unitless fact for a count, a load, a score or a raw percentage."""
    if claimed == fact:
        return True
    if fact is None:
        return claimed in (None, "count", "load")
    return claimed is None and fact in ("count", "load")


def _ratio_match(claim: Claim, facts: list[Fact]) -> Fact | None:
    """``81 % of 8 h``: some value of that dimension is 81 % of 8 h."""
    assert claim.of_base is not None
    wanted = claim.base * claim.of_base
    slack = claim.tolerance * claim.of_base
    return next(
        (f for f in facts if f.dimension == "duration" and abs(f.base - wanted) <= slack + 1),
        None,
    )
