"""Zip archives of importable files (many FIT files, or Apple Health's ``export.zip``).

Each member is handed to the first registered importer that accepts it, inside a savepoint, so a
member that fails is rolled back alone and the others are kept. Members are streamed, never
extracted to memory, and their sizes are capped before and while reading (``archive``). In an
Apple Health archive the ``workout-routes/*.gpx`` files repeat the workouts of ``export.xml``
and ``export_cda.xml`` holds clinical records: both are skipped.
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Callable
from typing import BinaryIO

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from cadence.services.importers.archive import ArchiveRefused, check_sizes, open_member
from cadence.services.importers.base import FileImporter, ImportResult

logger = logging.getLogger(__name__)

HEAD_BYTES = 4096
_IGNORED_NAMES = ("__MACOSX/", ".DS_Store")


class ZipBundleImporter:
    """``find`` returns the importer for a member (the registry's lookup), or ``None``."""

    kind = "zip"

    def __init__(self, find: Callable[[str, bytes], FileImporter | None]) -> None:
        self._find = find

    def matches(self, *, filename: str, head: bytes) -> bool:
        return head.startswith(b"PK\x03\x04") or filename.lower().endswith(".zip")

    def run(
        self, *, session: Session, user_id: int, filename: str, stream: BinaryIO, dry_run: bool
    ) -> ImportResult:
        result = ImportResult()
        try:
            archive = zipfile.ZipFile(stream)
        except (zipfile.BadZipFile, OSError) as exc:
            result.errors.append(f"{filename}: not a readable zip archive ({exc}).")
            return result
        with archive:
            members = [m for m in archive.infolist() if _wanted(m)]
            try:
                check_sizes(members, label=filename)
            except ArchiveRefused as exc:
                result.errors.append(str(exc))
                return result
            has_apple_export = any(_basename(m.filename) == "export.xml" for m in members)
            for member in members:
                if has_apple_export and _is_apple_extra(member.filename):
                    continue
                result.merge(
                    self._import_member(
                        archive,
                        member,
                        session=session,
                        user_id=user_id,
                        label=f"{filename}/{member.filename}",
                        dry_run=dry_run,
                    )
                )
        if not members:
            result.errors.append(f"{filename}: the archive contains no files.")
        return result

    def _import_member(
        self,
        archive: zipfile.ZipFile,
        member: zipfile.ZipInfo,
        *,
        session: Session,
        user_id: int,
        label: str,
        dry_run: bool,
    ) -> ImportResult:
        try:
            with open_member(archive, member, label=label) as handle:
                head = handle.read(HEAD_BYTES)
            importer = self._find(member.filename, head)
            if importer is None or importer.kind == self.kind:
                return ImportResult(errors=[f"{label}: not a supported file type; skipped."])
            with session.begin_nested(), open_member(archive, member, label=label) as handle:
                return importer.run(
                    session=session,
                    user_id=user_id,
                    filename=label,
                    stream=handle,
                    dry_run=dry_run,
                )
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            return ImportResult(errors=[f"{label}: could not be extracted ({exc})."])
        except SQLAlchemyError:  # the database, not the file: the whole job fails or retries
            raise
        except Exception:  # one broken member must not lose the others (its savepoint is gone)
            logger.exception("importing %s failed", label)
            return ImportResult(errors=[f"{label}: could not be imported (unexpected error)."])


def _wanted(member: zipfile.ZipInfo) -> bool:
    name = member.filename
    return (
        not member.is_dir()
        and not any(part in name for part in _IGNORED_NAMES)
        and not (_basename(name).startswith("._"))
    )


def _basename(name: str) -> str:
    return name.rsplit("/", 1)[-1].lower()


def _is_apple_extra(name: str) -> bool:
    return "workout-routes/" in name or _basename(name) == "export_cda.xml"
