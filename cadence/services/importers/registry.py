"""The ordered list of file importers ``POST /imports`` tries; the first that matches wins.

To add a format, append an object implementing ``base.FileImporter`` to ``IMPORTERS``.
"""

from __future__ import annotations

from cadence.services.importers.apple_health import AppleHealthImporter
from cadence.services.importers.base import FileImporter
from cadence.services.importers.cadence_export import CadenceExportImporter
from cadence.services.importers.fit import FitImporter
from cadence.services.importers.gpx import GpxImporter
from cadence.services.importers.strength_csv import HevyCsvImporter, StrongCsvImporter
from cadence.services.importers.tcx import TcxImporter
from cadence.services.importers.zip_bundle import ZipBundleImporter


def find_importer(filename: str, head: bytes) -> FileImporter | None:
    """The first importer in ``IMPORTERS`` that accepts the file, or ``None``."""
    return next((imp for imp in IMPORTERS if imp.matches(filename=filename, head=head)), None)


IMPORTERS: list[FileImporter] = [
    CadenceExportImporter(),  # a zip too: must come before ZipBundleImporter
    ZipBundleImporter(find_importer),
    FitImporter(),
    AppleHealthImporter(),
    TcxImporter(),
    GpxImporter(),
    StrongCsvImporter(),
    HevyCsvImporter(),
]

SUPPORTED_FORMATS = (
    "FIT, GPX, TCX, Apple Health export (.xml or .zip), Strong/Hevy CSV, or a zip of them"
)
