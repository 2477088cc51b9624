"""Zip archives opened safely: sizes checked on the central directory before any member is read,
and enforced again while reading (a member's headers can lie about its size).

Every importer that reads a zip (``zip_bundle``, ``cadence_export``) opens it here, so the caps
below are the one rule for every upload path:

- a member expanding beyond ``MAX_MEMBER_BYTES`` (4 GiB) is refused;
- an archive whose members expand beyond ``MAX_EXPANDED_BYTES`` (8 GiB) in total is refused;
- a member expanding beyond ``RATIO_FLOOR_BYTES`` (16 MiB) more than ``MAX_RATIO`` (100) times
  its compressed size is refused: real exports compress 5-30 times, a zip bomb about 1 000 times
  (small members are exempt, a 1 KB file of zeros is harmless).

A member is read through ``BoundedReader``, which raises ``ArchiveRefused`` once more bytes
come out than the directory declared, so a lying header costs at most the declared size.
"""

from __future__ import annotations

import io
import zipfile
from typing import BinaryIO

MAX_MEMBER_BYTES = 4 * 1024**3
MAX_EXPANDED_BYTES = 8 * 1024**3
MAX_RATIO = 100
RATIO_FLOOR_BYTES = 16 * 1024**2


class ArchiveRefused(ValueError):
    """A user-facing reason why an archive (or one of its members) is not read."""


def open_archive(stream: BinaryIO, *, label: str) -> zipfile.ZipFile:
    """The zip in ``stream``, after checking every member's declared sizes against the caps.

    Raises ``ArchiveRefused`` (with the reason in words) or ``zipfile.BadZipFile``."""
    archive = zipfile.ZipFile(stream)
    try:
        check_sizes(archive.infolist(), label=label)
    except ArchiveRefused:
        archive.close()
        raise
    return archive


def check_sizes(members: list[zipfile.ZipInfo], *, label: str) -> None:
    """Refuse members (or a total) beyond the caps, as declared by the central directory."""
    total = 0
    for member in members:
        expanded = member.file_size
        total += expanded
        if expanded > MAX_MEMBER_BYTES:
            raise ArchiveRefused(
                f"{label}/{member.filename} expands to {_size(expanded)}, more than the "
                f"{_size(MAX_MEMBER_BYTES)} a file may hold; refused."
            )
        if expanded > RATIO_FLOOR_BYTES and expanded > MAX_RATIO * max(member.compress_size, 1):
            raise ArchiveRefused(
                f"{label}/{member.filename} expands {expanded // max(member.compress_size, 1)} "
                f"times its compressed size (at most {MAX_RATIO} for real data: a zip bomb?); "
                "refused."
            )
    if total > MAX_EXPANDED_BYTES:
        raise ArchiveRefused(
            f"{label}: the archive expands to {_size(total)}, more than "
            f"{_size(MAX_EXPANDED_BYTES)}; refused."
        )


def open_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, *, label: str) -> BinaryIO:
    """A member's bytes (buffered, seekable like ``ZipFile.open``), capped at its declared size
    while reading."""
    raw = BoundedReader(archive.open(member), limit=member.file_size, label=label)
    return io.BufferedReader(raw, buffer_size=READ_CHUNK_BYTES)


READ_CHUNK_BYTES = 256 * 1024


class BoundedReader(io.RawIOBase):
    """A read-only view of ``raw`` that raises ``ArchiveRefused`` once a read reaches past
    ``limit`` bytes."""

    def __init__(self, raw: BinaryIO, *, limit: int, label: str) -> None:
        super().__init__()
        self._raw = raw
        self._limit = limit
        self._label = label
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self._raw.seekable()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._position = self._raw.seek(offset, whence)
        return self._position

    def tell(self) -> int:
        return self._position

    def readinto(self, buffer) -> int:
        data = self._raw.read(len(buffer))
        self._position += len(data)
        if self._position > self._limit:
            raise ArchiveRefused(
                f"{self._label} holds more than the {self._limit} bytes its zip header "
                "declares; refused."
            )
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


def _size(size: int) -> str:
    if size >= 1024**3:
        return f"{size / 1024**3:.1f} GiB"
    if size >= 1024**2:
        return f"{size / 1024**2:.0f} MiB"
    return f"{size} bytes"
