"""Load benchmark: N concurrent simulated users against the prod server, SQLite and PostgreSQL.

Each user logs in once (the token is reused), then loops for a fixed time over a realistic mix:
the dashboard, the first page of workouts, logging a workout, and a chat turn with the offline
coach (the whole SSE stream is read). Every user has 90 days of demo data. The server is the
product as users run it (``reflex run --env prod``, one process, one granian worker).

Baseline, same run, same load: a bare FastAPI app under granian (one worker) returning a constant
JSON payload the size of the dashboard answer. Printed: throughput, p50/p95/p99 per kind and
overall, errors (must be 0) and the throughput ratio to the baseline.

    .venv/bin/python bench/load.py [--users 8] [--seconds 20] [--db sqlite,postgresql]

PostgreSQL: a fresh ``postgres_load`` database on ``CADENCE_BENCH_PG_URL``
(default ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``); skipped when unreachable.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.mix import MIX, workout_body  # noqa: E402  (after the path set-up above)
from tests.live import (  # noqa: E402
    VENV_BIN,
    Server,
    app_lock,
    database_url,
    migrate,
    server_env,
    start_app,
    stop,
)

PG_URL = os.environ.get(
    "CADENCE_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
PASSWORD = "load-test-42"
CHAT_WEIGHT = 1  # with --chat: its pacing is a design choice, so the goal excludes it
ENDPOINTS = {
    "dashboard": ("get", "/api/v1/dashboard"),
    "list_workouts": ("get", "/api/v1/workouts"),
    "log_workout": ("post", "/api/v1/workouts"),
    "chat": ("post", "/api/v1/chat"),
}
PAYLOAD_ENV = "CADENCE_BENCH_PAYLOAD_BYTES"


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_samples: list[str] = field(default_factory=list)

    def record(self, kind: str, seconds: float, problem: str | None) -> None:
        self.latencies[kind].append(seconds)
        if problem:
            self.errors[kind] += 1
            if len(self.error_samples) < 5:
                self.error_samples.append(f"{kind}: {problem}")

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.latencies.values())


def create_bare_app():
    """The baseline: FastAPI returning a constant payload of ``CADENCE_BENCH_PAYLOAD_BYTES``."""
    from fastapi import FastAPI
    from fastapi.responses import Response

    size = int(os.environ.get(PAYLOAD_ENV, "4096"))
    body = ('{"payload":"' + "x" * max(0, size - 14) + '"}').encode()
    app = FastAPI()

    @app.get("/payload")
    def payload() -> Response:
        return Response(body, media_type="application/json")

    return app


def start_bare(env: dict[str, str], payload_bytes: int) -> subprocess.Popen:
    port = _free_port()
    process = subprocess.Popen(
        [
            str(VENV_BIN / "granian"),
            "--interface",
            "asgi",
            "--workers",
            "1",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--factory",
            "--log-level",
            "warning",
            "bench.load:create_bare_app",
        ],
        cwd=ROOT,
        env={**env, PAYLOAD_ENV: str(payload_bytes), "PYTHONPATH": _pythonpath(env)},
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{url}/payload").status_code == 200:
                process.url = url  # type: ignore[attr-defined]
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("the bare baseline did not start")


def _pythonpath(env: dict[str, str]) -> str:
    """The checkout first, then whatever the caller already had on the path."""
    return os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed_users(server: Server, users: int) -> list[str]:
    """Sign up ``users`` accounts with 90 days of demo data each; return their login emails."""
    emails = [f"load{i}@example.com" for i in range(users)]
    for email in emails:
        response = httpx.post(
            f"{server.url}/api/v1/auth/signup",
            json={"email": email, "password": PASSWORD, "display_name": "Load"},
            timeout=60,
        )
        response.raise_for_status()
    subprocess.run(
        [str(VENV_BIN / "python"), "-m", "cadence", "demo-data", *emails],
        cwd=ROOT,
        env=server.env,
        check=True,
        capture_output=True,
    )
    return emails


def available_mix(url: str, *, chat: bool) -> dict[str, int]:
    """The mix restricted to the endpoints this server's OpenAPI document lists (says which not)."""
    wanted = {**MIX, "chat": CHAT_WEIGHT} if chat else MIX
    paths = httpx.get(f"{url}/api/v1/openapi.json").json()["paths"]
    mix = {k: w for k, w in wanted.items() if ENDPOINTS[k][0] in paths.get(ENDPOINTS[k][1], {})}
    for kind in wanted.keys() - mix.keys():
        print(f"missing endpoint, left out of the mix: {kind} {ENDPOINTS[kind]}")
    return mix


