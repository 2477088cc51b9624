"""In-process CPU profile of ``bench/load.py``'s mix: where a request's milliseconds go.

One process, ``create_api()`` behind Starlette's TestClient, a few users with 90 days of demo data
each, the mix of dashboard (3), list workouts (3), log a workout (2) in the same random order as
the load benchmark. Prints the CPU milliseconds per request of each kind (``time.process_time``,
robust to other processes' load), the thread-pool hops each kind makes (every sync dependency,
handler and response validation is one, ~0.3-0.5 ms of CPU on a busy machine) and, with
``--profile``, a sampling profile of every thread. The client's own cost is printed too (a 404:
the client, routing and the middlewares).

    .venv/bin/python bench/profile_mix.py [--requests 400] [--users 4] [--profile] [--db URL]
        [--mix dashboard=3,list_workouts=3,log_workout=2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.mix import MIX, workout_body  # noqa: E402

PASSWORD = "profile-mix-42"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--users", type=int, default=4)
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions")
    parser.add_argument("--db", help="a database URL (default: a fresh SQLite file)")
    parser.add_argument(
        "--mix",
        default=",".join(f"{k}={w}" for k, w in MIX.items()),
        help="kinds and weights, e.g. list_workouts=1 to profile one kind alone",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cadence-profile-") as tmp:
        os.environ.update(
            CADENCE_DATA_DIR=tmp,
            CADENCE_SECRET_KEY="profile-secret-" + "k" * 40,
            CADENCE_BCRYPT_ROUNDS="4",
            CADENCE_DATABASE_URL=args.db or f"sqlite:///{tmp}/profile.db",
            CADENCE_WORKER="false",
        )
        run(args)
    return 0


class Sampler:
    """A sampling profiler of every thread (``sys._current_frames`` each millisecond): cProfile
    sees only its own thread, and the app runs its sync handlers in a thread pool."""

    def __init__(self, interval_s: float = 0.001) -> None:
        self.interval_s = interval_s
        self.inclusive: Counter[str] = Counter()
        self.own: Counter[str] = Counter()
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.active = False

    def __enter__(self) -> Sampler:
        sys.setswitchinterval(self.interval_s / 2)
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        me = threading.get_ident()
        while not self._stop.wait(self.interval_s):
            if not self.active:
                continue
            for ident, frame in sys._current_frames().items():
                if ident == me:
                    continue
                stack = []
                while frame is not None:
                    code = frame.f_code
                    stack.append(f"{_short(code.co_filename)}:{code.co_name}")
                    frame = frame.f_back
                if not stack or _idle(stack[0]):
                    continue
                self.samples += 1
                self.own[stack[0]] += 1
                self.inclusive.update(set(stack))

    def report(self, top: int) -> None:
        print(f"\n{self.samples} busy samples; by inclusive share:")
        for name, n in self.inclusive.most_common(top):
            print(f"  {n / self.samples * 100:5.1f} %  {name}")
        print("\nby own share (the innermost frame):")
        for name, n in self.own.most_common(top // 2):
            print(f"  {n / self.samples * 100:5.1f} %  {name}")


IDLE = (
    "threading.py:wait",
    "selectors.py:select",
    "queue.py:get",
    "threading.py:_wait_for_tstate_lock",
)


def _idle(leaf: str) -> bool:
    return leaf.endswith(IDLE) or leaf.endswith("_worker") or "base_events.py:_run_once" in leaf


def _short(path: str) -> str:
    for marker in ("site-packages/", "/wt/perf/", "python3.11/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


class HopCounter:
    """Count ``anyio.to_thread.run_sync`` calls (Starlette and FastAPI reach the thread pool
    through it, looked up at each call)."""

    def __init__(self) -> None:
        import anyio.to_thread

        self.count = 0
        real = anyio.to_thread.run_sync

        async def counting_run_sync(*args, **kwargs):
            self.count += 1
            return await real(*args, **kwargs)

        anyio.to_thread.run_sync = counting_run_sync


def _count_builds(dashboard) -> list[int]:
    """Wrap ``build_dashboard`` so that the cache's misses can be counted."""
    calls: list[int] = []
    real = dashboard.build_dashboard

    def counting(**kwargs):
        calls.append(kwargs["user_id"])
        return real(**kwargs)

    dashboard.build_dashboard = counting
    return calls


def run(args: argparse.Namespace) -> None:
    asyncio.run(_run(args))


async def _run(args: argparse.Namespace) -> None:
    import httpx
    from sqlmodel import SQLModel

    import cadence.models  # noqa: F401  (registers every table)
    from cadence.api.app import create_api
    from cadence.db import get_engine, session_scope
    from cadence.services import dashboard, demo

    builds = _count_builds(dashboard)
    hops = HopCounter()
    SQLModel.metadata.create_all(get_engine())
    transport = httpx.ASGITransport(app=create_api())
    client = httpx.AsyncClient(transport=transport, base_url="http://bench")
    headers = []
    for i in range(args.users):
        email = f"profile{i}@example.com"
        body = {"email": email, "password": PASSWORD, "display_name": "P"}
        token = (await client.post("/api/v1/auth/signup", json=body)).json()["token"]
        with session_scope() as session:
            demo.generate_for_email(session=session, email=email)
        headers.append({"Authorization": f"Bearer {token}"})
    actions = {
        "dashboard": lambda h, _n: client.get("/api/v1/dashboard", headers=h),
        "list_workouts": lambda h, _n: client.get("/api/v1/workouts?page=1&per_page=20", headers=h),
        "log_workout": lambda h, n: client.post(
            "/api/v1/workouts", json=workout_body(n), headers=h
        ),
        "client only": lambda _h, _n: client.get("/api/v1/no-such-endpoint"),
    }
    rng = random.Random(1)
    mix = {k: int(w) for k, w in (part.split("=") for part in args.mix.split(","))}
    kinds, weights = zip(*mix.items(), strict=True)
    plan = [
        (rng.choices(kinds, weights)[0], headers[i % len(headers)]) for i in range(args.requests)
    ]
    for kind, h in plan[:40]:  # warm-up: caches, first-call imports
        await actions[kind](h, 0)
    spent: dict[str, list[float]] = defaultdict(list)
    hopped: Counter[str] = Counter()
    builds.clear()
    with Sampler() as sampler:
        sampler.active = args.profile
        for n, (kind, h) in enumerate(plan):
            started, before = time.process_time(), hops.count
            response = await actions[kind](h, n)
            spent[kind].append(time.process_time() - started)
            hopped[kind] += hops.count - before
            assert response.status_code < 300, response.text  # (the plan only)
        sampler.active = False
    for _ in range(50):
        started = time.process_time()
        await actions["client only"]({}, 0)
        spent["client only"].append(time.process_time() - started)
    total = sum(sum(v) for k, v in spent.items() if k != "client only")
    mode = "profiled" if args.profile else "plain"
    print(f"{args.requests} requests, {args.users} users, {mode}")
    for kind, values in spent.items():
        print(
            f"  {kind:14} {len(values):4d} calls  {sum(values) / len(values) * 1000:6.2f} ms CPU"
            f"  {hopped[kind] / len(values):4.1f} thread hops"
        )
    print(f"  dashboards recomputed: {len(builds)} of {len(spent['dashboard'])}")
    print(f"  mix average            {total / args.requests * 1000:6.2f} ms CPU per request")
    if args.profile:
        sampler.report(60)


if __name__ == "__main__":
    sys.exit(main())
