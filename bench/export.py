"""Benchmark: the data export and its re-import, against baselines measured in the same run.

Data: one account with ``DAYS`` days of demo data (daily metrics, activities with heart-rate
histograms, strength workouts) and ``TURNS`` offline-coach chat turns, on a temporary SQLite file
(or ``CADENCE_BENCH_DATABASE_URL``, an empty PostgreSQL database).

- export: ``write_export`` (all tables, JSON + CSV, deflated zip) against the baseline of reading
  the same rows (one SELECT per table) and ``json.dumps`` of them, with no zip and no CSV;
- import: the Cadence export importer into a fresh account, against the baseline of the demo
  generator writing the same kinds of rows through the same upsert services.

    .venv/bin/python bench/export.py
"""

from __future__ import annotations

import io
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DAYS = 365
TURNS = 40
REPEATS = 5


def _configure(tmp: Path) -> None:
    os.environ["CADENCE_DATA_DIR"] = str(tmp)
    os.environ["CADENCE_SECRET_KEY"] = "bench-secret-" + "x" * 40
    os.environ["CADENCE_BCRYPT_ROUNDS"] = "4"
    os.environ["CADENCE_DATABASE_URL"] = os.environ.get(
        "CADENCE_BENCH_DATABASE_URL", f"sqlite:///{tmp / 'bench.db'}"
    )


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _configure(Path(tmp))
        from sqlmodel import SQLModel, select

        import cadence.models  # noqa: F401
        from cadence.db import get_engine, session_scope
        from cadence.models.user import User
        from cadence.services import auth, demo, export
        from cadence.services.chat.tools import execute_tool
        from cadence.services.importers.cadence_export import CadenceExportImporter

        SQLModel.metadata.drop_all(get_engine())
        SQLModel.metadata.create_all(get_engine())
        with session_scope() as session:
            user = auth.signup(
                session=session,
                email="bench@example.com",
                password="bench-pass-1",
                display_name="Bench",
            )
            user_id = user.id
        started = time.perf_counter()
        with session_scope() as session:
            counts = demo.generate_demo_data(session=session, user_id=user_id, days=DAYS)
        generate_s = time.perf_counter() - started
        _chat_turns(user_id, TURNS, execute_tool)

        def baseline_dump() -> int:
            with session_scope() as session:
                total = 0
                for table in export.user_owned_tables():
                    rows = (
                        session.execute(select(table).where(table.c.user_id == user_id))
                        .mappings()
                        .all()
                    )
                    total += len(json.dumps([dict(r) for r in rows], default=str))
                return total

        def full_export() -> bytes:
            with session_scope() as session:
                buffer = io.BytesIO()
                export.write_export(session=session, user=session.get(User, user_id), out=buffer)
                return buffer.getvalue()

        baseline, exported = [], []
        for _ in range(REPEATS):
            t = time.perf_counter()
            raw_bytes = baseline_dump()
            baseline.append(time.perf_counter() - t)
            t = time.perf_counter()
            archive = full_export()
            exported.append(time.perf_counter() - t)

        imports = []
        for index in range(REPEATS):
            with session_scope() as session:
                target = auth.signup(
                    session=session,
                    email=f"copy{index}@example.com",
                    password="bench-pass-1",
                    display_name="Copy",
                )
                t = time.perf_counter()
                result = CadenceExportImporter().run(
                    session=session,
                    user_id=target.id,
                    filename="export.zip",
                    stream=io.BytesIO(archive),
                    dry_run=False,
                )
                imports.append(time.perf_counter() - t)
            assert not result.errors, result.errors[:3]

        print(
            f"database: {os.environ['CADENCE_DATABASE_URL'].split(':')[0]}; "
            f"{DAYS} days: {counts}, {TURNS} chat turns; {datetime.now(UTC):%Y-%m-%d}"
        )
        print(
            f"export  baseline (SELECT + json.dumps, no zip): {_median_ms(baseline):8.1f} ms "
            f"({raw_bytes / 1024:.0f} KiB of JSON)"
        )
        print(
            f"export  write_export (JSON + CSV, zip):         {_median_ms(exported):8.1f} ms "
            f"({len(archive) / 1024:.0f} KiB zip)  ratio "
            f"{statistics.median(exported) / statistics.median(baseline):.2f}x"
        )
        print(
            f"import  baseline (demo generator, same upserts): {generate_s * 1000:8.1f} ms "
            "(one run)"
        )
        print(
            f"import  Cadence export importer:                {_median_ms(imports):8.1f} ms "
            f"ratio {statistics.median(imports) / generate_s:.2f}x; counts {result.counts}"
        )


def _chat_turns(user_id: int, turns: int, execute_tool) -> None:
    """Conversations with tool results, stored as the chat stores them."""
    from cadence.db import session_scope
    from cadence.models.common import utcnow
    from cadence.services.chat import conversations

    for turn in range(turns):
        with session_scope() as session:
            message = conversations.add_user_message(
                session=session,
                user_id=user_id,
                conversation_id=None,
                content=f"How did I sleep? ({turn})",
            )
            result = execute_tool(
                user_id=user_id,
                today=utcnow().date(),
                name="get_sleep_history",
                arguments={"days": 7},
            )
            conversations.save_assistant_message(
                session=session,
                conversation_id=message.conversation_id,
                content=result.summary,
                status="complete",
                model_id="cadence/offline",
                tool_calls=[
                    {
                        "id": "call_1",
                        "name": "get_sleep_history",
                        "arguments": {"days": 7},
                        "ok": result.ok,
                        "summary": result.summary,
                    }
                ],
                charts=[],
                prompt_tokens=120,
                completion_tokens=40,
            )


if __name__ == "__main__":
    main()
