"""Strength arithmetic: reps strings, Epley e1RM, volume load, session load and PR detection.

**Reps strings.** ``reps`` describes the repetitions of every set of one exercise row:

- ``"8"`` — every set had 8 reps.
- ``"8-10"`` — a range: every set counts as its **lower bound** (8), the reps certainly done.
- ``"5,5,3"`` — one value per set, in order; the list must have exactly ``sets`` values. Each value
  may itself be a range (``"8-10,8-10,6"``), counted by its lower bound.

Spaces are ignored and an en dash counts as a hyphen. Every value is a whole number 1-999.
The grammar lives in ``cadence.models.workout`` (request validation needs it) and is applied here.

**e1RM** (estimated one-rep max) is Epley's ``weight * (1 + reps / 30)``, with a single (1 rep)
counting as the weight itself. No estimate is made for sets above 12 reps or with no weight
(bodyweight rows, ``weight_kg == 0``). A row's e1RM is its best set's.

**Volume load** = the sum over sets of reps * weight (kg), i.e. ``weight * total reps`` for one row.

**PRs** are strict improvements over every earlier session of the same exercise: a session sets
an e1RM PR when its best e1RM beats all earlier ones, a weight PR when its top weight does. The
first session with a value is the baseline, not a PR. Warm-up rows never count toward PRs.

**Session load** (DESIGN §6, strength daily load) = session RPE * minutes. Session RPE is the mean
of the rows' RPEs, or ``DEFAULT_SESSION_RPE`` (7) when none was given. Minutes are the workout's
``duration_minutes``; when missing they are estimated as ``MINUTES_PER_SET`` (3) per set, bounded
to ``MIN_ESTIMATED_MINUTES``-``MAX_ESTIMATED_MINUTES`` (15-120).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cadence.models.workout import reps_per_set

MAX_E1RM_REPS = 12
EPLEY_DIVISOR = 30
E1RM_DECIMALS = 2
DEFAULT_SESSION_RPE = 7.0
MINUTES_PER_SET = 3
MIN_ESTIMATED_MINUTES = 15
MAX_ESTIMATED_MINUTES = 120


def epley(weight_kg: float, reps: int) -> float | None:
    """Epley e1RM of one set, or ``None`` above 12 reps or without weight."""
    if weight_kg <= 0 or reps < 1 or reps > MAX_E1RM_REPS:
        return None
    if reps == 1:
        return round(weight_kg, E1RM_DECIMALS)
    return round(weight_kg * (1 + reps / EPLEY_DIVISOR), E1RM_DECIMALS)


@dataclass(frozen=True)
class E1rmRule:
    """The e1RM rule's parameters, as the live logger's script receives them (it checks PRs
    with no signal, ``assets/strength.js``)."""

    max_reps: int = MAX_E1RM_REPS
    divisor: int = EPLEY_DIVISOR
    decimals: int = E1RM_DECIMALS


@dataclass(frozen=True)
class RowStats:
    """Figures of one exercise row, stored with it so SQL can aggregate them."""

    total_reps: int
    top_reps: int
    volume_kg: float
    e1rm_kg: float | None


def row_stats(*, sets: int, reps: str, weight_kg: float) -> RowStats:
    """Total reps, the best set's reps, volume load and e1RM of one exercise row."""
    per_set = reps_per_set(reps, sets)
    estimates = [e for e in (epley(weight_kg, r) for r in per_set) if e is not None]
    return RowStats(
        total_reps=sum(per_set),
        top_reps=max(per_set),
        volume_kg=round(weight_kg * sum(per_set), 2),
        e1rm_kg=max(estimates) if estimates else None,
    )


@dataclass(frozen=True)
class SessionBest:
    """An exercise's best figures in one session (input to PR detection)."""

    e1rm_kg: float | None
    top_weight_kg: float | None


@dataclass(frozen=True)
class PrFlags:
    e1rm: bool
    weight: bool


def detect_prs(sessions: Sequence[SessionBest]) -> list[PrFlags]:
    """PR flags for chronologically ordered sessions of one exercise (see module docstring)."""
    flags: list[PrFlags] = []
    best_e1rm: float | None = None
    best_weight: float | None = None
    for current in sessions:
        flags.append(
            PrFlags(
                e1rm=_beats(current.e1rm_kg, best_e1rm),
                weight=_beats(current.top_weight_kg, best_weight),
            )
        )
        best_e1rm = _best(current.e1rm_kg, best_e1rm)
        best_weight = _best(current.top_weight_kg, best_weight)
    return flags


def _beats(value: float | None, best: float | None) -> bool:
    """A strict improvement; the first known value is the baseline, not a PR."""
    return value is not None and best is not None and value > best


def _best(value: float | None, best: float | None) -> float | None:
    if value is None:
        return best
    return value if best is None else max(value, best)


def session_minutes(*, duration_minutes: int | None, total_sets: int) -> int:
    """The workout's minutes, or the estimate from its set count when not recorded."""
    if duration_minutes is not None:
        return duration_minutes
    estimate = total_sets * MINUTES_PER_SET
    return max(MIN_ESTIMATED_MINUTES, min(MAX_ESTIMATED_MINUTES, estimate))


def session_rpe(mean_rpe: float | None) -> float:
    """The session RPE: the mean of the recorded RPEs, or the default 7 when none was."""
    return round(mean_rpe, 2) if mean_rpe is not None else DEFAULT_SESSION_RPE


def session_load(*, rpe: float, minutes: int) -> float:
    """Session-RPE * minutes (DESIGN §6 strength daily load)."""
    return round(rpe * minutes, 1)
