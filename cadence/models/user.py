"""Accounts: the user table and the schemas of the auth and settings endpoints."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from cadence.models.common import UtcDatetime, timestamp_field

MAX_EMAIL_LENGTH = 254
MAX_DISPLAY_NAME_LENGTH = 100
MAX_COACHING_PROFILE_LENGTH = 10_000
MAX_PASSWORD_FIELD_LENGTH = 1_000


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=MAX_EMAIL_LENGTH, unique=True, index=True)
    display_name: str = Field(max_length=MAX_DISPLAY_NAME_LENGTH)
    password_hash: str = Field(max_length=100)
    is_admin: bool = False
    is_active: bool = True
    token_version: int = 0
    coaching_profile: str = Field(default="", sa_type=Text)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
    last_active_at: datetime | None = None


class StrictBody(BaseModel):
    """Request bodies reject unknown fields so typos are reported, not ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


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


class PasswordChange(StrictBody):
    current_password: str = PydanticField(min_length=1, max_length=MAX_PASSWORD_FIELD_LENGTH)
    new_password: str = PydanticField(min_length=1, max_length=MAX_PASSWORD_FIELD_LENGTH)


class CoachingProfile(StrictBody):
    coaching_profile: str = PydanticField(max_length=MAX_COACHING_PROFILE_LENGTH)
