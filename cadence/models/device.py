"""Device connections (Garmin, Whoop, Strava): encrypted credentials, sync state and lease."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel
from pydantic import Field as PydanticField
from sqlalchemy import DateTime, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from cadence.models.common import UtcDatetime, timestamp_field
from cadence.models.user import MAX_EMAIL_LENGTH, MAX_PASSWORD_FIELD_LENGTH, StrictBody

DeviceStatus = Literal["ok", "syncing", "error", "disconnected"]


class DeviceConnection(SQLModel, table=True):
    """One user's link to one provider. ``credentials`` is Fernet ciphertext of a JSON object.

    The sync lease (``lease_owner`` + ``lease_expires_at``) is taken with a conditional UPDATE so
    that only one process or thread syncs a connection at a time; an expired lease can be taken
    over (a crashed worker never blocks a connection for longer than the lease).
    """

    __tablename__ = "device_connection"
    __table_args__ = (UniqueConstraint("user_id", "provider", name="uq_device_connection_user"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    provider: str = Field(max_length=32)
    status: str = Field(default="disconnected", max_length=16)
    credentials: str | None = Field(default=None, sa_type=Text)
    needs_reconnect: bool = False
    last_sync_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    last_attempt_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    last_error: str | None = Field(default=None, sa_type=Text)
    failure_count: int = 0
    next_sync_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True), index=True)
    synced_through: date | None = None
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_expires_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class DeviceOAuthState(SQLModel, table=True):
    """A pending OAuth authorisation: the ``state`` sent to the provider, bound to a user."""

    __tablename__ = "device_oauth_state"

    id: int | None = Field(default=None, primary_key=True)
    state: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    provider: str = Field(max_length=32)
    created_at: datetime = timestamp_field()
    expires_at: datetime = Field(sa_type=DateTime(timezone=True))


class DevicePublic(BaseModel):
    """One provider as ``GET /devices`` lists it (DESIGN §3)."""

    provider: str
    connected: bool
    status: DeviceStatus
    last_sync_at: UtcDatetime | None
    last_error: str | None


class DeviceList(BaseModel):
    devices: list[DevicePublic]


class GarminConnectRequest(StrictBody):
    """Garmin Connect sign-in; the password is used once and never stored."""

    email: str = PydanticField(min_length=3, max_length=MAX_EMAIL_LENGTH)
    password: str = PydanticField(min_length=1, max_length=MAX_PASSWORD_FIELD_LENGTH)


class ConnectResponse(BaseModel):
    """Either the device is connected now, or the browser must visit ``authorize_url``."""

    provider: str
    connected: bool
    status: DeviceStatus
    authorize_url: str | None = None
