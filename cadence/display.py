"""Display formatting, defined once for the pages and the coach: numbers, lifts, dates, plurals."""

from __future__ import annotations

import datetime as dt

DASH = "\u2014"  # shown for a missing value
E1RM_STEP_KG = 0.5  # estimated maxes are rounded as lifters load a bar (no "125.42 kg")


def number(value: float) -> str:
    """``80`` for 80.0, ``82.5`` for 82.5, thousands separated, at most two decimals."""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def fixed(value: float | None, digits: int = 0) -> str:
    """``value`` with exactly ``digits`` decimals and thousands separated; a dash when missing."""
    return DASH if value is None else f"{value:,.{digits}f}"


def signed(value: float, digits: int = 0) -> str:
    """``+3``, ``-2.5``, ``+1,204``: always signed, never ``-0`` for a change that rounds to 0."""
    return f"{round(value, digits) + 0.0:+,.{digits}f}"


def e1rm(kg: float) -> str:
    """An estimated one-rep max to the nearest half kilogram: ``125.5``."""
    return number(round(kg / E1RM_STEP_KG) * E1RM_STEP_KG)


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 exercise``, ``3 exercises``."""
    word = singular if count == 1 else plural_form or f"{singular}s"
    return f"{count:,} {word}"


def short_date(day: dt.date | dt.datetime) -> str:
    """``30 Nov``."""
    return day.strftime("%-d %b")


def day_label(day: dt.date | dt.datetime) -> str:
    """``Mon 30 Nov``."""
    return day.strftime("%a %-d %b")


def date_label(day: dt.date | dt.datetime) -> str:
    """``Mon 30 Nov 2026``."""
    return day.strftime("%a %-d %b %Y")
