"""Memory bounds of imports (docs/security.md, "Uploads and imports"): zip bombs are refused from
the zip directory before a byte is expanded, lying headers are caught while reading, and the
CSV and Cadence-export importers stream (peak memory far below the file's size)."""

from __future__ import annotations

import io
import json
import struct
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable

import pytest
from sqlmodel import Session

from cadence.models.user import User
from cadence.services.importers import archive, registry, strength_csv
from cadence.services.importers.apple_health import AppleHealthImporter
from cadence.services.importers.base import MAX_ERRORS, ImportResult
from cadence.services.importers.cadence_export import MAX_RECORD_BYTES, CadenceExportImporter
from cadence.services.importers.gpx import GpxImporter
from cadence.services.importers.strength_csv import StrongCsvImporter
from cadence.services.importers.tcx import TcxImporter
from cadence.services.importers.xml_stream import MAX_MARKUP_GAP_BYTES
from cadence.services.importers.zip_bundle import ZipBundleImporter

STRONG_HEADER = (
    '"Workout #","Date","Workout Name","Duration (sec)","Exercise Name","Set Order",'
    '"Weight (kg)","Reps","RPE","Distance (meters)","Seconds","Notes","Workout Notes"\n'
)
MANIFEST = {"format": "cadence-export", "version": 1}


@pytest.fixture
def user_id(session: Session) -> int:
    user = User(email="memory@example.com", display_name="M", password_hash="x")
    session.add(user)
    session.commit()
    return user.id


def peak_bytes(work: Callable[[], ImportResult]) -> tuple[ImportResult, int]:
    tracemalloc.start()
    try:
        result = work()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def strong_rows(workouts: int, sets: int = 3) -> bytes:
    """A Strong CSV of ``workouts`` distinct workouts (a day apart) of ``sets`` sets each."""
    lines = [STRONG_HEADER]
    for n in range(workouts):
        day = f"{2000 + n // 336:04d}-{n // 28 % 12 + 1:02d}-{n % 28 + 1:02d} 07:00:00"
        lines.extend(
            f'"{n}","{day}","Day {n}","3600","Squat","{s + 1}","100","5","8","","","",""\n'
            for s in range(sets)
        )
    return "".join(lines).encode()


def deflated_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            out.writestr(name, data)
    return buffer.getvalue()


def run(importer, session, user_id, name: str, data: bytes, dry_run: bool = True):
    return importer.run(
        session=session, user_id=user_id, filename=name, stream=io.BytesIO(data), dry_run=dry_run
    )


def bundle() -> ZipBundleImporter:
    return ZipBundleImporter(registry.find_importer)


def test_a_csv_bomb_is_refused_from_the_directory_before_expanding(session, user_id) -> None:
    bomb = deflated_zip({"strong.csv": STRONG_HEADER.encode() + b"\n" * (64 * 1024**2)})
    assert len(bomb) < 128 * 1024  # ~1000:1, as a zip bomb is
    result, peak = peak_bytes(lambda: run(bundle(), session, user_id, "bomb.zip", bomb))
    [error] = result.errors
    assert "bomb.zip/strong.csv expands" in error and "zip bomb" in error, error
    assert peak < 8 * 1024**2


def test_an_export_bomb_is_refused_too(session, user_id) -> None:
    bomb = deflated_zip(
        {
            "cadence-export.json": json.dumps(MANIFEST | {"files": {"workouts.json": 1}}).encode(),
            "workouts.json": b"[" + b" " * (64 * 1024**2) + b"]",
        }
    )
    result, peak = peak_bytes(lambda: run(CadenceExportImporter(), session, user_id, "e.zip", bomb))
    [error] = result.errors
    assert error.startswith("e.zip: unreadable Cadence export (e.zip/workouts.json expands"), error
    assert peak < 8 * 1024**2


def test_each_cap_is_checked_on_the_directory(monkeypatch) -> None:
    member = zipfile.ZipInfo("a.fit")
    member.file_size, member.compress_size = 5000, 4000
    monkeypatch.setattr(archive, "MAX_MEMBER_BYTES", 4999)
    with pytest.raises(archive.ArchiveRefused, match="more than the 4999 bytes a file may hold"):
        archive.check_sizes([member], label="x.zip")
    monkeypatch.setattr(archive, "MAX_MEMBER_BYTES", 10**9)
    monkeypatch.setattr(archive, "MAX_EXPANDED_BYTES", 9999)
    with pytest.raises(archive.ArchiveRefused, match="expands to 10000 bytes"):
        archive.check_sizes([member, member], label="x.zip")
    archive.check_sizes([member], label="x.zip")  # within every cap


def lying_zip(name: str, data: bytes, declared: int) -> bytes:
    """A stored zip whose headers say ``declared`` bytes while the member holds ``data``."""
    crc = zlib.crc32(data)
    encoded = name.encode()
    local = struct.pack(
        "<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 0, 0, 0, crc, declared, declared, len(encoded), 0
    )
    central = struct.pack(
        "<4sHHHHHHIIIHHHHHII",
        b"PK\x01\x02",
        20,
        20,
        0,
        0,
        0,
        0,
        crc,
        declared,
        declared,
        len(encoded),
        0,
        0,
        0,
        0,
        0,
        0,
    )
    body = local + encoded + data
    directory = central + encoded
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(directory), len(body), 0)
    return body + directory + end


def test_a_member_holding_more_than_its_header_says_is_not_read_past_it(session, user_id) -> None:
    content = strong_rows(2000)
    lying = lying_zip("strong.csv", content, declared=len(STRONG_HEADER) + 200)
    result = run(bundle(), session, user_id, "liar.zip", lying)
    assert result.counts.get("workouts", 0) <= 1
    assert any("liar.zip/strong.csv" in e and "CRC" in e for e in result.errors), result.errors


