"""Strong/Hevy CSV through ``POST /api/v1/imports``: dry-run preview, import, no duplicates."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

CSV = Path(__file__).resolve().parent.parent / "fixtures" / "csv"
FINAL = {"done", "partial", "failed"}


def post(client, account, files: list[tuple[str, bytes]], *, dry_run: bool = False) -> dict:
    response = client.post(
        "/api/v1/imports",
        params={"dry_run": "true"} if dry_run else None,
        files=[("file", (name, data, "text/csv")) for name, data in files],
        headers=account.headers,
    )
    assert response.status_code == 202, response.text
    job = response.json()
    deadline = time.monotonic() + 30
    while job["status"] not in FINAL and time.monotonic() < deadline:
        time.sleep(0.05)
        job = client.get(f"/api/v1/imports/{job['import_id']}", headers=account.headers).json()
    assert job["status"] in FINAL, job
    return job


def fixture(name: str) -> tuple[str, bytes]:
    return name, (CSV / name).read_bytes()


def total_workouts(client, account) -> int:
    return client.get("/api/v1/workouts", headers=account.headers).json()["total"]


def test_dry_run_then_import_then_reimport(client, account):
    preview = post(client, account, [fixture("strong_kg.csv")], dry_run=True)
    assert preview["status"] == "partial"  # one bad line, the rest is fine
    assert preview["counts"]["workouts"] == 2
    assert [p["workout_name"] for p in preview["preview"]] == ["Push Day", "Legs"]
    assert preview["errors"] == ["strong_kg.csv line 9: weight 'abc' is not a number"]
    assert total_workouts(client, account) == 0

    imported = post(client, account, [fixture("strong_kg.csv"), fixture("hevy_lbs.csv")])
    assert imported["counts"]["workouts"] == 3
    assert total_workouts(client, account) == 3

    again = post(client, account, [fixture("strong_kg.csv"), fixture("hevy_lbs.csv")])
    assert again["counts"].get("workouts", 0) == 0
    assert again["counts"]["duplicates"] == 3
    assert total_workouts(client, account) == 3

    library = client.get("/api/v1/exercises/library", headers=account.headers).json()
    bench = next(e for e in library["exercises"] if e["name"] == "Bench Press (Barbell)")
    assert bench["times_logged"] == 2
    assert bench["best_weight_kg"] == 83.91  # 185 lb from Hevy beats 80 kg; warm-ups ignored


def test_csv_inside_a_zip(client, account):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        bundle.writestr("hevy_kg.csv", (CSV / "hevy_kg.csv").read_bytes())
    job = post(client, account, [("export.zip", buffer.getvalue())])
    assert job["status"] == "done", job
    assert job["counts"]["workouts"] == 2
    assert total_workouts(client, account) == 2


def test_imported_workouts_belong_to_the_importer(client, make_account):
    owner, other = make_account(), make_account()
    post(client, owner, [fixture("hevy_kg.csv")])
    assert total_workouts(client, other) == 0
    assert total_workouts(client, owner) == 2
