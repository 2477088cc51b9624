"""Benchmark: the server's memory while it receives hostile and large uploads, and whether it
keeps answering another user meanwhile (docs/security.md, "Uploads and imports").

A real server (``create_api()`` under uvicorn, SQLite, its own data dir) gets, one after the
other, through ``POST /api/v1/imports``:

1. ``csv-bomb``: a ~1 MB zip whose ``strong.csv`` expands to 1 GiB (the issue's finding);
2. ``export-bomb``: a Cadence export zip whose ``workouts.json`` expands to 1 GiB;
3. ``big-csv``: a plain Strong CSV of ``--csv-mb`` MB (default 100), streamed row by row
   (one workout with far more sets than a workout may hold: every row is read and parsed,
   few are kept);
4. ``big-export``: a Cadence export zip with a ``--export-mb`` MB ``workouts.json`` (default 100)
   of distinct workouts, as a dry run (every record parsed and validated, nothing stored).

For each: the job's outcome, the server's peak RSS above its RSS before the upload (sampled
every 50 ms from /proc), and the slowest answer to another user's ``GET /api/v1/workouts``
polled every 200 ms meanwhile.

    .venv/bin/python bench/upload_memory.py              # a few minutes on a 2-core machine
    .venv/bin/python bench/upload_memory.py --quick      # 10 MB files, for a smoke run
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live import database_url, migrate, server_env, start_api, stop  # noqa: E402

MB = 1024 * 1024
GIB = 1024 * MB
STRONG_HEADER = (
    '"Workout #","Date","Workout Name","Duration (sec)","Exercise Name","Set Order",'
    '"Weight (kg)","Reps","RPE","Distance (meters)","Seconds","Notes","Workout Notes"\n'
)
MANIFEST = {"format": "cadence-export", "version": 1}


@dataclass
class Outcome:
    name: str
    upload_mb: float
    status: str
    first_error: str
    rss_growth_mb: float
    slowest_other_user_ms: float
    other_user_failures: int
    seconds: float


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def deflated_zip_file(path: Path, members: dict[str, callable]) -> Path:
    """A zip whose members are written by generator functions (never held in memory)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for name, chunks in members.items():
            with out.open(name, "w", force_zip64=True) as member:
                for chunk in chunks():
                    member.write(chunk)
    return path


