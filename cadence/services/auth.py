"""Accounts and credentials: signup, login, password rules, JWT issue and verification."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import TypeVar

import bcrypt
import jwt
from sqlalchemy import func
from sqlmodel import Session, select

from cadence.config import get_settings, secret_key
from cadence.db import session_scope
from cadence.models.common import utcnow
from cadence.models.user import User
from cadence.services.errors import Conflict, InvalidInput, PermissionDenied, RateLimited
from cadence.services.ratelimit import SlidingWindowLimiter

JWT_ALGORITHM = "HS256"
MIN_PASSWORD_BYTES = 8
MAX_PASSWORD_BYTES = 72  # bcrypt ignores everything after 72 bytes
_EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
INVALID_CREDENTIALS = "Incorrect email or password."
T = TypeVar("T")


@dataclass(frozen=True)
class IssuedToken:
    token: str
    user: User


def normalize_email(email: str) -> str:
    """Trim and lower-case an email, and check it looks like one."""
    normalized = email.strip().lower()
    if not _EMAIL_PATTERN.match(normalized):
        raise InvalidInput("Enter a valid email address, like name@example.com.", field="email")
    return normalized


def normalize_display_name(display_name: str) -> str:
    cleaned = " ".join(display_name.split())
    if not cleaned:
        raise InvalidInput("Display name cannot be blank.", field="display_name")
    return cleaned


def check_password_rules(*, password: str, email: str) -> None:
    """Raise ``InvalidInput`` naming the first rule ``password`` breaks."""
    size = len(password.encode("utf-8"))
    if size < MIN_PASSWORD_BYTES:
        raise InvalidInput("Password must be at least 8 characters long.", field="password")
    if size > MAX_PASSWORD_BYTES:
        raise InvalidInput("Password must be at most 72 bytes long.", field="password")
    if not any(ch.isalpha() for ch in password):
        raise InvalidInput("Password must contain at least one letter.", field="password")
    if not any(ch.isdigit() for ch in password):
        raise InvalidInput("Password must contain at least one digit.", field="password")
    if password.strip().lower() == email.strip().lower():
        raise InvalidInput("Password must not be the same as your email.", field="password")


def hash_password(password: str) -> str:
    """bcrypt hash (cost from settings, 12 by default). Slow by design: keep off the event loop."""
    rounds = get_settings().bcrypt_rounds
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds)).decode("ascii")


def verify_password(password: str, password_hash: str) -> bool:
    return bcrypt.checkpw(password.encode("utf-8")[:MAX_PASSWORD_BYTES], password_hash.encode())


@lru_cache
def _dummy_hash(rounds: int) -> str:
    return bcrypt.hashpw(b"cadence-dummy-password-1", bcrypt.gensalt(rounds)).decode("ascii")


def signup(*, session: Session, email: str, password: str, display_name: str) -> User:
    """Create an account. The first account (or one in ``CADENCE_ADMIN_EMAILS``) is an admin."""
    normalized = normalize_email(email)
    name = normalize_display_name(display_name)
    check_password_rules(password=password, email=normalized)
    if session.exec(select(User.id).where(User.email == normalized)).first() is not None:
        raise Conflict("An account with this email already exists.")
    is_first = session.exec(select(func.count()).select_from(User)).one() == 0
    user = User(
        email=normalized,
        display_name=name,
        password_hash=hash_password(password),
        is_admin=is_first or normalized in get_settings().admin_email_set,
    )
    session.add(user)
    session.flush()
    return user


class LoginGuard:
    """Limits login attempts per email and per client address (failed attempts only count)."""

    def __init__(self, *, max_attempts: int, window_seconds: int) -> None:
        self.by_email = SlidingWindowLimiter(max_events=max_attempts, window_seconds=window_seconds)
        self.by_client = SlidingWindowLimiter(
            max_events=max_attempts * 5, window_seconds=window_seconds
        )

    def check(self, *, email: str, client: str) -> None:
        wait = max(self.by_email.retry_after(email), self.by_client.retry_after(client))
        if wait:
            raise RateLimited(
                f"Too many login attempts. Try again in {wait} seconds.", retry_after=wait
            )

    def record_failure(self, *, email: str, client: str) -> None:
        self.by_email.record(email)
        self.by_client.record(client)

    def record_success(self, *, email: str) -> None:
        self.by_email.reset(email)


@lru_cache
def get_login_guard() -> LoginGuard:
    settings = get_settings()
    return LoginGuard(
        max_attempts=settings.login_max_attempts, window_seconds=settings.login_window_seconds
    )


def login(*, session: Session, email: str, password: str, client: str) -> IssuedToken:
    """Check credentials (rate limited) and issue a token; unknown emails cost the same time."""
    normalized = email.strip().lower()
    guard = get_login_guard()
    guard.check(email=normalized, client=client)
    user = session.exec(select(User).where(User.email == normalized)).first()
    if user is None:
        verify_password(password, _dummy_hash(get_settings().bcrypt_rounds))
        guard.record_failure(email=normalized, client=client)
        raise PermissionDenied(INVALID_CREDENTIALS)
    if not verify_password(password, user.password_hash):
        guard.record_failure(email=normalized, client=client)
        raise PermissionDenied(INVALID_CREDENTIALS)
    if not user.is_active:
        raise PermissionDenied("This account is disabled. Ask the administrator.")
    guard.record_success(email=normalized)
    return IssuedToken(token=issue_token(user=user), user=user)


def issue_token(*, user: User) -> str:
    """A signed JWT carrying the user id and their current token version."""
    settings = get_settings()
    now = utcnow()
    claims = {
        "sub": str(user.id),
        "ver": user.token_version,
        "iat": now,
        "exp": now + timedelta(minutes=settings.token_ttl_minutes),
    }
    return jwt.encode(claims, secret_key(), algorithm=JWT_ALGORITHM)


def user_for_token(*, session: Session, token: str) -> User:
    """The active user a token belongs to; ``PermissionDenied`` for any invalid or stale token."""
    try:
        claims = jwt.decode(
            token,
            secret_key(),
            algorithms=[JWT_ALGORITHM],
            options={"require": ["exp", "sub", "ver"]},
        )
        user_id = int(claims["sub"])
    except jwt.ExpiredSignatureError as exc:
        raise PermissionDenied("Your session has expired. Please log in again.") from exc
    except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
        raise PermissionDenied("Invalid authentication token.") from exc
    user = session.get(User, user_id)
    if user is None or user.token_version != claims["ver"] or not user.is_active:
        raise PermissionDenied("Invalid authentication token.")
    return user


def run_as_user(*, token: str, work: Callable[[Session, User], T]) -> T:
    """Run ``work(session, user)`` in one transaction as the token's user (verified each call)."""
    with session_scope() as session:
        return work(session, user_for_token(session=session, token=token))


def change_password(
    *, session: Session, user: User, current_password: str, new_password: str
) -> User:
    """Replace the password and bump the token version so every older token stops working."""
    if not verify_password(current_password, user.password_hash):
        raise InvalidInput("Current password is incorrect.", field="current_password")
    try:
        check_password_rules(password=new_password, email=user.email)
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field="new_password") from exc
    user.password_hash = hash_password(new_password)
    user.token_version += 1
    user.updated_at = utcnow()
    session.add(user)
    session.flush()
    return user