def test_the_bounded_reader_refuses_bytes_past_the_declared_size() -> None:
    reader = io.BufferedReader(
        archive.BoundedReader(io.BytesIO(b"x" * 100), limit=10, label="a.zip/b.csv")
    )
    with pytest.raises(archive.ArchiveRefused, match="more than the 10 bytes"):
        reader.read()


def test_the_csv_importer_streams_row_by_row(session, user_id, monkeypatch) -> None:
    """Ten times the rows costs little more memory: far less than the added bytes (reading
    the file whole cost at least twice them)."""
    monkeypatch.setattr(strength_csv, "MAX_PENDING_SETS", 100)  # batches far below the files
    peaks = []
    for workouts in (100, 400, 4000):  # the first warms every cache, and is not compared
        content = strong_rows(workouts)
        result, peak = peak_bytes(
            lambda content=content: run(StrongCsvImporter(), session, user_id, "s.csv", content)
        )
        assert result.counts["workouts"] == workouts and result.errors == []
        assert len(result.preview) == 10
        peaks.append((peak, len(content)))
    _, (small_peak, small_size), (big_peak, big_size) = peaks
    assert big_peak - small_peak < (big_size - small_size) / 2, peaks


def test_a_csv_without_line_breaks_is_refused_not_read_whole(session, user_id) -> None:
    content = STRONG_HEADER.encode() + b"x" * (4 * 1024**2)
    result, peak = peak_bytes(
        lambda: run(StrongCsvImporter(), session, user_id, "strong.csv", content)
    )
    [error] = result.errors
    assert error.startswith("strong.csv: a line is longer than"), error
    assert peak < len(content) / 2


def test_errors_are_capped_and_counted(session, user_id) -> None:
    bad = STRONG_HEADER + "".join(
        '"1","2026-01-01 07:00:00","A","60","Squat","1","abc","5","","","","",""\n'
        for _ in range(MAX_ERRORS + 50)
    )
    result = run(StrongCsvImporter(), session, user_id, "strong.csv", bad.encode())
    assert len(result.errors) == MAX_ERRORS and result.dropped_errors == 50
    merged = ImportResult()
    merged.merge(result)
    assert len(merged.errors) == MAX_ERRORS and merged.dropped_errors == 50


def export_zip(workouts: list[dict]) -> bytes:
    return deflated_zip(
        {
            "cadence-export.json": json.dumps(
                MANIFEST | {"files": {"workouts.json": len(workouts)}}
            ).encode(),
            "workouts.json": json.dumps(workouts, indent=1).encode(),
        }
    )


def test_the_export_importer_streams_record_by_record(session, user_id) -> None:
    """Six times the records costs little more memory: far less than the added bytes (reading
    the file whole cost several times them)."""
    peaks = []
    for count in (200, 1000, 6000):  # the first warms every cache, and is not compared
        workouts = [
            {
                "date": f"{2000 + n // 336:04d}-{n // 28 % 12 + 1:02d}-{n % 28 + 1:02d}",
                "workout_name": f"Day {n}",
                "notes": "",
                "exercises": [{"name": "Squat", "sets": 3, "reps": "5", "weight_kg": 100}],
                "external_id": f"w{count}-{n}",
            }
            for n in range(count)
        ]
        data = export_zip(workouts)
        result, peak = peak_bytes(
            lambda data=data: run(CadenceExportImporter(), session, user_id, "e.zip", data)
        )
        assert result.counts["workouts"] == count and result.errors == []
        peaks.append((peak, len(json.dumps(workouts, indent=1))))
    _, (small_peak, small_size), (big_peak, big_size) = peaks
    assert big_peak - small_peak < (big_size - small_size) / 2, peaks


def test_an_oversized_record_is_refused_with_its_file(session, user_id, monkeypatch) -> None:
    monkeypatch.setattr("cadence.services.importers.cadence_export.MAX_RECORD_BYTES", 1024**2)
    assert MAX_RECORD_BYTES == 16 * 1024**2
    huge = {"date": "2026-01-01", "workout_name": "x", "notes": "n" * (3 * 1024**2)}
    result = run(CadenceExportImporter(), session, user_id, "e.zip", export_zip([huge]))
    [error] = result.errors
    assert "e.zip/workouts.json: a record is larger than 1 MiB" in error, error


XML_GIANT_TEXT = {
    "route.gpx": (GpxImporter, b'<?xml version="1.0"?><gpx><trk><name>', b"</name></trk></gpx>"),
    "ride.tcx": (
        TcxImporter,
        b'<?xml version="1.0"?><TrainingCenterDatabase><Activities><Activity><Notes>',
        b"</Notes></Activity></Activities></TrainingCenterDatabase>",
    ),
    "export.xml": (
        AppleHealthImporter,
        b'<?xml version="1.0"?><HealthData><Record type="',
        b'"/></HealthData>',
    ),
}


@pytest.mark.parametrize("name", sorted(XML_GIANT_TEXT))
def test_an_xml_text_or_attribute_too_long_to_hold_is_refused_not_read_whole(
    session, user_id, name
) -> None:
    """Each XML importer refuses one giant text node or attribute value in words, holding far
    less than it (the parser alone would hold all of it)."""
    importer, head, tail = XML_GIANT_TEXT[name]
    content = head + b"x" * (16 * MAX_MARKUP_GAP_BYTES) + tail
    result, peak = peak_bytes(lambda: run(importer(), session, user_id, name, content))
    refusal = f"longer than {MAX_MARKUP_GAP_BYTES // 1024**2} MiB"
    assert any(refusal in error for error in result.errors), result.errors
    assert peak < len(content) / 2, peak
