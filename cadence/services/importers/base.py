"""The contract every file importer implements, and the result it reports.

``POST /api/v1/imports`` picks the first registered importer whose ``matches`` accepts a file, then
calls ``run``. Importers are idempotent: rows carry unique external ids, so importing the same file
twice adds nothing the second time (the duplicates are counted, not stored).
"""

from __future__ import annotations

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


@dataclass
class ImportResult:
    """What one importer did with one file.

    ``counts`` keys are plural row kinds (``workouts``, ``activities``, ``daily_metrics``,
    ``duplicates``...); ``errors`` are user-facing messages naming the file and, where it applies,
    the line or record (``"strong.csv line 7: weight 'abc' is not a number"``); ``preview`` holds a
    few parsed rows on a dry run.
    """

    counts: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)

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
