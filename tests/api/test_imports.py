"""POST/GET /api/v1/imports against the real fixture files: totals, idempotency, zips, errors."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FINAL = {"done", "partial", "failed"}


def upload(client, account, *paths: Path, dry_run: bool = False, names=None):
    files = [
        ("file", (name or path.name, path.read_bytes(), "application/octet-stream"))
        for path, name in zip(paths, names or [None] * len(paths), strict=True)
    ]
    return client.post(
        "/api/v1/imports",
        params={"dry_run": "true"} if dry_run else None,
        files=files,
        headers=account.headers,
    )


def wait(client, account, import_id: int, timeout: float = 180.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/imports/{import_id}", headers=account.headers).json()
        if body["status"] in FINAL:
            return body
        time.sleep(0.05)
    raise AssertionError(f"import {import_id} did not finish: {body}")


def import_files(client, account, *paths: Path) -> dict:
    response = upload(client, account, *paths)
    assert response.status_code == 202, response.text
    body = response.json()
    assert set(body) == {"import_id", "status", "progress", "counts", "errors", "preview"}
    return wait(client, account, body["import_id"])


def activities(client, account) -> list[dict]:
    body = client.get("/api/v1/activities?per_page=100", headers=account.headers).json()
    return body["activities"]


def test_fit_import_matches_the_session_summary(client, account) -> None:
    job = import_files(client, account, FIXTURES / "fit" / "garmin-edge-500-activity.fit")
    assert job["status"] == "done" and job["progress"] == 1.0 and job["errors"] == []
    assert job["counts"]["activities"] == 1
    [ride] = activities(client, account)
    # the file's own session: timer 10,641 s, elapsed 12,691 s, 92,622 m, HR 162/189, 1,954 kcal
    assert ride["sport"] == "cycling" and ride["source"] == "fit"
    assert ride["start_time"] == "2011-09-25T13:00:21Z"
    assert round(ride["duration_s"]) == 10641 and round(ride["elapsed_s"]) == 12691
    assert round(ride["distance_m"]) == 92622
    assert (ride["avg_hr"], ride["max_hr"], ride["calories"]) == (162, 189, 1954)
    assert ride["elevation_gain_m"] == 541


def test_importing_the_same_file_twice_adds_nothing(client, account) -> None:
    path = FIXTURES / "fit" / "activity-small-fenix2-run.fit"
    first = import_files(client, account, path)
    second = import_files(client, account, path)
    assert first["counts"]["activities"] == 1
    assert second["counts"].get("activities", 0) == 0 and second["counts"]["duplicates"] == 1
    assert len(activities(client, account)) == 1


def test_multisport_fit_gives_one_session_with_a_leg_per_sport(client, account) -> None:
    job = import_files(client, account, FIXTURES / "fit" / "sample_mulitple_header.fit")
    assert job["counts"]["activities"] == 1 and job["counts"]["legs"] == 5
    [parent] = activities(client, account)
    assert parent["sport"] == "multisport" and parent["leg_count"] == 5
    detail = client.get(f"/api/v1/activities/{parent['id']}", headers=account.headers).json()
    sports = [leg["sport"] for leg in detail["legs"]]
    assert sports == ["swimming", "transition", "cycling", "transition", "running"]
    assert parent["duration_s"] == pytest.approx(sum(leg["duration_s"] for leg in detail["legs"]))


def test_truncated_fit_keeps_the_records_and_says_why(client, account) -> None:
    job = import_files(client, account, FIXTURES / "fit" / "corrupt" / "nick.fit")
    assert job["status"] == "partial"
    [error] = job["errors"]
    assert error.startswith("nick.fit: the file is cut off") and "403456" in error
    [ride] = activities(client, account)
    assert ride["avg_hr"] is not None and ride["distance_m"] > 100_000


def test_several_files_mixed_with_a_bad_one(client, account, tmp_path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("hello")
    job = import_files(
        client,
        account,
        FIXTURES / "tcx" / "test.tcx",
        FIXTURES / "gpx" / "track-with-empty-segment.gpx",
        junk,
    )
    assert job["status"] == "partial"
    assert job["counts"]["activities"] == 2 and job["counts"]["files"] == 3
    assert len(job["errors"]) == 1 and job["errors"][0].startswith("notes.txt: not a supported")


def test_a_zip_of_many_files(client, account, tmp_path) -> None:
    bundle = tmp_path / "exports.zip"
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ("garmin-fenix-5-run.fit", "hrv-activity.fit"):
            archive.write(FIXTURES / "fit" / name, f"fit/{name}")
        archive.write(FIXTURES / "tcx" / "sup_activity_1.tcx", "sup_activity_1.tcx")
        archive.write(FIXTURES / "fit" / "corrupt" / "nick.fit", "nick.fit")
    job = import_files(client, account, bundle)
    assert job["counts"]["activities"] == 4
    assert job["status"] == "partial"
    assert [e.split(":")[0] for e in job["errors"]] == ["exports.zip/nick.fit"]


def test_apple_health_export_zip_skips_route_duplicates(client, account, tmp_path) -> None:
    bundle = tmp_path / "export.zip"
    root = FIXTURES / "apple_health" / "apple_health_export"
    with zipfile.ZipFile(bundle, "w") as archive:
        for path in root.rglob("*"):
            if path.is_file():
                archive.write(path, f"apple_health_export/{path.relative_to(root)}")
    job = import_files(client, account, bundle)
    assert job["status"] == "done", job
    [run] = activities(client, account)
    assert run["source"] == "apple_health" and run["sport"] == "running"
    assert round(run["distance_m"]) == 800  # 0.497 mi


def test_dry_run_previews_and_stores_nothing(client, account) -> None:
    response = upload(client, account, FIXTURES / "tcx" / "test.tcx", dry_run=True)
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "done" and body["counts"]["activities"] == 1
    [row] = body["preview"]
    assert row["kind"] == "activity" and row["sport"] == "running"
    assert activities(client, account) == []


def test_another_users_import_is_404(client, make_account) -> None:
    owner, other = make_account(), make_account()
    job = import_files(client, owner, FIXTURES / "fit" / "garmin-fenix-5-run.fit")
    response = client.get(f"/api/v1/imports/{job['import_id']}", headers=other.headers)
    assert response.status_code == 404
    assert activities(client, other) == []
    assert client.get("/api/v1/imports/999999", headers=owner.headers).status_code == 404


def test_missing_file_field_is_422_and_auth_is_required(client, account) -> None:
    assert client.post("/api/v1/imports", headers=account.headers).status_code == 422
    response = client.post("/api/v1/imports", files={"file": ("a.fit", b"x")})
    assert response.status_code == 401


def test_upload_over_the_cap_is_413(client, account, monkeypatch) -> None:
    from fastapi.testclient import TestClient

    from cadence.api.app import create_api
    from tests.conftest import reset_caches

    monkeypatch.setenv("CADENCE_MAX_UPLOAD_BYTES", "2048")
    reset_caches()
    with TestClient(create_api()) as small:
        response = small.post(
            "/api/v1/imports",
            files={"file": ("big.fit", io.BytesIO(b"0" * 10_000))},
            headers=account.headers,
        )
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Mojstrovka.gpx", "no track point with a usable timestamp"),
        ("gpx_with_garmin_extension.gpx", "no track point with a usable timestamp"),
    ],
)
def test_gpx_without_a_usable_track_fails_clearly(client, account, name, message) -> None:
    job = import_files(client, account, FIXTURES / "gpx" / name)
    assert job["status"] == "failed"
    assert job["errors"][0].startswith(f"{name}: {message}")


def test_a_zip_import_writes_its_progress_between_members(
    client, account, tmp_path, monkeypatch
) -> None:
    """The job writes its progress in a session of its own while its transaction holds the
    members imported so far. Those must not lock anything the progress write needs: on
    PostgreSQL a savepoint's release once bumped the user's data version, and the progress
    write (which bumped it too) then waited on the job's own transaction until it timed out."""
    from cadence.services import imports

    outcomes: list[str] = []
    write = imports._update

    def recording(job_id: int, **values) -> None:
        try:
            write(job_id, **values)
        except Exception as exc:
            outcomes.append(type(exc).__name__)
            raise
        outcomes.append("written")

    monkeypatch.setattr(imports, "_update", recording)
    monkeypatch.setattr(imports, "PROGRESS_INTERVAL_S", 0.0)  # after every read
    bundle = tmp_path / "runs.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        for name in ("garmin-fenix-5-run.fit", "hrv-activity.fit", "garmin-edge-500-activity.fit"):
            archive.write(FIXTURES / "fit" / name, name)
    job = import_files(client, account, bundle)
    assert job["status"] == "done" and job["counts"]["activities"] == 3
    assert len(outcomes) > 3 and set(outcomes) == {"written"}, outcomes
