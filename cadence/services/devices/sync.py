"""Syncing one connection under a lease, and picking the connections that are due.

The lease is a conditional UPDATE (``lease_owner``/``lease_expires_at``): whichever process or
thread updates the row first owns it until it releases it or the lease expires, so two app
processes never sync the same connection at once, on SQLite or PostgreSQL. Provider calls run
with no transaction open.

Outcome: success → ``ok``, the next sync one interval later. A provider failure → ``error`` with
the provider's message, retried with exponential backoff (5 min, 10, 20... capped at the sync
interval; a 429's ``Retry-After`` is honoured). Rejected credentials → one forced token refresh
and retry; if that fails too the connection is marked for reconnection and not retried
automatically. Nothing a provider does can raise out of ``run_sync``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from pydantic import ValidationError
from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from cadence.config import get_settings
from cadence.models.common import utcnow
from cadence.models.device import DeviceConnection
from cadence.models.health import ActivityIn, DailyMetricIn
from cadence.services import activities, metrics
from cadence.services.devices.base import (
    Credentials,
    DeviceProvider,
    ProviderAccessDenied,
    ProviderAuthError,
    ProviderError,
    ProviderUnavailable,
)
from cadence.services.devices.connections import (
    get_connection,
    read_credentials,
    store_credentials,
)
from cadence.services.devices.registry import get_provider
from cadence.services.errors import Conflict, DomainError, NotFound, ServiceUnavailable
from cadence.services.liveness import is_dead, new_owner

logger = logging.getLogger(__name__)

LEASE_DURATION = timedelta(minutes=30)  # longer than a slow 30-day Garmin backfill
BACKOFF_START = timedelta(minutes=5)
SYNC_LOADED_ROWS = "fetch"
"""How the lease UPDATEs update connections already loaded in the session: by the rows the
database matched, not by evaluating the WHERE in Python, which compares SQLite's naive
timestamps with an aware ``now`` and raised (a 500 instead of a 409 on a concurrent sync)."""
OVERLAP_DAYS = 2  # re-read the last days: devices finish scoring a night after it ends


@dataclass
class SyncResult:
    """What one sync did: the connection's new status and the rows stored."""

    provider: str
    status: str
    message: str | None = None
    counts: dict[str, int] = field(default_factory=dict)


def acquire_lease(
    *, session: Session, connection_id: int, owner: str, now: datetime | None = None
) -> bool:
    """Take the sync lease if nobody holds a live one; commits. True when taken."""
    now = now or utcnow()
    result = session.exec(
        update(DeviceConnection)
        .where(
            col(DeviceConnection.id) == connection_id,
            col(DeviceConnection.credentials).is_not(None),
            or_(
                col(DeviceConnection.lease_expires_at).is_(None),
                col(DeviceConnection.lease_expires_at) < now,
            ),
        )
        .values(
            lease_owner=owner,
            lease_expires_at=now + LEASE_DURATION,
            status="syncing",
            last_attempt_at=now,
        )
        .execution_options(synchronize_session=SYNC_LOADED_ROWS)
    )
    session.commit()
    return result.rowcount == 1


def sync_window(connection: DeviceConnection, *, today: date) -> tuple[date, date]:
    """First sync: the backfill period; later: from a little before the last synced day."""
    backfill_start = today - timedelta(days=get_settings().device_sync_backfill_days - 1)
    if connection.synced_through is None:
        return backfill_start, today
    return max(backfill_start, connection.synced_through - timedelta(days=OVERLAP_DAYS)), today


def sync_now(
    *, session: Session, user_id: int, provider: str, today: date | None = None
) -> SyncResult:
    """Sync one of the user's connections right now (``Conflict`` if a sync is running)."""
    impl = get_provider(provider)
    connection = get_connection(session=session, user_id=user_id, provider=provider)
    if connection is None or connection.credentials is None:
        raise NotFound(f"{impl.label} is not connected.")
    owner = new_owner()
    if not acquire_lease(session=session, connection_id=connection.id, owner=owner):
        raise Conflict(f"A {impl.label} sync is already running; try again in a moment.")
    return run_sync(session=session, connection_id=connection.id, owner=owner, today=today)