def log_in(url: str, emails: list[str]) -> list[str]:
    """One token per user, taken before any timed run (bcrypt's cost is a login's)."""
    tokens = []
    for email in emails:
        response = httpx.post(
            f"{url}/api/v1/auth/login", json={"email": email, "password": PASSWORD}, timeout=60
        )
        response.raise_for_status()
        tokens.append(response.json()["token"])
    return tokens


async def one_user(
    http: httpx.AsyncClient, token: str, until: float, seed: int, out: Results, mix: dict
):
    headers = {"Authorization": f"Bearer {token}"}
    rng = random.Random(seed)
    kinds, weights = zip(*mix.items(), strict=True)
    n = 0
    while time.monotonic() < until:
        kind = rng.choices(kinds, weights)[0]
        n += 1
        started = time.perf_counter()
        try:
            problem = await ACTIONS[kind](http, headers, n)
        except httpx.HTTPError as exc:
            problem = f"{exc.__class__.__name__}: {exc}"
        out.record(kind, time.perf_counter() - started, problem)


async def _get(http, path: str, headers) -> str | None:
    response = await http.get(path, headers=headers)
    return None if response.status_code == 200 else f"{response.status_code} {response.text[:200]}"


async def dashboard(http, headers, _n) -> str | None:
    return await _get(http, "/api/v1/dashboard", headers)


async def list_workouts(http, headers, _n) -> str | None:
    return await _get(http, "/api/v1/workouts?page=1&per_page=20", headers)


async def log_workout(http, headers, n) -> str | None:
    response = await http.post("/api/v1/workouts", json=workout_body(n), headers=headers)
    return None if response.status_code == 201 else f"{response.status_code} {response.text[:200]}"


async def chat(http, headers, _n) -> str | None:
    body = {"message": "How did I sleep last night?", "model_id": "cadence/offline"}
    async with http.stream("POST", "/api/v1/chat", json=body, headers=headers) as response:
        last = ""
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                last = line[7:]
    if response.status_code != 200 or last != "done":
        return f"{response.status_code} stream ended with {last!r}"
    return None


ACTIONS = {
    "dashboard": dashboard,
    "list_workouts": list_workouts,
    "log_workout": log_workout,
    "chat": chat,
}


async def run_mix(
    url: str, tokens: list[str], seconds: float, mix: dict[str, int]
) -> tuple[Results, float]:
    out = Results()
    limits = httpx.Limits(max_connections=len(tokens) * 2)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
        until = time.monotonic() + seconds
        started = time.perf_counter()
        await asyncio.gather(
            *(one_user(http, token, until, i, out, mix) for i, token in enumerate(tokens))
        )
        return out, time.perf_counter() - started


async def run_baseline(url: str, users: int, seconds: float) -> tuple[Results, float]:
    out = Results()

    async def loop(http: httpx.AsyncClient, until: float) -> None:
        while time.monotonic() < until:
            started = time.perf_counter()
            response = await http.get("/payload")
            problem = None if response.status_code == 200 else str(response.status_code)
            out.record("payload", time.perf_counter() - started, problem)

    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        until = time.monotonic() + seconds
        started = time.perf_counter()
        await asyncio.gather(*(loop(http, until) for _ in range(users)))
        return out, time.perf_counter() - started