def repeated(first: bytes, filler: bytes, total: int):
    def chunks():
        yield first
        block = filler * (MB // len(filler))
        for _ in range(total // len(block)):
            yield block

    return chunks


def csv_bomb(tmp: Path) -> Path:
    empty_rows = b",,,,,,,,,,,,\n"
    return deflated_zip_file(
        tmp / "csv-bomb.zip", {"strong.csv": repeated(STRONG_HEADER.encode(), empty_rows, GIB)}
    )


def export_bomb(tmp: Path) -> Path:
    manifest = json.dumps(MANIFEST | {"files": {"workouts.json": 1}}).encode()
    return deflated_zip_file(
        tmp / "export-bomb.zip",
        {
            "cadence-export.json": lambda: iter([manifest]),
            "workouts.json": repeated(b"[", b" ", GIB),
        },
    )


def big_csv(tmp: Path, size: int) -> Path:
    path = tmp / "strong.csv"
    row = '"1","2026-01-01 07:00:00","A","60","Squat","{n}","100","5","","","","",""\n'
    with path.open("w") as out:
        out.write(STRONG_HEADER)
        n = 0
        while out.tell() < size:
            out.write("".join(row.format(n=n + i) for i in range(1000)))
            n += 1000
    return path


def big_export(tmp: Path, size: int) -> Path:
    manifest = json.dumps(MANIFEST | {"files": {"workouts.json": 1}}).encode()

    def workouts():
        yield b"["
        written, n = 1, 0
        while written < size:
            records = [
                {
                    "date": f"{2000 + n // 336 % 26:04d}-{n // 28 % 12 + 1:02d}-{n % 28 + 1:02d}",
                    "workout_name": f"Session {n + i}",
                    "notes": f"note {n + i}",
                    "exercises": [
                        {"name": "Squat", "sets": 3, "reps": "5", "weight_kg": 100 + i % 50}
                    ],
                    "external_id": f"bench-{n + i}",
                }
                for i in range(1000)
            ]
            block = (b"," if n else b"") + json.dumps(records)[1:-1].encode()
            written += len(block)
            n += 1000
            yield block
        yield b"]"

    return deflated_zip_file(
        tmp / "big-export.zip",
        {"cadence-export.json": lambda: iter([manifest]), "workouts.json": workouts},
    )


def measure(name: str, server, path: Path, owner: dict, other: dict, *, dry_run: bool) -> Outcome:
    pid = server.process.pid
    baseline = rss_bytes(pid)
    peak = baseline
    slowest, failures = 0.0, 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss_bytes(pid))
            time.sleep(0.05)

    def poll_other_user() -> None:
        nonlocal slowest, failures
        with httpx.Client(base_url=server.url, headers=other, timeout=30) as client:
            while not done.is_set():
                started = time.perf_counter()
                try:
                    ok = client.get("/api/v1/workouts").status_code == 200
                except httpx.HTTPError:
                    ok = False
                slowest = max(slowest, (time.perf_counter() - started) * 1000)
                failures += not ok
                time.sleep(0.2)

    threads = [threading.Thread(target=sample), threading.Thread(target=poll_other_user)]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    with httpx.Client(base_url=server.url, headers=owner, timeout=3600) as client:
        with path.open("rb") as handle:
            answer = client.post(
                "/api/v1/imports",
                params={"dry_run": "true"} if dry_run else None,
                files={"file": (path.name, handle, "application/octet-stream")},
            )
        job = answer.json()
        while job.get("status") in ("queued", "running"):
            time.sleep(0.2)
            job = client.get(f"/api/v1/imports/{job['import_id']}").json()
    seconds = time.perf_counter() - started
    done.set()
    for thread in threads:
        thread.join()
    errors = job.get("errors") or [job.get("detail", "")]
    return Outcome(
        name=name,
        upload_mb=path.stat().st_size / MB,
        status=job.get("status", str(answer.status_code)),
        first_error=str(errors[0])[:110] if errors else "",
        rss_growth_mb=(peak - baseline) / MB,
        slowest_other_user_ms=slowest,
        other_user_failures=failures,
        seconds=seconds,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--csv-mb", type=int, default=100)
    parser.add_argument("--export-mb", type=int, default=100)
    args = parser.parse_args()
    csv_mb, export_mb = (10, 10) if args.quick else (args.csv_mb, args.export_mb)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        data = tmp / "data"
        env = server_env(data, database_url(data, "upload_memory"), CADENCE_WORKER_THREADS="1")
        migrate(env)
        print("building files…", flush=True)
        files = [
            ("csv-bomb", csv_bomb(tmp), False),
            ("export-bomb", export_bomb(tmp), False),
            ("big-csv", big_csv(tmp, csv_mb * MB), False),
            ("big-export", big_export(tmp, export_mb * MB), True),
        ]
        server = start_api(env, name="upload-memory")
        try:
            tokens = []
            for email in ("owner@example.com", "other@example.com"):
                answer = httpx.post(
                    f"{server.url}/api/v1/auth/signup",
                    json={"email": email, "password": "bench-pass-42", "display_name": "B"},
                )
                tokens.append({"Authorization": f"Bearer {answer.json()['token']}"})
            print(
                f"{'upload':<12}{'MB':>8}  {'status':<8}{'RSS +MB':>8}{'other max ms':>13}"
                f"{'fails':>6}{'s':>7}  first error"
            )
            for name, path, dry_run in files:
                o = measure(name, server, path, tokens[0], tokens[1], dry_run=dry_run)
                print(
                    f"{o.name:<12}{o.upload_mb:>8.1f}  {o.status:<8}{o.rss_growth_mb:>8.1f}"
                    f"{o.slowest_other_user_ms:>13.0f}{o.other_user_failures:>6}"
                    f"{o.seconds:>7.1f}  {o.first_error}",
                    flush=True,
                )
        finally:
            stop(server)


if __name__ == "__main__":
    main()
