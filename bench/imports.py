"""Benchmark: file-import throughput against the parsers alone, and peak memory.

1. FIT: the largest valid real FIT file in the fixtures (Edge 500 ride, 10 686 records) through
   ``FitImporter`` into a fresh SQLite database (totals, downsampled stream and laps stored),
   against ``fitdecode`` only iterating the same file's frames.
1b. FIT and GPX of growing length (generated: 1, 6 and 24 hours at one sample a second, with
   HR, power, cadence, speed, elevation and position): import time against the parser alone,
   and the peak memory of a fresh process importing each, to show that storing streams keeps
   memory flat (the stream is time-bucketed as it is read, never held whole).
2. Apple Health: a generated ``export.xml`` of ~100 MB (heart rate every 5 min, steps, resting HR,
   HRV SDNN, sleep stages, weight, a workout most days) through ``AppleHealthImporter``, against
   a plain ``iterparse`` loop that only reads and clears the same file.
3. Peak memory (highest RSS sampled every 20 ms in a fresh process) of the Apple import for
   25, 50 and 100 MB exports (longer histories), and for one year of data with heart rate every
   5, 2 and 1 minutes (same history, bigger file): parsing is streamed element by element, so
   memory does not follow the file size; only the per-day aggregates grow with the days covered.

    .venv/bin/python bench/imports.py            # a few minutes on a 2-core machine
    .venv/bin/python bench/imports.py --quick    # 10 MB Apple file, for a smoke run
"""

from __future__ import annotations

import io
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from xml.etree.ElementTree import iterparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIT_FILE = ROOT / "tests" / "fixtures" / "fit" / "garmin-edge-500-activity.fit"
MB = 1024 * 1024


def _configure(tmp: Path) -> None:
    os.environ["CADENCE_DATA_DIR"] = str(tmp / "data")
    os.environ["CADENCE_SECRET_KEY"] = "bench-secret-" + "x" * 40
    os.environ["CADENCE_DATABASE_URL"] = f"sqlite:///{tmp / 'bench.db'}"


def _user_session():
    from sqlmodel import Session, SQLModel

    import cadence.models  # noqa: F401
    from cadence import db
    from cadence.models.user import User

    engine = db.get_engine()
    SQLModel.metadata.create_all(engine)
    session = Session(engine, expire_on_commit=False)
    user = User(email=f"bench{time.time_ns()}@example.com", display_name="B", password_hash="x")
    session.add(user)
    session.commit()
    return session, user.id


def generate_apple_export(
    path: Path, target_bytes: int, *, seed: int = 7, hr_every_min: int = 5, days: int = 0
) -> int:
    """Write a realistic export of about ``target_bytes`` (or of exactly ``days`` days when
    given), heart rate every ``hr_every_min`` minutes; returns the number of Records."""
    rng = random.Random(seed)
    day = datetime(2016, 1, 1, 0, 0)
    records = 0
    q = "HKQuantityTypeIdentifier"
    head = '<Record type="{t}" sourceName="Apple Watch" sourceVersion="10.1" unit="{u}" '
    body = 'creationDate="{c}" startDate="{s}" endDate="{e}" value="{v}"/>\n'
    line = "  " + head + body

    def stamp(moment: datetime) -> str:
        return moment.strftime("%Y-%m-%d %H:%M:%S +0100")

    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<HealthData locale="en_US">\n')
        written = 0
        while (written < days) if days else (out.tell() < target_bytes):
            written += 1
            for minute in range(0, 24 * 60, hr_every_min):
                moment = day + timedelta(minutes=minute)
                s = stamp(moment)
                bpm = rng.randint(50, 75) if minute < 7 * 60 else rng.randint(60, 140)
                out.write(line.format(t=f"{q}HeartRate", u="count/min", c=s, s=s, e=s, v=bpm))
                records += 1
                if minute % 60 == 0 and 8 <= minute // 60 <= 21:  # hourly steps by day
                    steps = rng.randint(100, 1500)
                    e = stamp(moment + timedelta(minutes=59))
                    out.write(line.format(t=f"{q}StepCount", u="count", c=e, s=s, e=e, v=steps))
                    records += 1
            morning = stamp(day + timedelta(hours=7))
            for kind, unit, value in (
                ("RestingHeartRate", "count/min", rng.randint(48, 58)),
                ("HeartRateVariabilitySDNN", "ms", round(rng.uniform(35, 80), 1)),
                ("BodyMass", "kg", round(rng.uniform(72, 76), 1)),
            ):
                out.write(line.format(t=q + kind, u=unit, c=morning, s=morning, e=morning, v=value))
                records += 1
            bed = day - timedelta(minutes=rng.randint(30, 90))
            for stage, minutes in (("Core", 180), ("Deep", 80), ("REM", 110), ("Core", 60)):
                end = bed + timedelta(minutes=minutes)
                out.write(
                    line.format(
                        t="HKCategoryTypeIdentifierSleepAnalysis",
                        u="",
                        c=stamp(end),
                        s=stamp(bed),
                        e=stamp(end),
                        v=f"HKCategoryValueSleepAnalysisAsleep{stage}",
                    )
                )
                records += 1
                bed = end
            if rng.random() < 0.7:
                start = day + timedelta(hours=18)
                out.write(
                    f'  <Workout workoutActivityType="HKWorkoutActivityTypeRunning" '
                    f'duration="45" durationUnit="min" totalDistance="8.5" '
                    f'totalDistanceUnit="km" totalEnergyBurned="520" totalEnergyBurnedUnit="kcal" '
                    f'sourceName="Apple Watch" startDate="{stamp(start)}" '
                    f'endDate="{stamp(start + timedelta(minutes=45))}"/>\n'
                )
            day += timedelta(days=1)
        out.write("</HealthData>\n")
    return records


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def bench_fit() -> None:
    import fitdecode

    from cadence.services.importers.fit import FitImporter

    size = FIT_FILE.stat().st_size
    data = FIT_FILE.read_bytes()
    frames = {"records": 0}

    def decode_only() -> None:
        frames["records"] = 0
        for frame in fitdecode.FitReader(io.BytesIO(data)):
            if isinstance(frame, fitdecode.FitDataMessage) and frame.name == "record":
                frames["records"] += 1

    session, user_id = _user_session()

    def import_file() -> None:
        result = FitImporter().run(
            session=session,
            user_id=user_id,
            filename=FIT_FILE.name,
            stream=io.BytesIO(data),
            dry_run=False,
        )
        session.commit()
        assert not result.errors, result.errors

    baseline = min(_timed(decode_only) for _ in range(3))
    ours = min(_timed(import_file) for _ in range(3))
    records = frames["records"]
    print(f"FIT  {FIT_FILE.name}: {size / MB:.2f} MB, {records} records")
    print(f"     fitdecode only: {size / MB / baseline:6.2f} MB/s  {records / baseline:9.0f} rec/s")
    print(f"     Cadence import: {size / MB / ours:6.2f} MB/s  {records / ours:9.0f} rec/s")
    print(f"     ratio import/fitdecode time: {ours / baseline:.2f}x")