def pct(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] * 1000 if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


def report(label: str, out: Results, elapsed: float) -> float:
    rps = out.total / elapsed
    every = [x for v in out.latencies.values() for x in v]
    print(
        f"\n{label}: {out.total} requests in {elapsed:.1f} s = {rps:.1f} req/s, "
        f"errors {sum(out.errors.values())}"
    )
    print(f"  {'kind':<14} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for kind, values in [*sorted(out.latencies.items()), ("all", every)]:
        errors = sum(out.errors.values()) if kind == "all" else out.errors.get(kind, 0)
        print(
            f"  {kind:<14} {len(values):>6} {pct(values, 50):>8.1f} {pct(values, 95):>8.1f} "
            f"{pct(values, 99):>8.1f} {errors:>7}"
        )
    for sample in out.error_samples:
        print(f"  error: {sample}")
    return rps


@dataclass(frozen=True)
class Options:
    users: int
    seconds: float
    chat: bool
    profile: Path | None  # py-spy's collapsed stacks of the server, one file per process
    api_workers: str | None  # CADENCE_API_WORKERS for the server (None: its default, 0)
    port: int | None = None  # fixed, so that a second run reuses the production build


def group_memory_mb(pgid: int) -> tuple[float, float]:
    """(RSS summed, PSS summed) in MB over every process of the process group ``pgid``.

    The RSS sum counts pages shared by forked workers once per process; PSS splits them.
    """
    rss = pss = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid:
                continue
            rollup = (stat.parent / "smaps_rollup").read_text().splitlines()
        except (OSError, IndexError, ValueError):
            continue
        values = {line.split(":")[0]: int(line.split()[1]) for line in rollup[1:]}
        rss += values.get("Rss", 0)
        pss += values.get("Pss", 0)
    return rss / 1024, pss / 1024


def group_cpu_s(pgid: int) -> float:
    """CPU seconds (user + system) used so far by the live processes of process group ``pgid``:
    unlike latency, CPU per request hardly moves with what else the machine is running."""
    ticks = 0
    for pid in group_pids(pgid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def group_pids(pgid: int) -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[2]) == pgid:
                pids.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return pids


def start_profiler(pgid: int, out: Path, seconds: float) -> list[subprocess.Popen]:
    """py-spy (``PY_SPY``, default ``py-spy`` on PATH) on every process of the server's group."""
    out.mkdir(parents=True, exist_ok=True)
    spy = os.environ.get("PY_SPY", "py-spy")
    flags = ["--duration", str(int(seconds)), "--rate", "200", "--format", "raw", "--nonblocking"]
    return [
        subprocess.Popen(
            [spy, "record", "--pid", str(pid), *flags, "--output", str(out / f"{pid}.txt")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for pid in group_pids(pgid)
    ]


def wait_for_pool(url: str, api_workers: str | None, timeout_s: float = 180) -> None:
    """Until the API's own processes answer (``cadence.api.pool``), when some were asked for."""
    if api_workers in (None, "0"):
        return
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        answer = httpx.get(f"{url}/api/v1/openapi.json", timeout=30)
        if answer.headers.get("x-cadence-served-by") == "api-pool":
            return
        time.sleep(0.5)
    print("the API pool did not answer: measuring the web worker alone")


def bench_database(kind: str, options: Options) -> int:
    """Run the mix and the baseline on one database; return the number of errors."""
    users, seconds = options.users, options.seconds
    with tempfile.TemporaryDirectory(prefix=f"cadence-load-{kind}-") as tmp:
        data = Path(tmp)
        url = database_url(data, "load", PG_URL if kind == "postgresql" else None)
        env = server_env(data, url, CADENCE_BCRYPT_ROUNDS="12")
        env.pop("REFLEX_REDIS_URL", None)
        if options.api_workers is not None:
            env["CADENCE_API_WORKERS"] = options.api_workers
        migrate(env)
        with app_lock():
            server = start_app(env, name=f"load-{kind}", port=options.port)
            try:
                wait_for_pool(server.url, options.api_workers)
                idle = group_memory_mb(server.process.pid)
                tokens = log_in(server.url, seed_users(server, users))
                size = len(
                    httpx.get(
                        f"{server.url}/api/v1/dashboard",
                        headers={"Authorization": f"Bearer {tokens[0]}"},
                    ).content
                )
                mix = available_mix(server.url, chat=options.chat)
                asyncio.run(run_mix(server.url, tokens, 3, mix))  # warm-up, not counted
                spies = []
                if options.profile:
                    spies = start_profiler(server.process.pid, options.profile / kind, seconds)
                load_before = os.getloadavg()[0]
                cpu_before = group_cpu_s(server.process.pid)
                results, elapsed = asyncio.run(run_mix(server.url, tokens, seconds, mix))
                cpu = group_cpu_s(server.process.pid) - cpu_before
                load_after = os.getloadavg()[0]
                for spy in spies:
                    spy.wait(timeout=60)
                loaded = group_memory_mb(server.process.pid)
            finally:
                stop(server)
        bare = start_bare(env, size)
        try:
            asyncio.run(run_baseline(bare.url, users, 2))
            base_cpu_before = group_cpu_s(bare.pid)
            base, base_elapsed = asyncio.run(run_baseline(bare.url, users, seconds))
            base_cpu = group_cpu_s(bare.pid) - base_cpu_before
        finally:
            os.killpg(bare.pid, 15)
            bare.wait(timeout=15)
    workers = options.api_workers or "default"
    print(f"\n=== {kind}: {users} users, {seconds:g} s, dashboard payload {size} bytes")
    print(f"CADENCE_API_WORKERS={workers}")
    print(f"load average (1 min) {load_before:.2f} before the run, {load_after:.2f} after")
    print(
        f"server process group: idle RSS {idle[0]:.0f} MB (PSS {idle[1]:.0f} MB), "
        f"after the run RSS {loaded[0]:.0f} MB (PSS {loaded[1]:.0f} MB)"
    )
    rps = report(f"cadence ({kind})", results, elapsed)
    base_rps = report("bare FastAPI baseline (same payload size)", base, base_elapsed)
    every = [x for v in results.latencies.values() for x in v]
    base_every = [x for v in base.latencies.values() for x in v]
    print(
        f"\nthroughput ratio cadence/bare = {rps / base_rps:.3f}, "
        f"p99 ratio = {pct(every, 99) / pct(base_every, 99):.2f}, "
        f"slowest request {max(every) * 1000:.0f} ms ({kind})"
    )
    per_request, base_per_request = cpu / results.total * 1000, base_cpu / base.total * 1000
    print(
        f"server CPU per request: cadence {per_request:.2f} ms ({cpu:.1f} s over "
        f"{elapsed:.0f} s = {cpu / elapsed:.2f} cores), bare {base_per_request:.2f} ms "
        f"({base_cpu / base_elapsed:.2f} cores); ratio {per_request / base_per_request:.1f}"
    )
    return sum(results.errors.values())


def _pg_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), 2).close()
        return True
    except OSError:
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--chat", action="store_true", help="add chat turns to the mix")
    parser.add_argument(
        "--profile", type=Path, help="directory for py-spy's raw stacks of each server process"
    )
    parser.add_argument("--api-workers", help="CADENCE_API_WORKERS for the server (0: no pool)")
    parser.add_argument(
        "--port", type=int, help="serve on this port (a build is reused only on the same port)"
    )
    args = parser.parse_args()
    options = Options(
        args.users, args.seconds, args.chat, args.profile, args.api_workers, args.port
    )
    errors = 0
    for kind in args.db.split(","):
        if kind == "postgresql" and not _pg_reachable():
            print("\n=== postgresql: skipped, nothing answers on 127.0.0.1:5432")
            continue
        errors += bench_database(kind, options)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
