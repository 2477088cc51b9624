"""Warm start of ``make run``'s server (``python -m cadence.serve``) and its idle memory.

Starts the prod server on one port until ``/login/`` answers (the first start may compile and
build the frontend), stops it, then starts it ``--starts`` more times with nothing changed and
prints each warm start's seconds and the idle process group's memory (RSS summed, and PSS).
Next to it, in the same minute: the seconds to import the app alone
(``python -c "import cadence.cadence"``) and Reflex's CLI alone, which every start pays once.

    .venv/bin/python bench/warm_start.py [--starts 3] [--port 18816]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import group_memory_mb  # noqa: E402
from tests.live import (  # noqa: E402
    VENV_BIN,
    app_lock,
    database_url,
    migrate,
    server_env,
    start_app,
    stop,
)


def _import_seconds(env: dict[str, str], module: str) -> float:
    started = time.monotonic()
    subprocess.run(
        [str(VENV_BIN / "python"), "-c", f"import {module}"], cwd=ROOT, env=env, check=True
    )
    return time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--port", type=int, default=18816)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cadence-warm-") as tmp:
        data = Path(tmp)
        env = server_env(data, database_url(data, "warm"))
        env.pop("REFLEX_REDIS_URL", None)
        migrate(env)
        with app_lock():
            started = time.monotonic()
            stop(start_app(env, name="first", port=args.port))
            print(f"first start (may build): {time.monotonic() - started:.1f} s")
            for n in range(args.starts):
                load = os.getloadavg()[0]
                started = time.monotonic()
                server = start_app(env, name=f"warm{n}", port=args.port)
                elapsed = time.monotonic() - started
                time.sleep(3)  # idle: the lifespan's tasks have started
                rss, pss = group_memory_mb(server.process.pid)
                stop(server)
                app = _import_seconds(env, "cadence.cadence")
                cli = _import_seconds(env, "reflex.reflex")
                print(
                    f"warm start {n + 1}: {elapsed:.1f} s to /login/ (load {load:.1f}); idle RSS "
                    f"{rss:.0f} MB, PSS {pss:.0f} MB; import cadence.cadence {app:.1f} s, "
                    f"reflex.reflex {cli:.1f} s"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