def bench_apple(path: Path, records: int) -> None:
    from cadence.services.importers.apple_health import AppleHealthImporter

    size = path.stat().st_size

    def iterparse_only() -> None:
        for _event, elem in iterparse(path, events=("end",)):
            if elem.tag in ("Record", "Workout"):
                elem.clear()

    session, user_id = _user_session()

    def import_file() -> None:
        with path.open("rb") as stream:
            result = AppleHealthImporter().run(
                session=session,
                user_id=user_id,
                filename="export.xml",
                stream=stream,
                dry_run=False,
            )
        session.commit()
        assert not result.errors, result.errors

    baseline = _timed(iterparse_only)
    ours = _timed(import_file)
    print(f"APPLE export.xml: {size / MB:.0f} MB, {records} records")
    print(f"     iterparse only: {size / MB / baseline:6.2f} MB/s  {records / baseline:9.0f} rec/s")
    print(f"     Cadence import: {size / MB / ours:6.2f} MB/s  {records / ours:9.0f} rec/s")
    print(f"     ratio import/iterparse time: {ours / baseline:.2f}x (two streamed passes)")


def _rss_mb() -> float:
    """The current resident set size of this process (Linux ``/proc``)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / MB


def _importer(kind: str):
    from cadence.services.importers.apple_health import AppleHealthImporter
    from cadence.services.importers.fit import FitImporter
    from cadence.services.importers.gpx import GpxImporter

    return {"apple": AppleHealthImporter, "fit": FitImporter, "gpx": GpxImporter}[kind]()


def _child_peak(kind: str, path: Path, tmp: Path) -> None:
    """Run in a fresh process: import ``path`` while a thread samples the RSS every 20 ms;
    print the RSS just before parsing, the highest sample during the import and its seconds."""
    _configure(tmp)
    importer = _importer(kind)
    session, user_id = _user_session()
    before = _rss_mb()
    samples = [before]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            samples.append(_rss_mb())

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.perf_counter()
    with path.open("rb") as stream:
        result = importer.run(
            session=session, user_id=user_id, filename=path.name, stream=stream, dry_run=False
        )
    session.commit()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    assert not result.errors, result.errors
    print(f"{before:.1f} {max(samples):.1f} {seconds:.3f}")


def _peak_in_child(path: Path, tmp: str, kind: str = "apple") -> tuple[float, float, float]:
    """(RSS before, peak RSS, import seconds) of a fresh process importing ``path``."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path), tmp],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return float(out[0]), float(out[1]), float(out[2])


def bench_memory(sizes: list[int], *, year_densities: list[int]) -> None:
    print("APPLE resident memory of a fresh process importing the export (MB):")
    print("  longer history (HR every 5 min, file grows with the days covered):")
    for size_mb in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "export.xml"
            generate_apple_export(path, size_mb * MB)
            before, peak, _ = _peak_in_child(path, tmp)
        print(
            f"     {size_mb:4d} MB file: peak {peak:6.1f} MB during the import, {before:6.1f} MB "
            f"before it (growth {peak - before:5.1f} MB)"
        )
    print("  same 365 days, denser heart rate (file grows, history does not):")
    for every in year_densities:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "export.xml"
            generate_apple_export(path, 0, hr_every_min=every, days=365)
            size_mb = path.stat().st_size / MB
            before, peak, _ = _peak_in_child(path, tmp)
        print(
            f"     HR every {every} min, {size_mb:5.0f} MB file: peak {peak:6.1f} MB "
            f"(growth {peak - before:5.1f} MB)"
        )