def run_sync(
    *, session: Session, connection_id: int, owner: str, today: date | None = None
) -> SyncResult:
    """Sync a connection whose lease ``owner`` holds, then record the outcome and release."""
    connection = session.get(DeviceConnection, connection_id, populate_existing=True)
    impl = get_provider(connection.provider)
    today = today or utcnow().date()
    start, end = sync_window(connection, today=today)
    try:
        credentials = _readable_credentials(connection)
        session.commit()
        daily, recorded = _fetch(
            impl,
            session=session,
            connection_id=connection_id,
            owner=owner,
            credentials=credentials,
            start=start,
            end=end,
        )
        counts = _store(session=session, connection=connection, daily=daily, recorded=recorded)
    except ProviderAuthError as exc:
        return _finish(session, connection_id, owner, error=exc.message, reconnect=True)
    except ProviderUnavailable as exc:
        return _finish(
            session, connection_id, owner, error=exc.message, retry_after=exc.retry_after
        )
    except (ProviderError, DomainError) as exc:
        return _finish(session, connection_id, owner, error=exc.message)
    except ValidationError as exc:  # a value of the wrong type in the provider's answer
        field_name = ".".join(str(part) for part in exc.errors()[0]["loc"])
        return _finish(
            session,
            connection_id,
            owner,
            error=f"{impl.label} sent a value Cadence could not read ({field_name}); "
            "will retry later.",
        )
    except Exception as exc:  # a sync must never crash its caller
        logger.exception("sync of connection %s failed", connection_id)
        session.rollback()
        return _finish(
            session,
            connection_id,
            owner,
            error=f"Unexpected error while syncing ({exc.__class__.__name__}); will retry later.",
        )
    return _finish(session, connection_id, owner, synced_through=end, counts=counts)


def _readable_credentials(connection: DeviceConnection) -> Credentials:
    """The decrypted credentials; unreadable ones (secret key changed) need a reconnect."""
    try:
        return read_credentials(connection)
    except ServiceUnavailable as exc:
        raise ProviderAuthError(exc.message) from exc


def _fetch(
    impl: DeviceProvider,
    *,
    session: Session,
    connection_id: int,
    owner: str,
    credentials: Credentials,
    start: date,
    end: date,
) -> tuple[list[DailyMetricIn], list[ActivityIn]]:
    """Fetch with fresh tokens; on a rejected token refresh once (forced) and retry (not on a
    missing permission, which only a reconnect grants)."""
    for attempt in range(2):
        fresh = impl.refresh_credentials(credentials, force=attempt > 0)
        if fresh is not None:
            credentials = fresh
            _save_credentials(session, connection_id, owner, credentials)
        try:
            daily = impl.fetch_daily_metrics(credentials, start=start, end=end)
            recorded = impl.fetch_activities(credentials, start=start, end=end)
        except ProviderAuthError as exc:
            if attempt or isinstance(exc, ProviderAccessDenied):  # new tokens grant no more
                raise
        else:
            renewed = impl.renewed_credentials(credentials)
            if renewed is not None:
                _save_credentials(session, connection_id, owner, renewed)
            return daily, recorded
    raise AssertionError("unreachable")


def _save_credentials(
    session: Session, connection_id: int, owner: str, credentials: Credentials
) -> None:
    connection = session.get(DeviceConnection, connection_id, populate_existing=True)
    if connection is not None and connection.lease_owner == owner and connection.credentials:
        store_credentials(connection, credentials)
        session.add(connection)
    session.commit()


def _store(
    *,
    session: Session,
    connection: DeviceConnection,
    daily: list[DailyMetricIn],
    recorded: list[ActivityIn],
) -> dict[str, int]:
    metric_counts = metrics.upsert_daily_metrics(
        session=session, user_id=connection.user_id, days=daily
    )
    activity_counts = activities.upsert_activities(
        session=session, user_id=connection.user_id, activities=recorded
    )
    return {
        "daily_metrics": metric_counts["created"] + metric_counts["updated"],
        "activities": activity_counts["created"],
        "duplicates": activity_counts["duplicates"],
    }


def _finish(
    session: Session,
    connection_id: int,
    owner: str,
    *,
    error: str | None = None,
    reconnect: bool = False,
    retry_after: int | None = None,
    synced_through: date | None = None,
    counts: dict[str, int] | None = None,
) -> SyncResult:
    """Record the outcome and release the lease (unless another owner took it over)."""
    connection = session.get(DeviceConnection, connection_id, populate_existing=True)
    now = utcnow()
    still_ours = connection.lease_owner == owner
    if still_ours:
        connection.lease_owner = None
        connection.lease_expires_at = None
    if still_ours and connection.credentials is not None:  # not disconnected meanwhile
        interval = timedelta(minutes=get_settings().device_sync_interval_minutes)
        if error is None:
            connection.status, connection.last_error = "ok", None
            connection.last_sync_at, connection.failure_count = now, 0
            connection.synced_through = synced_through
            connection.next_sync_at = now + interval
        else:
            connection.status, connection.last_error = "error", error
            connection.failure_count += 1
            connection.needs_reconnect = reconnect
            connection.next_sync_at = (
                None
                if reconnect
                else now + _backoff(connection.failure_count, interval, retry_after)
            )
    connection.updated_at = now
    session.add(connection)
    session.commit()
    return SyncResult(
        provider=connection.provider,
        status=connection.status,
        message=error,
        counts=counts or {},
    )


