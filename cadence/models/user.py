"""Accounts: the user table and the schemas of the auth and settings endpoints."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic import Field as PydanticField
from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from cadence.models.common import UtcDatetime, timestamp_field

MAX_EMAIL_LENGTH = 254
MAX_DISPLAY_NAME_LENGTH = 100
MAX_COACHING_PROFILE_LENGTH = 10_000
MAX_PASSWORD_FIELD_LENGTH = 1_000
TOKEN_SUBJECT_BYTES = 32


def new_token_subject() -> str:
    """A random value only this account ever has: tokens carry it, so a token issued to a
    deleted account can never name another one, whatever the database does with ids."""
    return secrets.token_urlsafe(TOKEN_SUBJECT_BYTES)


class User(SQLModel, table=True):
    # AUTOINCREMENT on SQLite: a deleted account's id is never given to a new one
    # (PostgreSQL's sequence never reuses ids anyway).
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=MAX_EMAIL_LENGTH, unique=True, index=True)
    display_name: str = Field(max_length=MAX_DISPLAY_NAME_LENGTH)
    password_hash: str = Field(max_length=100)
    is_admin: bool = False
    is_active: bool = True
    token_version: int = 0
    token_subject: str = Field(default_factory=new_token_subject, max_length=64)
    # Moved on by every committed write to the user's rows (cadence.services.data_version).
    data_version: int = 0
    # The same, except for writes to the training log alone (workouts and their exercises).
    health_version: int = 0
    coaching_profile: str = Field(default="", sa_type=Text)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
    last_active_at: datetime | None = None


class StrictBody(BaseModel):
    """Request bodies reject unknown fields so typos are reported, not ignored, and any text
    holding a NUL character (PostgreSQL cannot store it; it is never meaningful here)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul_characters(cls, value: Any) -> Any:
        if contains_nul(value):
            raise ValueError("must not contain NUL characters")
        return value


def contains_nul(value: Any) -> bool:
    """True when ``value`` (a string, or a list/dict of them at any depth) holds a NUL."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple | set):
        return any(contains_nul(item) for item in value)
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    return False


class UserPublic(BaseModel):
    id: int
    email: str
    display_name: str
    is_admin: bool
    created_at: UtcDatetime


class SignupRequest(StrictBody):
    email: str = PydanticField(min_length=1, max_length=MAX_EMAIL_LENGTH)
    password: str = PydanticField(min_length=1, max_length=MAX_PASSWORD_FIELD_LENGTH)
    display_name: str = PydanticField(min_length=1, max_length=MAX_DISPLAY_NAME_LENGTH)
    setup_code: str | None = PydanticField(
        default=None,
        max_length=64,
        description="The code the server prints at start: makes this account the first admin "
        "(ignored once an admin exists).",
    )


class LoginRequest(StrictBody):
    email: str = PydanticField(min_length=1, max_length=MAX_EMAIL_LENGTH)
    password: str = PydanticField(min_length=1, max_length=MAX_PASSWORD_FIELD_LENGTH)


class TokenResponse(BaseModel):
    token: str
    user: UserPublic


class ProfileUpdate(StrictBody):
    display_name: str | None = PydanticField(
        default=None, min_length=1, max_length=MAX_DISPLAY_NAME_LENGTH
    )
    email: str | None = PydanticField(default=None, min_length=1, max_length=MAX_EMAIL_LENGTH)
    current_password: str | None = PydanticField(
        default=None,
        min_length=1,
        max_length=MAX_PASSWORD_FIELD_LENGTH,
        description="Required to change the email (which then signs out every session).",
    )


class PasswordChange(StrictBody):
    current_password: str = PydanticField(min_length=1, max_length=MAX_PASSWORD_FIELD_LENGTH)
    new_password: str = PydanticField(min_length=1, max_length=MAX_PASSWORD_FIELD_LENGTH)


class CoachingProfile(StrictBody):
    coaching_profile: str = PydanticField(max_length=MAX_COACHING_PROFILE_LENGTH)
