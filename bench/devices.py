"""Benchmark: device sync against a local fake provider, next to plain HTTP fetches of the same
payloads in the same run.

* Garmin: a 30-day backfill through the real ``garminconnect`` request code (5 endpoints per day,
  weigh-ins, 2 activity pages = 153 requests of the recorded payloads), mapped and upserted.
  Baseline: the same 153 GETs with ``requests`` (one new session per request, as garminconnect
  does), decoding the JSON and nothing else.
* WHOOP: 2 000 sleep records in 80 pages of 25 plus recovery/cycle/workout pages, mapped and
  upserted. Baseline: the same GETs with one ``httpx`` client, JSON decoded.
* Oura: a backfill of 2 000 nights: every collection (sleep periods with their 5-minute series,
  daily sleep, readiness, activity with its MET series, SpO2, stress, a workout a week) in pages
  of ``OURA_PAGE`` chained by ``next_token``, fetched, mapped and upserted through the sync's own
  fetch and store steps (a real sync caps its window at 365 days). Baseline: the same pages with
  one ``httpx`` client, JSON decoded.
* The lease: acquire + release of one connection row, per second (the fixed cost every sync pays).

The ratio says what the sync adds on top of fetching (mapping, validation, the database). The
sync runs once (a first backfill); the baseline is the fastest of three runs.

    .venv/bin/python bench/devices.py                    # SQLite file in a temp dir
    CADENCE_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/db \\
        .venv/bin/python bench/devices.py                # an empty PostgreSQL database
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FIXTURES = ROOT / "tests" / "fixtures" / "json"
TODAY = date(2025, 7, 7)
BACKFILL_DAYS = 30
WHOOP_SLEEPS = 2_000
OURA_NIGHTS = 2_000
OURA_PAGE = 50
OURA_LAST_NIGHT = date(2024, 11, 12)
LEASE_ROUNDS = 300


def _fixture(name: str):
    return json.loads((FIXTURES / name).read_text())


def _serve_garmin(fake, Reply) -> list[str]:
    """Register every Garmin URL of the backfill; returns the paths with their queries."""
    name = "bench"
    start = TODAY - timedelta(days=BACKFILL_DAYS - 1)
    urls = []
    fake.json(
        "GET",
        f"/wellness-service/wellness/dailySleepData/{name}",
        _fixture("garmin_connect/sleep_dailySleepData_2025-07-07.json"),
    )
    fake.json(
        "GET",
        f"/usersummary-service/usersummary/daily/{name}",
        _fixture("garmin_connect/usersummary_daily_2025-06-14.json"),
    )
    for offset in range(BACKFILL_DAYS):
        day = (start + timedelta(days=offset)).isoformat()
        fake.json("GET", f"/hrv-service/hrv/{day}", _fixture("garmin_connect/hrv_2023-07-20.json"))
        fake.json(
            "GET",
            f"/wellness-service/wellness/dailyStress/{day}",
            _fixture("garmin_connect/dailyStress_bodyBattery_2025-12-18_incomplete.json"),
        )
        fake.json(
            "GET",
            f"/metrics-service/metrics/trainingreadiness/{day}",
            _fixture("garmin_connect/trainingreadiness_2025-07-07.json"),
        )
        urls += [
            f"/wellness-service/wellness/dailySleepData/{name}?date={day}",
            f"/hrv-service/hrv/{day}",
            f"/usersummary-service/usersummary/daily/{name}?calendarDate={day}",
            f"/wellness-service/wellness/dailyStress/{day}",
            f"/metrics-service/metrics/trainingreadiness/{day}",
        ]
    weights = f"/weight-service/weight/range/{start.isoformat()}/{TODAY.isoformat()}"
    fake.json("GET", weights, _fixture("garmin_connect/weight_range_2025-06-01_2025-06-15.json"))
    listed = _fixture("garmin_connect/activitylist_search_limit3.json")
    fake.route(
        "GET",
        "/activitylist-service/activities/search/activities",
        lambda request: Reply(listed if request.query["start"] == "0" else []),
    )
    activities = "/activitylist-service/activities/search/activities"
    return [*urls, weights, f"{activities}?start=0", f"{activities}?start=20"]


def _serve_whoop(fake, Reply) -> list[str]:
    base = _fixture("whoop/v1_sleep_collection_2022-05-01_07_transcribed.json")["records"][0]
    sleeps = [
        {
            **base,
            "id": str(uuid.UUID(int=i)),
            "start": _shift(base["start"], i),
            "end": _shift(base["end"], i),
        }
        for i in range(WHOOP_SLEEPS)
    ]
    pages = {None: 0}
    urls = ["/developer/v2/activity/sleep"]
    for index in range(1, WHOOP_SLEEPS // 25):
        pages[f"p{index}"] = index
        urls.append(f"/developer/v2/activity/sleep?nextToken=p{index}")

    def sleep_page(request):
        index = pages[request.query.get("nextToken")]
        token = f"p{index + 1}" if (index + 1) * 25 < WHOOP_SLEEPS else None
        return Reply({"records": sleeps[index * 25 : (index + 1) * 25], "next_token": token})

    fake.route("GET", "/developer/v2/activity/sleep", sleep_page)
    for path in ("recovery", "cycle", "activity/workout"):
        fake.json("GET", f"/developer/v2/{path}", {"records": [], "next_token": None})
        urls.append(f"/developer/v2/{path}")
    return urls


def _oura_documents() -> dict[str, list[dict]]:
    """``OURA_NIGHTS`` days of every collection, from the recorded documents moved day by day."""
    from tests.fakes.device_server import oura_documents, shifted

    recorded = oura_documents()
    templates = {path: docs[0] for path, docs in recorded.items()}
    templates["sleep"] = next(d for d in recorded["sleep"] if d["type"] == "long_sleep")
    templates["workout"] = next(d for d in recorded["workout"] if d["activity"] == "running")
    out: dict[str, list[dict]] = {}
    for path, template in templates.items():
        last = date.fromisoformat(template["day"])
        step = 7 if path == "workout" else 1
        out[path] = [
            {
                **shifted(template, OURA_LAST_NIGHT - last - timedelta(days=i)),
                "id": str(uuid.UUID(int=i)),
            }
            for i in range(0, OURA_NIGHTS, step)
        ]
    return out


def _shift(instant: str, days: int) -> str:
    from datetime import datetime

    moved = datetime.fromisoformat(instant.replace("Z", "+00:00")) - timedelta(days=days)
    return moved.isoformat().replace("+00:00", "Z")


def _timed(work, repeats: int = 1) -> float:
    """The fastest of ``repeats`` runs, in seconds."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    import httpx
    import requests

    workdir = Path(tempfile.mkdtemp(prefix="cadence-bench-devices-"))
    os.environ["CADENCE_DATA_DIR"] = str(workdir)
    os.environ["CADENCE_SECRET_KEY"] = "bench-" + "k" * 40
    os.environ["CADENCE_DATABASE_URL"] = os.environ.get(
        "CADENCE_BENCH_DATABASE_URL", f"sqlite:///{workdir / 'bench.db'}"
    )
    os.environ["CADENCE_WHOOP_CLIENT_ID"] = "bench"
    os.environ["CADENCE_WHOOP_CLIENT_SECRET"] = "bench"
    os.environ["CADENCE_OURA_CLIENT_ID"] = "bench"
    os.environ["CADENCE_OURA_CLIENT_SECRET"] = "bench"

    from tests.fakes.device_server import FakeProviderServer, Reply, serve_oura

    with FakeProviderServer() as fake:
        os.environ["CADENCE_GARMIN_API_URL"] = fake.base_url
        os.environ["CADENCE_WHOOP_API_URL"] = fake.base_url
        garmin_urls = _serve_garmin(fake, Reply)
        whoop_urls = _serve_whoop(fake, Reply)
        os.environ["CADENCE_OURA_API_URL"] = fake.base_url
        serve_oura(fake, documents=_oura_documents(), page_size=OURA_PAGE)

        from sqlmodel import Session, SQLModel, col, select

        import cadence.models  # noqa: F401
        from cadence import db
        from cadence.config import get_settings
        from cadence.models.device import DeviceConnection
        from cadence.models.health import DailyMetric
        from cadence.models.user import User
        from cadence.services.devices import connections, sync
        from cadence.services.devices.registry import get_provider

        engine = db.get_engine()
        SQLModel.metadata.create_all(engine)
        print(f"database: {engine.url.get_backend_name()}")
        with Session(engine, expire_on_commit=False) as session:
            user = User(email="bench@example.com", display_name="B", password_hash="x")
            session.add(user)
            session.commit()
            credentials = {
                "garmin": {"tokens": json.dumps({"di_token": "t"}), "display_name": "bench"},
                "whoop": {"access_token": "a", "refresh_token": "r", "expires_at": 4e9},
                "oura": {"access_token": "a", "refresh_token": "r", "expires_at": 4e9},
            }
            for provider, secret in credentials.items():
                row = DeviceConnection(user_id=user.id, provider=provider, status="ok")
                connections.store_credentials(row, secret)
                session.add(row)
            session.commit()

            def sync_garmin() -> None:
                os.environ["CADENCE_DEVICE_SYNC_BACKFILL_DAYS"] = str(BACKFILL_DAYS)
                get_settings.cache_clear()
                result = sync.sync_now(
                    session=session, user_id=user.id, provider="garmin", today=TODAY
                )
                assert result.status == "ok", result.message

            def fetch_garmin() -> None:
                for url in garmin_urls:
                    with requests.Session() as plain:
                        plain.get(fake.base_url + url, timeout=15).json()

            fake.requests.clear()
            garmin_sync = _timed(sync_garmin)
            garmin_requests = len(fake.requests)
            garmin_fetch = _timed(fetch_garmin, repeats=3)
            print(
                f"Garmin 30-day backfill: {garmin_requests} requests, sync {garmin_sync:.2f} s, "
                f"plain fetch {garmin_fetch:.2f} s, ratio {garmin_sync / garmin_fetch:.2f}x"
            )

            def sync_whoop() -> None:
                os.environ["CADENCE_DEVICE_SYNC_BACKFILL_DAYS"] = "365"
                get_settings.cache_clear()
                result = sync.sync_now(
                    session=session, user_id=user.id, provider="whoop", today=date(2022, 5, 7)
                )
                assert result.status == "ok", result.message

            def fetch_whoop() -> None:
                with httpx.Client() as client:
                    for url in whoop_urls:
                        client.get(fake.base_url + url).json()

            fake.requests.clear()
            whoop_sync = _timed(sync_whoop)
            whoop_requests = len(fake.requests)
            whoop_fetch = _timed(fetch_whoop, repeats=3)
            days = len(session.exec(select(DailyMetric).where(DailyMetric.source == "whoop")).all())
            print(
                f"WHOOP {WHOOP_SLEEPS} sleeps ({days} days stored): {whoop_requests} requests, "
                f"sync {whoop_sync:.2f} s ({WHOOP_SLEEPS / whoop_sync:.0f} records/s), "
                f"plain fetch {whoop_fetch:.2f} s, ratio {whoop_sync / whoop_fetch:.2f}x"
            )

            oura_row = session.exec(
                select(DeviceConnection).where(DeviceConnection.provider == "oura")
            ).one()
            oura_start = OURA_LAST_NIGHT - timedelta(days=OURA_NIGHTS - 1)

            def sync_oura() -> None:
                assert sync.acquire_lease(session=session, connection_id=oura_row.id, owner="o")
                daily, recorded = sync._fetch(
                    get_provider("oura"),
                    session=session,
                    connection_id=oura_row.id,
                    owner="o",
                    credentials=connections.read_credentials(oura_row),
                    start=oura_start,
                    end=OURA_LAST_NIGHT,
                )
                sync._store(session=session, connection=oura_row, daily=daily, recorded=recorded)
                sync._finish(session, oura_row.id, "o", synced_through=OURA_LAST_NIGHT)

            fake.requests.clear()
            oura_sync = _timed(sync_oura)
            oura_urls = [
                f"{r.path}?{urlencode(r.query)}" for r in fake.requests if r.path.startswith("/v2/")
            ]

            def fetch_oura() -> None:
                with httpx.Client() as client:
                    for url in oura_urls:
                        client.get(fake.base_url + url).json()

            oura_fetch = _timed(fetch_oura, repeats=3)
            nights = len(
                session.exec(
                    select(DailyMetric).where(
                        DailyMetric.source == "oura", col(DailyMetric.sleep_seconds).is_not(None)
                    )
                ).all()
            )
            print(
                f"Oura {OURA_NIGHTS} nights ({nights} stored): {len(oura_urls)} pages of "
                f"{OURA_PAGE}, sync {oura_sync:.2f} s ({OURA_NIGHTS / oura_sync:.0f} nights/s), "
                f"plain fetch {oura_fetch:.2f} s, ratio {oura_sync / oura_fetch:.2f}x"
            )

            connection_id = session.exec(
                select(DeviceConnection.id).where(DeviceConnection.provider == "whoop")
            ).one()

            def leases() -> None:
                for _ in range(LEASE_ROUNDS):
                    assert sync.acquire_lease(
                        session=session, connection_id=connection_id, owner="b"
                    )
                    sync._finish(session, connection_id, "b", synced_through=date(2022, 5, 7))

            lease_time = _timed(leases)
            print(
                f"lease acquire + release: {LEASE_ROUNDS / lease_time:.0f} per second "
                f"({lease_time / LEASE_ROUNDS * 1000:.2f} ms each)"
            )
        engine.dispose()


if __name__ == "__main__":
    main()
