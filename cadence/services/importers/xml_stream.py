"""``iterparse`` for the XML importers (Apple Health, GPX, TCX), with memory bounded whatever a
file holds: the parser keeps a text node or an attribute value whole until it ends, so one
stretch of the file without ``<`` or ``>`` longer than ``MAX_MARKUP_GAP_BYTES`` is refused (as a
``ParseError``, which each importer reports in words) instead of being read into memory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError, iterparse

MAX_MARKUP_GAP_BYTES = 4 * 1024 * 1024
"""Real exports have text nodes and attributes of a few hundred bytes; 4 MiB leaves room for any
of them, and expat's buffer for an unfinished tag stays a few times that at most."""


class _MarkupGapGuard:
    """A reader over ``stream`` that counts the bytes since the last ``<`` or ``>``."""

    def __init__(self, stream: BinaryIO, limit: int) -> None:
        self._stream = stream
        self._limit = limit
        self._gap = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._stream.read(size)
        last = max(chunk.rfind(b"<"), chunk.rfind(b">"))
        self._gap = self._gap + len(chunk) if last < 0 else len(chunk) - last - 1
        if self._gap > self._limit:
            raise ParseError(
                f"a text or attribute value longer than {self._limit // 1024**2} MiB; "
                "no real export has one"
            )
        return chunk


def xml_events(
    stream: BinaryIO, *, limit: int = MAX_MARKUP_GAP_BYTES
) -> Iterator[tuple[str, Element]]:
    """``iterparse(stream, events=("start", "end"))``, refusing an over-long text or attribute."""
    return iterparse(_MarkupGapGuard(stream, limit), events=("start", "end"))
