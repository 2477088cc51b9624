"""Application settings: ``CADENCE_``-prefixed environment variables and an optional ``.env``."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRET_KEY_FILENAME = "secret_key"


class Settings(BaseSettings):
    """Every setting Cadence reads; the README's configuration table mirrors this class."""

    model_config = SettingsConfigDict(
        env_prefix="CADENCE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Path("data")
    database_url: str | None = None
    # How long a statement waits for a lock (SQLite busy timeout, PostgreSQL lock_timeout)
    # before the request fails with a clear 503 instead of hanging.
    database_lock_timeout_ms: int = Field(default=10_000, ge=50, le=600_000)
    # Bounds on every other wait for the database, so a server that stops answering (a network
    # black hole, not a refused connection) fails the request with a 503 in bounded time:
    # opening a connection, one statement (PostgreSQL statement_timeout, and a client-side
    # deadline a little longer for a server that does not answer at all), a pooled connection.
    database_connect_timeout_seconds: int = Field(default=5, ge=1, le=120)
    database_statement_timeout_ms: int = Field(default=15_000, ge=100, le=3_600_000)
    database_pool_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    # PostgreSQL connections per web worker: pool_size + max_overflow (see docs/deploy.md).
    database_pool_size: int = Field(default=4, ge=1, le=100)
    database_max_overflow: int = Field(default=4, ge=0, le=100)
    # Redis for the task queue and Reflex's UI state (scale-out); unset: embedded SQLite queue.
    redis_url: str | None = None
    redis_timeout_seconds: float = Field(default=5.0, gt=0, le=120)
    # The queue's worker runs inside each app process (threads) unless this is false; then run
    # `python -m cadence worker` somewhere.
    worker: bool = True
    worker_threads: int = Field(default=2, ge=1, le=32)
    secret_key: str | None = None
    port: int = 8000
    token_ttl_minutes: int = Field(default=60 * 24 * 14, ge=1)
    bcrypt_rounds: int = Field(default=12, ge=4, le=16)
    admin_emails: str = ""
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    max_upload_bytes: int = Field(default=512 * 1_048_576, ge=1024)
    login_max_attempts: int = Field(default=10, ge=1)
    login_window_seconds: int = Field(default=300, ge=1)
    llm_base_url: str = "https://openrouter.ai/api/v1"
    llm_api_key: str | None = None
    llm_timeout_seconds: float = Field(default=60.0, gt=0)
    llm_max_retries: int = Field(default=1, ge=0, le=5)
    llm_models: str = "anthropic/claude-sonnet-4-5-20250929,openai/gpt-4o-mini"
    sleep_need_hours: float = Field(default=8.0, gt=0, le=14)
    # Devices: public address (OAuth redirect URIs), provider endpoints, sync schedule.
    public_url: str | None = None  # e.g. https://cadence.example.org; default 127.0.0.1:port
    whoop_client_id: str | None = None
    whoop_client_secret: str | None = None
    whoop_api_url: str = "https://api.prod.whoop.com"
    strava_client_id: str | None = None
    strava_client_secret: str | None = None
    strava_api_url: str = "https://www.strava.com"
    oura_client_id: str | None = None
    oura_client_secret: str | None = None
    oura_api_url: str = "https://api.ouraring.com"  # token, revoke and data
    oura_authorize_url: str = "https://cloud.ouraring.com/oauth/authorize"
    garmin_api_url: str | None = None  # None: garminconnect's own host (connectapi.garmin.com)
    device_http_timeout_seconds: float = Field(default=20.0, gt=0)
    device_sync_interval_minutes: int = Field(default=180, ge=1)
    device_sync_backfill_days: int = Field(default=30, ge=1, le=365)
    device_sync_scheduler: bool = True

    @property
    def resolved_database_url(self) -> str:
        """The configured database URL, or the SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'cadence.db').resolve()}"

    @property
    def resolved_public_url(self) -> str:
        """Where browsers reach this server (OAuth redirect URIs are built from it)."""
        return (self.public_url or f"http://127.0.0.1:{self.port}").rstrip("/")

    @property
    def admin_email_set(self) -> frozenset[str]:
        return frozenset(e.strip().lower() for e in self.admin_emails.split(",") if e.strip())


def _load_or_create_secret_key(data_dir: Path) -> str:
    """Read the key kept in ``data_dir``, creating it (mode 0600, atomically) on first run."""
    path = data_dir / SECRET_KEY_FILENAME
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        candidate = data_dir / f".{SECRET_KEY_FILENAME}.{os.getpid()}"
        fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(64))
        try:
            os.link(candidate, path)  # fails if another process won the race: use its key
        except FileExistsError:
            pass
        finally:
            candidate.unlink()
    return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; tests call ``get_settings.cache_clear()`` after changing env.

    When ``CADENCE_SECRET_KEY`` is unset the key generated on first run is loaded here, so
    ``settings.secret_key`` is always set afterwards.
    """
    settings = Settings()
    if not settings.secret_key:
        settings.secret_key = _load_or_create_secret_key(settings.data_dir)
    return settings
