"""Memory of the prod server over many requests: is it flat after 10 000?

Starts ``make run``'s server (SQLite), 8 users with 90 days of demo data, then runs
``bench/load.py``'s mix (dashboard, list workouts, log a workout) from 16 concurrent clients in
chunks of ``--chunk-seconds`` until ``--requests`` have been answered, printing the process
group's memory (RSS summed, and PSS) and the load average after each chunk, and the errors
(must be 0). With ``--probe`` each process also says where its memory is (``bench/soak_probe``:
anonymous vs file-backed pages, glibc's heap in use and free, SQLite's allocator, Python
objects); with ``--tracemalloc`` the web worker's Python allocations that grew between the first
and the last checkpoint are listed (it costs: ~15 requests/s and 4 times the memory, so compare its
Python totals, not its RSS). ``--env NAME=VALUE`` sets a variable of the server, to vary
one suspect at a time (e.g. ``MALLOC_ARENA_MAX=2``).

    .venv/bin/python bench/soak.py [--requests 10000] [--port 18817] [--probe] [--tracemalloc]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import group_memory_mb, group_pids, log_in, run_mix, seed_users  # noqa: E402
from bench.mix import MIX  # noqa: E402
from tests.live import app_lock, database_url, migrate, server_env, start_app, stop  # noqa: E402

USERS = 8
CLIENTS_PER_USER = 2
PROBE_TIMEOUT_S = 30.0


def _rollup(pid: int) -> dict[str, int]:
    lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]
    return {line.split(":")[0]: int(line.split()[1]) for line in lines}


def _probe(directory: Path, seq: int, pgid: int) -> dict[int, dict]:
    """Ask every process of the group for its ``soak_probe`` stats; {pid: stats}."""
    (directory / "seq").write_text(str(seq))
    pids = group_pids(pgid)
    deadline = time.monotonic() + PROBE_TIMEOUT_S
    found: dict[int, dict] = {}
    while time.monotonic() < deadline and len(found) < len(pids):
        for pid in pids:
            path = directory / f"{pid}-{seq}.json"
            if pid not in found and path.exists():
                found[pid] = json.loads(path.read_text())
        time.sleep(0.1)
    return found


def _print_probe(stats: dict[int, dict], pgid: int) -> None:
    for pid, s in sorted(stats.items()):
        rollup = _rollup(pid)
        role = "parent" if pid == pgid else "worker"
        traced = f", traced {s['traced_mb']:.1f}" if "traced_mb" in s else ""
        print(
            f"        {role} {pid}: RSS {rollup['Rss'] / 1024:.0f} "
            f"(anon {rollup['Anonymous'] / 1024:.0f}, "
            f"file {(rollup['Rss'] - rollup['Anonymous']) / 1024:.0f}"
            f") | malloc heap {s['malloc_arena_mb']:.1f} used {s['malloc_used_mb']:.1f} "
            f"free {s['malloc_free_mb']:.1f} mmap {s['malloc_mmap_mb']:.1f} | "
            f"sqlite {s['sqlite_mb']:.1f}{traced} | objects {s['gc_objects']}, "
            f"threads {s['threads']}",
            flush=True,
        )


def _print_growth(directory: Path, pid: int, first: int, last: int) -> None:
    import tracemalloc

    before = tracemalloc.Snapshot.load(str(directory / f"{pid}-{first}.trace"))
    after = tracemalloc.Snapshot.load(str(directory / f"{pid}-{last}.trace"))
    growth = after.compare_to(before, "lineno")
    total = sum(d.size_diff for d in growth) / 2**20
    print(f"worker {pid}, Python allocations from checkpoint {first} to {last}: {total:+.1f} MB")
    for diff in growth[:15]:
        print(
            f"    {diff.size_diff / 1024:+9.0f} kB {diff.count_diff:+7d} blocks  {diff.traceback}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--chunk-seconds", type=float, default=15)
    parser.add_argument("--port", type=int, default=18817)
    parser.add_argument("--probe", action="store_true", help="where each process's memory is")
    parser.add_argument("--tracemalloc", action="store_true", help="diff Python's allocations")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args()
    errors = 0
    with tempfile.TemporaryDirectory(prefix="cadence-soak-") as tmp:
        data = Path(tmp)
        probe_dir = data / "probe"
        extra = dict(item.split("=", 1) for item in args.env)
        if args.probe or args.tracemalloc:
            probe_dir.mkdir()
            path = os.pathsep.join(
                filter(None, [str(ROOT / "bench" / "soak_probe"), os.environ.get("PYTHONPATH")])
            )
            extra.update(PYTHONPATH=path, CADENCE_SOAK_PROBE_DIR=str(probe_dir))
            if args.tracemalloc:
                extra["CADENCE_SOAK_TRACEMALLOC"] = "1"
        env = server_env(data, database_url(data, "soak"), CADENCE_BCRYPT_ROUNDS="12", **extra)
        env.pop("REFLEX_REDIS_URL", None)
        migrate(env)
        with app_lock():
            server = start_app(env, name="soak", port=args.port)
            pgid = server.process.pid
            seq = 0
            try:
                rss, pss = group_memory_mb(pgid)
                load = os.getloadavg()[0]
                print(
                    f"{0:>6} requests: RSS {rss:.0f} MB, PSS {pss:.0f} MB, load {load:.1f} (idle)"
                )
                if probe_dir.exists():
                    _print_probe(_probe(probe_dir, seq, pgid), pgid)
                tokens = log_in(server.url, seed_users(server, USERS)) * CLIENTS_PER_USER
                done = 0
                while done < args.requests:
                    results, _ = asyncio.run(run_mix(server.url, tokens, args.chunk_seconds, MIX))
                    done += results.total
                    errors += sum(results.errors.values())
                    rss, pss = group_memory_mb(pgid)
                    print(
                        f"{done:>6} requests: RSS {rss:.0f} MB, PSS {pss:.0f} MB, "
                        f"load {os.getloadavg()[0]:.1f}, errors so far {errors}",
                        flush=True,
                    )
                    if probe_dir.exists():
                        seq += 1
                        _print_probe(_probe(probe_dir, seq, pgid), pgid)
                if args.tracemalloc and seq > 1:
                    for pid in group_pids(pgid):
                        if pid != pgid:
                            _print_growth(probe_dir, pid, 1, seq)
            finally:
                stop(server)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
