"""Shared fixtures: a fresh database per test (SQLite file, or PostgreSQL when
``CADENCE_TEST_DATABASE_URL`` is set), settings isolated in a temp data dir, an API client.

The schema is made once per run: each SQLite test gets a copy of a database made by
``create_all`` (a file copy, not nineteen ``CREATE TABLE``s), and on PostgreSQL the tables a
test wrote to are emptied and the sequences it used restarted (``TRUNCATE`` of every table cost
~0.1-0.5 s per test, most of them empty)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlmodel import Session, SQLModel

import cadence.models  # noqa: F401  (registers every table)
from cadence import db, queue
from cadence.config import get_settings
from cadence.services import auth, dashboard
from cadence.services.chat import limits
from tests.fakes.device_server import FakeProviderServer

TEST_DATABASE_URL = os.environ.get("CADENCE_TEST_DATABASE_URL")
TEST_PASSWORD = "correct-horse-42"


def reset_caches() -> None:
    """Forget settings, engine and login limits so the next call reads the current env."""
    get_settings.cache_clear()
    db.get_engine.cache_clear()
    queue.get_queue.cache_clear()
    auth.get_login_guard.cache_clear()
    limits.get_turn_limiter.cache_clear()
    dashboard.clear_dashboard_cache()


@pytest.fixture(scope="session")
def postgres_schema_ready() -> bool:
    """Create the tables once per run on the PostgreSQL test database."""
    if not TEST_DATABASE_URL:
        return False
    engine = db.make_engine(TEST_DATABASE_URL)
    SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    return True


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite database with every table, made once per run and copied per test."""
    path = tmp_path_factory.mktemp("schema") / "template.db"
    engine = create_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    return path


@pytest.fixture(autouse=True)
def isolated_settings(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    postgres_schema_ready: bool,
    sqlite_template: Path,
) -> Iterator[Path]:
    """Every test gets its own data dir, secret key and empty database."""
    data_dir = tmp_path / "data"
    database = data_dir / "test.db"
    monkeypatch.setenv("CADENCE_DATA_DIR", str(data_dir))
    monkeypatch.setenv("CADENCE_SECRET_KEY", "test-secret-key-" + "x" * 40)
    monkeypatch.setenv("CADENCE_BCRYPT_ROUNDS", "4")
    monkeypatch.delenv("CADENCE_LLM_API_KEY", raising=False)
    monkeypatch.delenv("CADENCE_ADMIN_EMAILS", raising=False)
    if postgres_schema_ready:
        monkeypatch.setenv("CADENCE_DATABASE_URL", TEST_DATABASE_URL)
    else:
        monkeypatch.setenv("CADENCE_DATABASE_URL", f"sqlite:///{database}")
    reset_caches()
    engine = db.get_engine()  # makes the data dir (0700) and the empty database file (0600)
    if postgres_schema_ready:
        _empty_tables(engine)
    else:
        shutil.copyfile(sqlite_template, database)  # into the 0600 file, before any connection
    yield data_dir
    db.get_engine().dispose()
    reset_caches()


def _empty_tables(engine) -> None:
    """What ``TRUNCATE <every table> RESTART IDENTITY`` leaves, at the cost of the tables the
    previous test wrote to: those are emptied (children first) and the used sequences
    restarted."""
    tables = SQLModel.metadata.sorted_tables
    names = ", ".join(f'"{t.name}"' for t in tables)
    written = " UNION ALL ".join(
        f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")" for t in tables
    )
    used_sequences = (
        "SELECT format('%I.%I', schemaname, sequencename) FROM pg_sequences"
        " WHERE schemaname = current_schema() AND last_value IS NOT NULL"
    )
    with engine.begin() as conn:
        # Wait for a previous test's background work (an import thread) instead of failing
        # after CADENCE_DATABASE_LOCK_TIMEOUT_MS like a request would.
        conn.execute(text("SET LOCAL lock_timeout = 0"))
        conn.execute(text(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE"))
        non_empty = set(conn.execute(text(written)).scalars())
        for table in reversed(tables):
            if table.name in non_empty:
                conn.execute(text(f'DELETE FROM "{table.name}"'))
        for sequence in conn.execute(text(used_sequences)).scalars().all():
            conn.execute(text(f"ALTER SEQUENCE {sequence} RESTART"))


@pytest.fixture
def session() -> Iterator[Session]:
    """A session on the test database (committed explicitly by the test)."""
    with Session(db.get_engine(), expire_on_commit=False) as s:
        yield s


@pytest.fixture
def client() -> Iterator[TestClient]:
    from cadence.api.app import create_api

    with TestClient(create_api()) as test_client:
        yield test_client


@dataclass
class Account:
    token: str
    user: dict
    email: str
    password: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def make_account(client: TestClient) -> Callable[..., Account]:
    """Sign up through the API and return the token, user and credentials. The setup code goes
    with every signup (the first account becomes the admin; later ones ignore it)."""
    counter = iter(range(1, 1_000_000))

    def _make(
        email: str | None = None, password: str = TEST_PASSWORD, name: str = "Alex"
    ) -> Account:
        email = email or f"user{next(counter)}@example.com"
        response = client.post(
            "/api/v1/auth/signup",
            json={
                "email": email,
                "password": password,
                "display_name": name,
                "setup_code": auth.setup_code(),
            },
        )
        assert response.status_code == 201, response.text
        body = response.json()
        return Account(token=body["token"], user=body["user"], email=email, password=password)

    return _make


@pytest.fixture
def account(make_account) -> Account:
    return make_account()


@pytest.fixture
def oura_cloud(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeProviderServer]:
    """A fake provider server that the Oura settings point at (an OAuth app configured, the
    public URL set); ``serve_oura`` gives it Oura's routes."""
    with FakeProviderServer() as server:
        monkeypatch.setenv("CADENCE_OURA_API_URL", server.base_url)
        monkeypatch.setenv("CADENCE_OURA_CLIENT_ID", "oura-client")
        monkeypatch.setenv("CADENCE_OURA_CLIENT_SECRET", "oura-secret")
        monkeypatch.setenv("CADENCE_PUBLIC_URL", "https://cadence.example")
        monkeypatch.setenv("CADENCE_DEVICE_HTTP_TIMEOUT_SECONDS", "0.5")
        reset_caches()
        yield server


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last: fast feedback first, and Playwright's session-wide event loop
    (the sync API keeps one running) cannot leak into async tests that use ``asyncio.run``.
    Just before them run the other servers of the run's prod build (``app_build``), after the
    warm-start test has built it: one build serves them all."""
    for item in items:
        if item.nodeid.startswith("tests/e2e/"):
            item.add_marker(pytest.mark.e2e)
    items.sort(key=_run_order)


def _run_order(item: pytest.Item) -> int:
    if item.get_closest_marker("e2e") is not None:
        return 2
    return 1 if item.get_closest_marker("app_build") is not None else 0
