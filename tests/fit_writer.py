"""A small FIT encoder for tests: writes the files real devices write (and the broken ones the
issue reports), field by field, from the FIT profile that ``fitdecode`` ships.

No permissively licensed strength-training, Zwift or inverted-time FIT file exists, so the tests
that need one generate it here (marked as generated). Each message is written with a
definition message (re-sent whenever its fields change) and a data message; values are given
in profile units (seconds, metres, m/s, kg, datetimes, enum names) and scaled as the profile
says. The file ends with the CRC that ``fitdecode`` checks.
"""

from __future__ import annotations

import struct
from datetime import UTC, datetime

from fitdecode import profile
from fitdecode.utils import compute_crc

FIT_EPOCH = datetime(1989, 12, 31, tzinfo=UTC)
SEMICIRCLES_PER_DEGREE = 2**31 / 180
_MESSAGES = {mt.name: (num, mt) for num, mt in profile.MESSAGE_TYPES.items()}


class FitWriter:
    def __init__(self) -> None:
        self._body = bytearray()
        self._definitions: dict[int, tuple] = {}
        self._locals: dict[str, int] = {}

    def message(self, message: str, /, **values: object) -> FitWriter:
        """Append one ``message`` with the given fields (``None`` values are left out)."""
        number, message_type = _MESSAGES[message]
        by_name = {f.name: f for f in message_type.fields.values()}
        fields = [(by_name[key], value) for key, value in values.items() if value is not None]
        layout = tuple((f.def_num, len(_encode(f, v)), _base(f).identifier) for f, v in fields)
        local = self._locals.setdefault(message, len(self._locals) % 16)
        if self._definitions.get(local) != (number, layout):
            self._definitions[local] = (number, layout)
            header = struct.pack("<BBBHB", 0x40 | local, 0, 0, number, len(layout))
            self._body += header + b"".join(struct.pack("<BBB", *item) for item in layout)
        self._body.append(local)
        for field, value in fields:
            self._body += _encode(field, value)
        return self

    def to_bytes(self) -> bytes:
        body = bytes(self._body)
        header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body), b".FIT")
        header += struct.pack("<H", compute_crc(header))
        data = header + body
        return data + struct.pack("<H", compute_crc(data))


def _base(field):
    return field.type if not hasattr(field.type, "base_type") else field.type.base_type


def _encode(field, value: object) -> bytes:
    base = _base(field)
    if base.name == "string":
        return str(value).encode() + b"\0"
    values = value if isinstance(value, list | tuple) else [value]
    return b"".join(struct.pack("<" + base.fmt, _raw(field, item)) for item in values)


def _raw(field, value: object) -> int | float:
    if isinstance(value, datetime):
        return int((value - FIT_EPOCH).total_seconds())
    if isinstance(value, str):
        enum = field.type.enum or {}
        return next(number for number, name in enum.items() if name == value)
    scale = field.scale or 1
    offset = field.offset or 0
    raw = (float(value) + offset) * scale
    return raw if _base(field).fmt in "fd" else round(raw)


def degrees(value: float) -> int:
    """Degrees as the semicircles FIT stores positions in."""
    return round(value * SEMICIRCLES_PER_DEGREE)
