"""The ordered list of file importers ``POST /imports`` tries; the first that matches wins.

To add a format, add an object implementing ``base.FileImporter`` to ``importers``.
"""

from __future__ import annotations

from functools import partial

from cadence.services.importers.apple_health import AppleHealthImporter
from cadence.services.importers.base import FileImporter, ImportOptions
from cadence.services.importers.cadence_export import CadenceExportImporter
from cadence.services.importers.fit import FitImporter
from cadence.services.importers.gpx import GpxImporter
from cadence.services.importers.strength_csv import HevyCsvImporter, StrongCsvImporter
from cadence.services.importers.tcx import TcxImporter
from cadence.services.importers.zip_bundle import ZipBundleImporter

DEFAULT_OPTIONS = ImportOptions()


def find_importer(
    filename: str, head: bytes, options: ImportOptions = DEFAULT_OPTIONS
) -> FileImporter | None:
    """The first importer of ``importers(options)`` that accepts the file, or ``None``."""
    found = (imp for imp in importers(options) if imp.matches(filename=filename, head=head))
    return next(found, None)


def importers(options: ImportOptions = DEFAULT_OPTIONS) -> list[FileImporter]:
    """Every importer, in the order they are tried, set up for one import's ``options``."""
    return [
        CadenceExportImporter(),  # a zip too: must come before ZipBundleImporter
        ZipBundleImporter(partial(find_importer, options=options)),
        FitImporter(),
        AppleHealthImporter(),
        TcxImporter(),
        GpxImporter(),
        StrongCsvImporter(unitless_unit=options.weight_unit),
        HevyCsvImporter(unitless_unit=options.weight_unit),
    ]


SUPPORTED_FORMATS = (
    "FIT, GPX, TCX, Apple Health export (.xml or .zip), Strong/Hevy CSV, or a zip of them"
)
