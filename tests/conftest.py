"""Shared fixtures: a fresh database per test (SQLite file, or PostgreSQL when
``CADENCE_TEST_DATABASE_URL`` is set), settings isolated in a temp data dir, an API client."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, SQLModel

import cadence.models  # noqa: F401  (registers every table)
from cadence import db, queue
from cadence.config import get_settings
from cadence.services import auth
from tests.fakes.device_server import FakeProviderServer

TEST_DATABASE_URL = os.environ.get("CADENCE_TEST_DATABASE_URL")
TEST_PASSWORD = "correct-horse-42"


def reset_caches() -> None:
    """Forget settings, engine and login limits so the next call reads the current env."""
    get_settings.cache_clear()
    db.get_engine.cache_clear()
    queue.get_queue.cache_clear()
    auth.get_login_guard.cache_clear()


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


@pytest.fixture(autouse=True)
def isolated_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_schema_ready: bool
) -> Iterator[Path]:
    """Every test gets its own data dir, secret key and empty database."""
    data_dir = tmp_path / "data"
    monkeypatch.setenv("CADENCE_DATA_DIR", str(data_dir))
    monkeypatch.setenv("CADENCE_SECRET_KEY", "test-secret-key-" + "x" * 40)
    monkeypatch.setenv("CADENCE_BCRYPT_ROUNDS", "4")
    monkeypatch.delenv("CADENCE_LLM_API_KEY", raising=False)
    monkeypatch.delenv("CADENCE_ADMIN_EMAILS", raising=False)
    if postgres_schema_ready:
        monkeypatch.setenv("CADENCE_DATABASE_URL", TEST_DATABASE_URL)
    else:
        monkeypatch.setenv("CADENCE_DATABASE_URL", f"sqlite:///{data_dir / 'test.db'}")
    reset_caches()
    engine = db.get_engine()
    if postgres_schema_ready:
        _truncate_all(engine)
    else:
        SQLModel.metadata.create_all(engine)
    yield data_dir
    db.get_engine().dispose()
    reset_caches()


def _truncate_all(engine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    if tables:
        with engine.begin() as conn:
            # Wait for a previous test's background work (an import thread) instead of failing
            # after CADENCE_DATABASE_LOCK_TIMEOUT_MS like a request would.
            conn.execute(text("SET LOCAL lock_timeout = 0"))
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


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
    """Sign up through the API and return the token, user and credentials."""
    counter = iter(range(1, 1_000_000))

    def _make(
        email: str | None = None, password: str = TEST_PASSWORD, name: str = "Alex"
    ) -> Account:
        email = email or f"user{next(counter)}@example.com"
        response = client.post(
            "/api/v1/auth/signup", json={"email": email, "password": password, "display_name": name}
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
    (the sync API keeps one running) cannot leak into async tests that use ``asyncio.run``."""
    for item in items:
        if item.nodeid.startswith("tests/e2e/"):
            item.add_marker(pytest.mark.e2e)
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)
