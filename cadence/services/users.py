"""Profile and coaching-profile reads and updates for the signed-in user."""

from __future__ import annotations

from sqlmodel import Session, select

from cadence.models.common import as_utc, utcnow
from cadence.models.user import MAX_COACHING_PROFILE_LENGTH, User, UserPublic
from cadence.services.auth import normalize_display_name, normalize_email, verify_password
from cadence.services.errors import Conflict, InvalidInput, NotFound


def to_public(user: User) -> UserPublic:
    return UserPublic(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        is_admin=user.is_admin,
        created_at=user.created_at,
    )


def get_user(*, session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("User not found.")
    return user


def update_profile(
    *,
    session: Session,
    user: User,
    display_name: str | None = None,
    email: str | None = None,
    current_password: str | None = None,
) -> User:
    """Change the display name and/or email; a taken email is a ``Conflict``.

    A new email needs the current password (whoever holds only a stolen token cannot take the
    account over by moving its login) and bumps the token version, so every older token,
    the caller's too, stops working.
    """
    if display_name is not None:
        user.display_name = normalize_display_name(display_name)
    if email is not None and (normalized := normalize_email(email)) != user.email:
        if not current_password or not verify_password(current_password, user.password_hash):
            raise InvalidInput(
                "Enter your current password to change your email.", field="current_password"
            )
        taken = session.exec(
            select(User.id).where(User.email == normalized, User.id != user.id)
        ).first()
        if taken is not None:
            raise Conflict("An account with this email already exists.")
        user.email = normalized
        user.token_version += 1
    user.updated_at = utcnow()
    session.add(user)
    session.flush()
    return user


def set_coaching_profile(*, session: Session, user: User, coaching_profile: str) -> User:
    """Store the free-text coaching profile (goals, injuries, schedule) the coach reads."""
    if len(coaching_profile) > MAX_COACHING_PROFILE_LENGTH:
        raise InvalidInput(
            f"Coaching profile must be at most {MAX_COACHING_PROFILE_LENGTH} characters.",
            field="coaching_profile",
        )
    user.coaching_profile = coaching_profile
    user.updated_at = utcnow()
    session.add(user)
    session.flush()
    return user


ACTIVITY_RESOLUTION_S = 60
""""Last active" is recorded at most this often per user, so reads stay cheap."""


def activity_due(*, user: User) -> bool:
    """Whether ``user``'s "last active" is older than ``ACTIVITY_RESOLUTION_S``."""
    last = user.last_active_at
    return last is None or (utcnow() - as_utc(last)).total_seconds() > ACTIVITY_RESOLUTION_S


def touch_last_active(*, session: Session, user: User) -> bool:
    """Record activity when it is due (``activity_due``); True when the row changed (the API
    commits that at once, so a read request never holds a write lock)."""
    if not activity_due(user=user):
        return False
    user.last_active_at = utcnow()
    session.add(user)
    return True
