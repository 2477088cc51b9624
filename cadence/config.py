"""Application settings: ``CADENCE_``-prefixed environment variables and an optional ``.env``."""

from __future__ import annotations

import ipaddress
import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
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
    # Processes serving the REST API behind the UI's port without Redis (cadence.api.pool).
    api_workers: int = Field(default=0, ge=0, le=64)
    secret_key: str | None = None
    port: int = 8000
    # Listening address (rxconfig.py): loopback only unless set, e.g. 0.0.0.0 behind a proxy.
    host: str = "127.0.0.1"
    token_ttl_minutes: int = Field(default=60 * 24 * 14, ge=1)
    bcrypt_rounds: int = Field(default=12, ge=4, le=16)
    admin_emails: str = ""
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    max_upload_bytes: int = Field(default=512 * 1_048_576, ge=1024)
    login_max_attempts: int = Field(default=10, ge=1)
    login_window_seconds: int = Field(default=300, ge=1)
    # Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR networks, comma
    # separated); empty: the TCP peer is the client.
    trusted_proxies: str = ""
    # Other origins (scheme://host[:port], comma separated) whose pages may call this server
    # with the user's credentials; empty: same origin only. Read by rxconfig.py for Reflex's
    # CORS middleware too.
    cors_origins: str = ""
    llm_base_url: str = "https://openrouter.ai/api/v1"
    llm_api_key: str | None = None
    llm_timeout_seconds: float = Field(default=60.0, gt=0)
    llm_max_retries: int = Field(default=1, ge=0, le=5)
    llm_models: str = "anthropic/claude-sonnet-4-5-20250929,openai/gpt-4o-mini"
    # Chat turns each user may start per minute (any model), and prompt + completion tokens
    # each user may spend per UTC day on a shared (admin or environment) key; 0: no budget.
    chat_max_per_minute: int = Field(default=20, ge=1, le=10_000)
    chat_daily_token_budget: int = Field(default=0, ge=0)
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

    @field_validator("cors_origins")
    @classmethod
    def _origins_parse(cls, value: str) -> str:
        parse_cors_origins(value)
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks_parse(cls, value: str) -> str:
        parse_networks(value)  # a typo fails at start, not at the first login
        return value

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
    def resolved_api_workers(self) -> int:
        """Processes serving the API behind the web worker (``CADENCE_API_WORKERS``, default 0:
        on 2 cores the forwarding costs more CPU than the second core gives; see
        docs/benchmarks.md), never with Redis, where every web worker serves the API."""
        return 0 if self.redis_url else (self.api_workers or 0)

    @property
    def admin_email_set(self) -> frozenset[str]:
        return frozenset(e.strip().lower() for e in self.admin_emails.split(",") if e.strip())


@lru_cache
def parse_networks(setting: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """``"10.0.0.0/8, ::1"`` as networks (a bare address is a one-address network)."""
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False)
        for part in setting.split(",")
        if part.strip()
    )


def parse_cors_origins(setting: str) -> tuple[str, ...]:
    """``"https://a.example, http://localhost:3000"`` as origins; ``*`` and ``null`` are refused
    (credentials must never be granted to any page, or to sandboxed and file pages)."""
    origins = tuple(part.strip().rstrip("/") for part in setting.split(",") if part.strip())
    for origin in origins:
        scheme, _, rest = origin.partition("://")
        if scheme not in ("http", "https") or not rest or "/" in rest:
            raise ValueError(
                f"CADENCE_CORS_ORIGINS: {origin!r} is not an origin like https://app.example "
                "('*' and 'null' are not allowed)"
            )
    return origins


PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def make_private(path: Path, mode: int) -> None:
    """Narrow ``path``'s permissions to ``mode`` (only its owner may read it) when we own it."""
    try:
        if path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o777 != mode:
            path.chmod(mode)
    except OSError:  # not ours, or gone meanwhile: leave it to the operator
        pass


def ensure_data_dir(data_dir: Path) -> None:
    """Create the data dir (database, secret key, uploads) readable by its owner only (0700)."""
    data_dir.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    make_private(data_dir, PRIVATE_DIR_MODE)


def _load_or_create_secret_key(data_dir: Path) -> str:
    """Read the key kept in ``data_dir``, creating it (mode 0600, atomically) on first run."""
    path = data_dir / SECRET_KEY_FILENAME
    if not path.exists():
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
    """The process-wide settings (environment and ``.env``; reading them writes nothing).

    Tests call ``get_settings.cache_clear()`` after changing the environment.
    """
    return Settings()


def secret_key() -> str:
    """``CADENCE_SECRET_KEY``, or the key kept in the data directory, created there on first use.

    ``python -m cadence preflight`` (``make run``) calls it before serving, so the key file is
    made by that explicit step rather than by importing the app.
    """
    settings = get_settings()
    ensure_data_dir(settings.data_dir)
    if not settings.secret_key:
        settings.secret_key = _load_or_create_secret_key(settings.data_dir)
    return settings.secret_key