START = datetime(2026, 6, 14, 6, 0)


def generate_fit(path: Path, hours: float) -> int:
    """A ride of ``hours`` at 1 Hz with every channel the detail page draws, and a lap per
    10 km; returns the number of records."""
    from datetime import UTC

    from tests.fit_writer import FitWriter, degrees

    start = START.replace(tzinfo=UTC)
    seconds = int(hours * 3600)
    writer = FitWriter().message("file_id", type="activity", manufacturer="garmin")
    lap_start = start
    for i in range(seconds):
        when = start + timedelta(seconds=i)
        writer.message(
            "record",
            timestamp=when,
            heart_rate=120 + i % 45,
            power=180 + i % 90,
            cadence=88,
            distance=i * 8.0,
            enhanced_speed=8.0,
            enhanced_altitude=300 + 50 * ((i // 600) % 2),
            position_lat=degrees(46.0 + i * 5e-5),
            position_long=degrees(7.0 + (i % 600) * 1e-5),
        )
        if i and i % 1250 == 0:
            writer.message(
                "lap",
                timestamp=when,
                start_time=lap_start,
                total_timer_time=float((when - lap_start).total_seconds()),
                total_elapsed_time=float((when - lap_start).total_seconds()),
                total_distance=10_000.0,
            )
            lap_start = when
    writer.message(
        "session",
        timestamp=start + timedelta(seconds=seconds),
        start_time=start,
        total_timer_time=float(seconds),
        total_elapsed_time=float(seconds),
        total_distance=seconds * 8.0,
        sport="cycling",
    )
    path.write_bytes(writer.to_bytes())
    return seconds


def generate_gpx(path: Path, hours: float) -> int:
    """The same ride as GPX 1.1 with Garmin's TrackPointExtension (HR, cadence) and power."""
    seconds = int(hours * 3600)
    with path.open("w") as out:
        out.write(
            '<?xml version="1.0"?><gpx version="1.1" creator="bench" '
            'xmlns="http://www.topografix.com/GPX/1/1" '
            'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
            "<trk><type>cycling</type><trkseg>\n"
        )
        for i in range(seconds):
            when = START + timedelta(seconds=i)
            out.write(
                f'<trkpt lat="{46.0 + i * 5e-5:.6f}" lon="{7.0 + (i % 600) * 1e-5:.6f}">'
                f"<ele>{300 + 50 * ((i // 600) % 2)}</ele><time>{when:%Y-%m-%dT%H:%M:%SZ}</time>"
                f"<extensions><power>{180 + i % 90}</power><gpxtpx:TrackPointExtension>"
                f"<gpxtpx:hr>{120 + i % 45}</gpxtpx:hr><gpxtpx:cad>88</gpxtpx:cad>"
                "</gpxtpx:TrackPointExtension></extensions></trkpt>\n"
            )
        out.write("</trkseg></trk></gpx>\n")
    return seconds


def _parse_only(kind: str, path: Path) -> None:
    if kind == "fit":
        import fitdecode

        with fitdecode.FitReader(str(path)) as reader:
            for _frame in reader:
                pass
    else:
        for _event, elem in iterparse(path, events=("end",)):
            if elem.tag.endswith("trkpt"):
                elem.clear()


def bench_long_tracks(hours: list[float]) -> None:
    print("LONG TRACKS: import (totals, stream, laps) against the parser alone, and peak memory")
    for kind, generate in (("fit", generate_fit), ("gpx", generate_gpx)):
        for length in hours:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / f"ride.{kind}"
                samples = generate(path, length)
                size = path.stat().st_size / MB
                baseline = _timed(lambda kind=kind, path=path: _parse_only(kind, path))
                before, peak, ours = _peak_in_child(path, tmp, kind)
                print(
                    f"     {kind.upper()} {length:4.0f} h, {samples:6d} samples, {size:6.1f} MB: "
                    f"parser {baseline:6.2f} s, import {ours:6.2f} s, ratio "
                    f"{ours / baseline:4.2f}x; peak {peak:6.1f} MB, growth {peak - before:5.1f} MB"
                )


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        _child_peak(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
        return
    quick = "--quick" in sys.argv
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        _configure(tmp)
        bench_fit()
        bench_long_tracks([1, 6] if quick else [1, 6, 24])
        export = tmp / "export.xml"
        size = 10 if quick else 100
        records = generate_apple_export(export, size * MB)
        bench_apple(export, records)
    if quick:
        bench_memory([5, 10], year_densities=[15, 5])
    else:
        bench_memory([25, 50, 100], year_densities=[5, 2, 1])


if __name__ == "__main__":
    main()
