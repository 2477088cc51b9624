"""Zip bundles: every member goes to its importer in its own savepoint; a member that fails,
even unexpectedly, is rolled back alone and named; zip bombs and junk are refused clearly."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlmodel import Session

from cadence.models.user import User
from cadence.services import activities
from cadence.services.importers import archive, registry, zip_bundle
from cadence.services.importers.tcx import TcxImporter

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture
def user_id(session: Session) -> int:
    user = User(email="zip@example.com", display_name="Z", password_hash="x")
    session.add(user)
    session.commit()
    return user.id


def _zip(members: dict[str, bytes]) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    buffer.seek(0)
    return buffer


def _run(session, user_id, stream):
    importer = registry.find_importer("bundle.zip", stream.getvalue()[:4096])
    assert importer.kind == "zip"
    return importer.run(
        session=session, user_id=user_id, filename="bundle.zip", stream=stream, dry_run=False
    )


def test_an_unexpected_failure_loses_only_its_member(session, user_id, monkeypatch) -> None:
    def explode(self, **_kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(TcxImporter, "run", explode)
    bundle = _zip(
        {
            "a/garmin-fenix-5-run.fit": (FIXTURES / "fit" / "garmin-fenix-5-run.fit").read_bytes(),
            "b/test.tcx": (FIXTURES / "tcx" / "test.tcx").read_bytes(),
            "__MACOSX/._test.tcx": b"resource fork",
            "readme.txt": b"hello",
        }
    )
    result = _run(session, user_id, bundle)
    session.commit()
    assert result.counts == {"activities": 1, "duplicates": 0}
    assert result.errors == [
        "bundle.zip/b/test.tcx: could not be imported (unexpected error).",
        "bundle.zip/readme.txt: not a supported file type; skipped.",
    ]
    assert activities.list_activities(session=session, user_id=user_id)[1] == 1


def test_zip_bomb_and_broken_archive_are_refused(session, user_id, monkeypatch) -> None:
    monkeypatch.setattr(archive, "MAX_EXPANDED_BYTES", 1000)
    bomb = _run(session, user_id, _zip({"big.gpx": b"<gpx>" + b" " * 5000 + b"</gpx>"}))
    assert bomb.errors == [
        "bundle.zip: the archive expands to 5011 bytes, more than 1000 bytes; refused."
    ]
    broken = zip_bundle.ZipBundleImporter(registry.find_importer).run(
        session=session,
        user_id=user_id,
        filename="broken.zip",
        stream=io.BytesIO(b"PK\x03\x04 not really a zip"),
        dry_run=False,
    )
    assert broken.errors[0].startswith("broken.zip: not a readable zip archive")