def _backoff(failures: int, cap: timedelta, retry_after: int | None) -> timedelta:
    delay = min(BACKOFF_START * 2 ** (failures - 1), cap)
    return max(delay, timedelta(seconds=retry_after or 0))


def due_connection_ids(
    *, session: Session, now: datetime | None = None, limit: int = 20
) -> list[int]:
    """Connections to sync now: connected, not waiting for a reconnect, due, not leased."""
    now = now or utcnow()
    return list(
        session.exec(
            select(DeviceConnection.id)
            .where(
                col(DeviceConnection.credentials).is_not(None),
                col(DeviceConnection.needs_reconnect).is_(False),
                col(DeviceConnection.next_sync_at) <= now,
                or_(
                    col(DeviceConnection.lease_expires_at).is_(None),
                    col(DeviceConnection.lease_expires_at) < now,
                ),
            )
            .order_by(col(DeviceConnection.next_sync_at))
            .limit(limit)
        ).all()
    )


def run_due_syncs(
    *, session: Session, owner: str | None = None, limit: int = 20
) -> list[SyncResult]:
    """Sync every due connection this caller manages to lease (others are skipped)."""
    results = []
    for connection_id in due_connection_ids(session=session, limit=limit):
        lease_owner = owner or new_owner()
        if acquire_lease(session=session, connection_id=connection_id, owner=lease_owner):
            results.append(
                run_sync(session=session, connection_id=connection_id, owner=lease_owner)
            )
    return results


def sync_user_devices(
    *, session: Session, user_id: int, provider: str | None = None, today: date | None = None
) -> list[SyncResult]:
    """Sync every connected device of the user now (or only ``provider``); a sync already
    running elsewhere is reported as ``syncing`` rather than raised."""
    query = select(DeviceConnection.provider).where(
        DeviceConnection.user_id == user_id, col(DeviceConnection.credentials).is_not(None)
    )
    if provider is not None:
        get_provider(provider)
        query = query.where(DeviceConnection.provider == provider)
    results = []
    for name in session.exec(query.order_by(col(DeviceConnection.provider))).all():
        try:
            results.append(sync_now(session=session, user_id=user_id, provider=name, today=today))
        except Conflict as exc:
            results.append(SyncResult(provider=name, status="syncing", message=exc.message))
    return results


def describe(result: SyncResult) -> str:
    """One line for people: ``whoop: ok (7 daily metrics, 1 new activity)``."""
    if result.status != "ok":
        return f"{result.provider}: {result.status} - {result.message}"
    days, new = result.counts.get("daily_metrics", 0), result.counts.get("activities", 0)
    return f"{result.provider}: ok ({days} daily metrics, {new} new activities)"


INTERRUPTED = "The last sync was interrupted (the server stopped); syncing again now."


def release_dead_leases(*, session: Session, now: datetime | None = None) -> int:
    """Release leases whose owner process is gone (``liveness.is_dead``) and make those
    connections due at once, instead of waiting for the lease to expire; commits."""
    now = now or utcnow()
    leased = session.exec(
        select(DeviceConnection).where(
            col(DeviceConnection.lease_owner).is_not(None),
            col(DeviceConnection.lease_expires_at) > now,
        )
    ).all()
    released = 0
    for connection in leased:
        if not is_dead(connection.lease_owner):
            continue
        result = session.exec(
            update(DeviceConnection)
            .where(
                col(DeviceConnection.id) == connection.id,
                col(DeviceConnection.lease_owner) == connection.lease_owner,
            )
            .values(
                lease_owner=None,
                lease_expires_at=None,
                status="error",
                last_error=INTERRUPTED,
                next_sync_at=now,
                updated_at=now,
            )
            .execution_options(synchronize_session=SYNC_LOADED_ROWS)
        )
        released += result.rowcount
    session.commit()
    return released
