"""Benchmark: workouts list and exercise library at scale, against a bare FastAPI baseline.

One user has 2 000 workouts x 6 exercises; 20 other users have 100 workouts each. Times
``GET /workouts?page=1``, ``GET /workouts?page=100`` and ``GET /exercises/library`` through the
real API (auth, middleware, database) and, in the same run, a bare FastAPI endpoint that returns a
constant payload of the same size, so the printed ratio is the cost of the real work.

    .venv/bin/python bench/workouts.py                   # SQLite file in a temp dir
    CADENCE_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/db \\
        .venv/bin/python bench/workouts.py               # an empty PostgreSQL database
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MAIN_WORKOUTS = 2_000
EXERCISES_PER_WORKOUT = 6
OTHER_USERS = 20
OTHER_WORKOUTS = 100
REPEATS = 100
LIFTS = [
    "Squat",
    "Bench Press",
    "Deadlift",
    "Overhead Press",
    "Barbell Row",
    "Pull-up",
    "Romanian Deadlift",
    "Incline Bench Press",
    "Leg Press",
    "Dip",
    "Lunge",
    "Face Pull",
]


def _configure(tmp: Path) -> None:
    os.environ["CADENCE_DATA_DIR"] = str(tmp / "data")
    os.environ["CADENCE_SECRET_KEY"] = "bench-secret-" + "x" * 40
    os.environ["CADENCE_BCRYPT_ROUNDS"] = "4"
    url = os.environ.get("CADENCE_BENCH_DATABASE_URL") or f"sqlite:///{tmp / 'bench.db'}"
    os.environ["CADENCE_DATABASE_URL"] = url


def _seed(rng: random.Random) -> str:
    """Create the users and workouts through the services; return the main user's token."""
    from sqlmodel import SQLModel

    import cadence.models  # noqa: F401
    from cadence.db import get_engine, session_scope
    from cadence.models.workout import WorkoutCreate
    from cadence.services import auth, workouts

    engine = get_engine()
    SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)
    start = dt.date(2026, 11, 28)
    with session_scope() as session:
        owners = [
            auth.signup(
                session=session,
                email=f"bench{i}@example.com",
                password="bench-pass-1",
                display_name=f"Bench {i}",
            )
            for i in range(OTHER_USERS + 1)
        ]
        token = auth.issue_token(user=owners[0])
        counts = [MAIN_WORKOUTS] + [OTHER_WORKOUTS] * OTHER_USERS
        for owner, count in zip(owners, counts, strict=True):
            for index in range(count):
                lifts = rng.sample(LIFTS, EXERCISES_PER_WORKOUT)
                data = WorkoutCreate(
                    date=start - dt.timedelta(days=index // 2),
                    workout_name=f"Session {index}",
                    exercises=[
                        {
                            "name": lift,
                            "sets": rng.randint(2, 5),
                            "reps": rng.choice(["5", "8", "8-10", "12", "15"]),
                            "weight_kg": rng.randint(20, 180),
                            "rpe": rng.choice([None, 7, 8, 9]),
                        }
                        for lift in lifts
                    ],
                )
                workouts.create_workout(session=session, user_id=owner.id, data=data)
            session.commit()
    _settle(engine)
    return token


def _settle(engine) -> None:
    """Refresh planner statistics (and PostgreSQL's visibility map) as autovacuum would."""
    from sqlalchemy import text

    statement = "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(statement))


def _time_pair(api, path: str, headers: dict[str, str], bare, bare_path: str):
    """Alternate real and baseline requests so load from other processes hits both alike."""
    for _ in range(5):
        api.get(path, headers=headers)
        bare.get(bare_path)
    real, base = [], []
    for _ in range(REPEATS):
        for client, url, sink, extra in ((api, path, real, headers), (bare, bare_path, base, {})):
            began = time.perf_counter()
            response = client.get(url, headers=extra)
            sink.append(time.perf_counter() - began)
            assert response.status_code == 200, response.text
    return real, base


def _baseline_app(payloads: dict[str, object]):
    from fastapi import FastAPI

    app = FastAPI()
    for index, payload in enumerate(payloads.values()):
        app.add_api_route(f"/baseline/{index}", lambda payload=payload: payload, methods=["GET"])
    return app


def main() -> None:
    from fastapi.testclient import TestClient

    with tempfile.TemporaryDirectory() as tmp:
        _configure(Path(tmp))
        began = time.perf_counter()
        token = _seed(random.Random(7))
        seeded = time.perf_counter() - began
        from cadence.api.app import create_api
        from cadence.db import get_engine

        headers = {"Authorization": f"Bearer {token}"}
        paths = [
            "/api/v1/workouts?page=1",
            "/api/v1/workouts?page=100",
            "/api/v1/exercises/library",
        ]
        with TestClient(create_api()) as api:
            payloads = {path: api.get(path, headers=headers).json() for path in paths}
            sizes = {path: len(api.get(path, headers=headers).content) for path in paths}
            with TestClient(_baseline_app(payloads)) as bare:
                print(f"database: {get_engine().url.get_backend_name()}, seeded in {seeded:.1f} s")
                print(
                    f"{'endpoint':32} {'bytes':>7} {'median ms':>10} {'p95 ms':>8} "
                    f"{'bare ms':>8} {'ratio':>6}"
                )
                for index, path in enumerate(paths):
                    real, base = _time_pair(api, path, headers, bare, f"/baseline/{index}")
                    median, bare_median = statistics.median(real), statistics.median(base)
                    p95 = statistics.quantiles(real, n=20)[18]
                    print(
                        f"GET {path.removeprefix('/api/v1'):28} {sizes[path]:7d} "
                        f"{median * 1000:10.2f} {p95 * 1000:8.2f} {bare_median * 1000:8.2f} "
                        f"{median / bare_median:6.2f}"
                    )
        get_engine().dispose()


if __name__ == "__main__":
    main()
