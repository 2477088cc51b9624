"""The contract every file importer implements, and the result it reports.

``POST /api/v1/imports`` picks the first registered importer whose ``matches`` accepts a file, then
calls ``run``. Importers are idempotent: rows carry unique external ids, so importing the same file
twice adds nothing the second time (the duplicates are counted, not stored).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol

from sqlmodel import Session

from cadence.models.preferences import WeightUnit


@dataclass(frozen=True)
class ImportOptions:
    """Choices the user makes for one import (``POST /imports?weight_unit=lb``)."""

    weight_unit: WeightUnit | None = None
    """The unit of weights in files that do not say theirs (older Strong exports); ``None``:
    the user's weight unit."""


MAX_ERRORS = 100
"""Error messages kept per import (the rest are counted): a file of a million bad lines must
not fill the server's memory."""
PREVIEW_ROWS = 20
"""Rows a dry run shows."""


class CappedList(list):
    """A list that keeps its first ``limit`` items and counts the others in ``dropped``."""

    def __init__(self, items: Iterable = (), *, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.dropped = 0
        self.extend(items)

    def append(self, item) -> None:
        if len(self) < self.limit:
            super().append(item)
        else:
            self.dropped += 1

    def extend(self, items: Iterable) -> None:
        for item in items:
            self.append(item)
        self.dropped += getattr(items, "dropped", 0)


@dataclass
class ImportResult:
    """What one importer did with one file.

    ``counts`` keys are plural row kinds (``workouts``, ``activities``, ``daily_metrics``,
    ``duplicates``...); ``errors`` are user-facing messages naming the file and, where it applies,
    the line or record (``"strong.csv line 7: weight 'abc' is not a number"``), the first
    ``MAX_ERRORS`` kept; ``preview`` holds the first ``PREVIEW_ROWS`` parsed rows of a dry run.
    """

    counts: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.errors = CappedList(self.errors, limit=MAX_ERRORS)
        self.preview = CappedList(self.preview, limit=PREVIEW_ROWS)

    @property
    def dropped_errors(self) -> int:
        """How many error messages beyond ``MAX_ERRORS`` were counted, not kept."""
        return getattr(self.errors, "dropped", 0)

    def add(self, kind: str, amount: int = 1) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + amount

    def merge(self, other: ImportResult) -> None:
        for kind, amount in other.counts.items():
            self.add(kind, amount)
        self.errors.extend(other.errors)
        self.preview.extend(other.preview)


class FileImporter(Protocol):
    """One file format. ``kind`` names it in responses (``fit``, ``gpx``, ``strong_csv``...)."""

    kind: str

    def matches(self, *, filename: str, head: bytes) -> bool:
        """Whether this importer reads the file (by extension and/or its first bytes)."""
        ...

    def run(
        self, *, session: Session, user_id: int, filename: str, stream: BinaryIO, dry_run: bool
    ) -> ImportResult:
        """Parse ``stream`` and (unless ``dry_run``) store its rows for ``user_id``."""
        ...
